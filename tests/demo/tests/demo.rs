//! The demo from start to finish: the plugins build, every system of the hospital takes part
//! (Samba and slapd must be installed: the test command installs them), the story's changes
//! reach the targets, and the audit chain holds.

use tessera_testkit::Tessera;

#[test]
fn the_demo_provisions_moves_and_disables_across_every_system() {
    let text = Tessera::new(env!("CARGO_BIN_EXE_tessera-demo")).expect(0, &[]);
    // Both real directories started; a missing one would say how to install it.
    for directory in [
        "Active Directory (Samba AD DC): started",
        "HSA (OpenLDAP slapd): started",
    ] {
        assert!(text.contains(directory), "{directory}:\n{text}");
    }
    // The first-party plugins were signed with the demo's key, which the installation requires.
    assert_eq!(text.matches("…  signed").count(), 6, "{text}");
    // Every system ran on every day without failing.
    for system in [
        "afas    source  ok",
        "elanza  source  ok",
        "ad      target  ok",
        "hix     target  ok",
        "hsa     target  ok",
        "entra   target  ok",
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
    // Entra ID through the mock Graph: the department's cloud group, by its name.
    assert!(
        text.contains("entra Noor Visser: grant (new noor.visser) group/ZKH-IC"),
        "{text}"
    );
    // The function change swaps groups and adds the IC commission.
    assert!(
        text.contains("group/GG-IC — rule `Afdeling UMC_Intensive Care`"),
        "{text}"
    );
    assert!(text.contains("commission/SE2321000131-MIC"), "{text}");
    // The leaver is disabled everywhere.
    for system in ["ad  ", "hix ", "hsa ", "entra "] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("  {system}")) && l.contains(": disable ")),
            "{system}:\n{text}"
        );
    }
    // Permanent staff from AFAS beside the flex workers; the one in both is one person with
    // the employment and the shifts.
    let shown = text
        .split_once("$ tessera person show ")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no person show:\n{text}"));
    let sources = shown
        .split_once("sources\n")
        .map(|(_, s)| s)
        .unwrap_or_default();
    assert!(
        sources.starts_with("  afas  ") && sources.contains("\n  elanza  "),
        "{shown}"
    );
    assert!(
        shown.contains("5D1E0000-0000-4000-8000-000000000001"),
        "the employment: {shown}"
    );
    // The take-over found the hand-made membership, and the chain verifies.
    assert!(text.contains("$ tessera deviations\nSYSTEM"), "{text}");
    assert!(text.contains("audit chain intact"), "{text}");
    // Each day's sync signed the chain's head, and verify checked the signatures.
    assert!(text.contains("checkpoints hold"), "{text}");
    assert!(!text.contains(" 0 checkpoints hold"), "{text}");
    assert!(!text.contains("signatures not checked"), "{text}");
}
