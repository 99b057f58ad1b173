//! `tessera demo` from start to finish: the plugins build, every system of the hospital takes
//! part, the story's changes reach the targets, and the audit chain holds.

use std::process::Command;

#[test]
fn the_demo_provisions_moves_and_disables_across_all_four_systems() {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("demo")
        .env_remove("TESSERA_CONFIG")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every system ran on every day without failing.
    for system in [
        "elanza  source  ok",
        "ad      target  ok",
        "hix     target  ok",
        "hsa     target  ok",
    ] {
        assert_eq!(text.matches(system).count(), 4, "{system}:\n{text}");
    }
    // New flex workers get disabled accounts before their first shift, enabled on the day.
    assert!(
        text.contains("ad   Noor Visser: create nvisser (disabled)"),
        "{text}"
    );
    assert!(
        text.contains("hix  Noor Visser: grant (new nvisser) login-group/LG-IC"),
        "{text}"
    );
    assert!(
        text.contains("hsa  Noor Visser: enable SE2321000131-nvisser"),
        "{text}"
    );
    // The function change swaps groups and adds the IC commission.
    assert!(
        text.contains("group/GG-IC — rule `Afdeling UMC_Intensive Care`"),
        "{text}"
    );
    assert!(text.contains("commission/SE2321000131-MIC"), "{text}");
    // The leaver is disabled everywhere.
    for system in ["ad  ", "hix ", "hsa "] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("  {system}")) && l.contains(": disable ")),
            "{system}:\n{text}"
        );
    }
    // The take-over found the hand-made membership, and the chain verifies.
    assert!(text.contains("$ tessera deviations\nSYSTEM"), "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
}
