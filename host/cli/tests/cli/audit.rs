//! `tessera audit` with signed checkpoints: what a sync signs, what an export keeps, and what
//! an auditor with only the public key can still prove after the database was cut short.

use tessera_store::{AuditLog, SqliteStore};
use tessera_testkit::Tessera;
use tessera_testkit::command::text;

use crate::engine::{Install, ROLES};

const KEY: &str = "3c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5";

#[test]
fn exported_checkpoints_prove_a_truncation_the_database_hides() {
    let mut install = Install::with_plugins("", ROLES);
    install.tessera = install.tessera.clone().env("TESSERA_VAULT_KEY", KEY);
    install.json(0, &["sync", "--json"]);
    let verified = install.json(0, &["audit", "verify", "--json"]);
    assert_eq!(verified["intact"], true, "{verified}");
    assert_eq!(verified["signatures_checked"], true);
    assert!(verified["checkpoints"].as_u64() >= Some(1), "{verified}");
    let exported = install.path("checkpoints.json");
    let exported = exported.to_str().unwrap();
    install.expect(0, &["audit", "checkpoint", "export", exported]);
    let public = install.expect(0, &["audit", "checkpoint", "key"]);
    // Someone with the database cuts off the newest records and the checkpoints naming them.
    let store = SqliteStore::open(install.path("tessera.db")).unwrap();
    let (head, _) = store.audit_head().unwrap().unwrap();
    store
        .execute_raw(&format!("DELETE FROM audit_log WHERE seq > {}", head - 2))
        .unwrap();
    store.execute_raw("DELETE FROM audit_checkpoints").unwrap();
    drop(store);
    install.expect(0, &["audit", "verify"]);
    let caught = install
        .tessera
        .run(&["audit", "verify", "--checkpoints", exported]);
    assert_eq!(caught.status.code(), Some(1), "{}", text(&caught.stdout));
    assert!(
        text(&caught.stderr).contains("records were removed"),
        "{}",
        text(&caught.stderr)
    );
    // An auditor without the vault key, holding only the public key and the export.
    let auditor = Tessera::new(env!("CARGO_BIN_EXE_tessera")).config(install.path("tessera.toml"));
    let args = [
        "audit",
        "verify",
        "--checkpoints",
        exported,
        "--public-key",
        public.trim(),
    ];
    assert_eq!(auditor.run(&args).status.code(), Some(1));
    let wrong = "00".repeat(31) + "01";
    let forged = auditor.run(&[
        "audit",
        "verify",
        "--checkpoints",
        exported,
        "--public-key",
        &wrong,
    ]);
    assert!(!forged.status.success());
}

#[test]
fn retention_shorter_than_five_years_is_refused_and_pruning_needs_it() {
    let install = Install::with_plugins("", ROLES);
    let config = install.path("tessera.toml");
    let text_before = std::fs::read_to_string(&config).unwrap();
    let unset = install
        .tessera
        .clone()
        .env("TESSERA_VAULT_KEY", KEY)
        .run(&["audit", "prune"]);
    assert!(!unset.status.success());
    assert!(
        text(&unset.stderr).contains("retention_days"),
        "{}",
        text(&unset.stderr)
    );
    std::fs::write(
        &config,
        format!("{text_before}\n[audit]\nretention_days = 30\n"),
    )
    .unwrap();
    let short = install.tessera.run(&["audit", "verify"]);
    assert_eq!(short.status.code(), Some(2), "{}", text(&short.stderr));
    assert!(
        text(&short.stderr).contains("audit.retention_days"),
        "{}",
        text(&short.stderr)
    );
    std::fs::write(
        &config,
        format!("{text_before}\n[audit]\nretention_days = 1825\n"),
    )
    .unwrap();
    let pruned = install
        .tessera
        .clone()
        .env("TESSERA_VAULT_KEY", KEY)
        .expect(0, &["audit", "prune"]);
    assert!(
        pruned.contains("no record is older than 1825 days"),
        "{pruned}"
    );
}
