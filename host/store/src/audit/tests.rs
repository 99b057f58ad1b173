//! Signed checkpoints and retention cuts against the attacks the hash chain alone misses.

use chrono::{DateTime, Utc};

use crate::*;

fn at(day: u32) -> DateTime<Utc> {
    format!("2026-11-{day:02}T10:00:00Z").parse().expect("time")
}

fn record(day: u32) -> AuditRecord {
    AuditRecord {
        at: at(day),
        action: "grant".into(),
        system: Some("hix".into()),
        outcome: "ok".into(),
        ..AuditRecord::default()
    }
}

/// A store with entries on days 1..=n and a checkpoint after each.
fn chain_of(n: u32, key: &CheckpointKey) -> SqliteStore {
    let store = SqliteStore::open_in_memory().expect("open");
    for day in 1..=n {
        store.append_audit(&record(day)).expect("append");
        store.checkpoint_audit(key, at(day)).expect("checkpoint");
    }
    store
}

fn key() -> CheckpointKey {
    CheckpointKey::from_vault_key(&VaultKey::generate().expect("key"))
}

/// Rewrites every entry from scratch, with fresh and consistent hashes: what someone with
/// write access to the file (and the code) could do.
fn rewrite_chain(store: &SqliteStore) {
    let rows = store.audit_entries(None).expect("rows");
    store.execute_raw("DELETE FROM audit_log").expect("wipe");
    for mut e in rows {
        e.record.outcome = "refused: forged".into();
        store.append_audit(&e.record).expect("append");
    }
}

#[test]
fn an_untouched_chain_verifies_with_its_checkpoints() {
    let key = key();
    let store = chain_of(4, &key);
    let verified = store
        .verify_audit_with(Some(&key.verifier()), &[])
        .expect("verify")
        .expect("intact");
    assert_eq!((verified.records, verified.checkpoints), (4, 4));
    assert!(verified.signatures_checked);
}

#[test]
fn truncating_the_newest_entries_is_found() {
    let key = key();
    let store = chain_of(5, &key);
    assert!(store.verify_audit().expect("verify").is_ok());
    store
        .execute_raw("DELETE FROM audit_log WHERE seq > 3")
        .expect("truncate");
    // The stored checkpoints name records that are gone, even without the key at hand.
    assert!(store.verify_audit().expect("verify").is_err());
    let broken = store
        .verify_audit_with(Some(&key.verifier()), &[])
        .expect("verify")
        .expect_err("truncated");
    assert_eq!(broken.seq, 4);
    assert!(
        broken.reason.contains("records were removed"),
        "{}",
        broken.reason
    );
}

#[test]
fn truncating_entries_and_stored_checkpoints_is_found_by_exported_ones() {
    let key = key();
    let store = chain_of(5, &key);
    let exported = store.checkpoints().expect("export");
    store
        .execute_raw("DELETE FROM audit_log WHERE seq > 3")
        .expect("truncate");
    store
        .execute_raw("DELETE FROM audit_checkpoints WHERE seq > 3")
        .expect("hide");
    assert!(
        store
            .verify_audit_with(Some(&key.verifier()), &[])
            .expect("verify")
            .is_ok()
    );
    let broken = store
        .verify_audit_with(Some(&key.verifier()), &exported)
        .expect("verify")
        .expect_err("truncated");
    assert_eq!(broken.seq, 4);
}

#[test]
fn a_rewritten_chain_is_found_and_forged_checkpoints_do_not_verify() {
    let key = key();
    let store = chain_of(3, &key);
    rewrite_chain(&store);
    let rows = store.audit_rows(None).expect("rows");
    assert!(
        crate::audit::verify::chain(&rows, &[], None).is_ok(),
        "the rewritten hashes are consistent: only the checkpoints tell"
    );
    let broken = store
        .verify_audit_with(Some(&key.verifier()), &[])
        .expect("verify")
        .expect_err("rewritten");
    assert!(broken.reason.contains("rewritten"), "{}", broken.reason);
    // Re-signing with a key of the forger's own does not help.
    let forger = CheckpointKey::from_vault_key(&VaultKey::generate().expect("key"));
    store
        .execute_raw("DELETE FROM audit_checkpoints")
        .expect("wipe");
    store.checkpoint_audit(&forger, at(9)).expect("forged");
    let broken = store
        .verify_audit_with(Some(&key.verifier()), &[])
        .expect("verify")
        .expect_err("forged");
    assert!(
        broken.reason.contains("does not verify"),
        "{}",
        broken.reason
    );
}

#[test]
fn retention_cuts_old_entries_and_the_rest_still_verifies() {
    let key = key();
    let store = chain_of(6, &key);
    let (cut, removed) = store
        .prune_audit(&key, at(4), at(20))
        .expect("prune")
        .expect("something to cut");
    assert_eq!((cut.seq, removed), (3, 3));
    let verified = store
        .verify_audit_with(Some(&key.verifier()), &[])
        .expect("verify")
        .expect("intact after the cut");
    // Entries 4..=6 plus the record of the cut itself.
    assert_eq!((verified.first_seq, verified.records), (4, 4));
    let last = store
        .audit_entries(None)
        .expect("rows")
        .pop()
        .expect("entry");
    assert_eq!(last.record.action, "audit-cut");
    // Deleting more old entries than the cut covers is found.
    store
        .execute_raw("DELETE FROM audit_log WHERE seq = 4")
        .expect("delete");
    assert!(
        store
            .verify_audit_with(Some(&key.verifier()), &[])
            .expect("verify")
            .is_err()
    );
}

#[test]
fn a_cut_of_everything_keeps_the_chain_going_and_a_broken_chain_is_not_cut() {
    let key = key();
    let store = chain_of(3, &key);
    store.prune_audit(&key, at(30), at(30)).expect("prune");
    store.append_audit(&record(29)).expect("append after");
    assert!(
        store
            .verify_audit_with(Some(&key.verifier()), &[])
            .expect("verify")
            .is_ok()
    );
    let tampered = chain_of(3, &key);
    tampered
        .execute_raw(
            "UPDATE audit_log SET record = replace(record, 'grant', 'revoke') WHERE seq = 2",
        )
        .expect("tamper");
    let refused = tampered
        .prune_audit(&key, at(30), at(30))
        .expect_err("refused");
    assert!(
        refused.to_string().contains("nothing was removed"),
        "{refused}"
    );
    assert_eq!(tampered.audit_rows(None).expect("rows").len(), 3);
}
