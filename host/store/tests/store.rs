//! The store on a real file: what is written survives a reopen, shadows keep tombstones, and
//! blocked actions move through their states.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use tessera_domain::{Account, EntitlementRef, Membership, Person};
use tessera_store::prelude::*;
use tessera_store::{
    BlockedStatus, HistoryRow, ImportCommit, NewBlockedAction, PersonChange, RunCounts,
    SourceRecord, SqliteStore, Upsert,
};

/// A record new in its source, as an import commits it.
fn added(record: SourceRecord) -> Upsert {
    Upsert {
        record,
        change: PersonChange::Added,
        before: None,
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn person(id: &str) -> Person {
    tessera_testkit::person(id, "Ann", "Ade", vec![])
}

fn account(key: &str) -> Account {
    Account {
        key: key.into(),
        username: Some(key.into()),
        enabled: true,
        attributes: vec![],
    }
}

#[test]
fn an_import_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.db");
    let store = SqliteStore::open(&path).unwrap();
    let record = SourceRecord {
        source: "hr".into(),
        external_id: "p1".into(),
        person_id: "p1".into(),
        hash: "h1".into(),
        data: serde_json::to_string(&person("p1")).unwrap(),
    };
    let commit = ImportCommit {
        source: "hr".into(),
        started_at: Some(at("2026-11-22T08:00:00Z")),
        counts: RunCounts {
            total: 1,
            added: 1,
            removed: 0,
            changed: 0,
        },
        upserts: vec![added(record.clone())],
        removals: vec![],
        history: vec![],
    };
    let run = store
        .commit_import(&commit, &["p1".into()], &mut |id, records| {
            assert_eq!(records.len(), 1, "the merge sees the record just written");
            Ok(Some(person(id)))
        })
        .unwrap();
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.source_records("hr").unwrap(), vec![record.clone()]);
    assert_eq!(store.persons().unwrap(), vec![person("p1")]);
    let runs = store.source_runs("hr", 5).unwrap();
    assert_eq!(
        (runs[0].id, runs[0].counts.added, runs[0].status.as_str()),
        (run, 1, "committed")
    );
    let written = record.data.clone();
    assert_eq!(
        store.person_history("p1").unwrap()[0].1,
        HistoryRow {
            person_id: "p1".into(),
            change: PersonChange::Added,
            before: None,
            after: Some(written),
        },
        "the upsert's history line, its after the record's data"
    );
    let mode: String = {
        let text = store.path().to_string_lossy().into_owned();
        assert!(text.ends_with("tessera.db"));
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with("-wal"))
            .collect()
    };
    assert_eq!(
        mode, "tessera.db-wal",
        "WAL mode keeps a -wal file beside the database"
    );
}

#[test]
fn a_merging_import_sees_its_own_records_and_digests_leave_the_data_out() {
    let store = SqliteStore::open_in_memory().unwrap();
    let record = |id: &str, owner: &str| SourceRecord {
        source: "hr".into(),
        external_id: id.into(),
        person_id: owner.into(),
        hash: format!("h-{id}"),
        data: serde_json::to_string(&person(id)).unwrap(),
    };
    let commit = ImportCommit {
        source: "hr".into(),
        upserts: ["a", "b", "c"]
            .into_iter()
            .zip(["p1", "p1", "p2"])
            .map(|(id, owner)| added(record(id, owner)))
            .collect(),
        ..ImportCommit::default()
    };
    let affected = ["p1".to_owned(), "p2".to_owned()];
    let mut seen = Vec::new();
    store
        .commit_import(&commit, &affected, &mut |id, records| {
            let ids: Vec<&str> = records.iter().map(|r| r.external_id.as_str()).collect();
            seen.push(format!("{id}: {}", ids.join(" ")));
            // p2 merges into nobody, which removes it from the vault.
            Ok((id == "p1").then(|| person(id)))
        })
        .unwrap();
    assert_eq!(seen, ["p1: a b", "p2: c"]);
    assert_eq!(store.persons().unwrap(), vec![person("p1")]);
    let digests = store.source_digests("hr").unwrap();
    let listed: Vec<(&str, &str)> = digests
        .iter()
        .map(|d| (d.external_id.as_str(), d.hash.as_str()))
        .collect();
    assert_eq!(listed, [("a", "h-a"), ("b", "h-b"), ("c", "h-c")]);
    assert_eq!(
        store.source_record_data("hr", "c").unwrap(),
        Some(record("c", "p2").data)
    );
    assert_eq!(store.source_record_data("hr", "x").unwrap(), None);
}

#[test]
fn shadows_keep_owners_and_become_tombstones() {
    let store = SqliteStore::open_in_memory().unwrap();
    store
        .sync_shadows(
            "ad",
            &[account("a1"), account("a2")],
            at("2026-11-22T08:00:00Z"),
        )
        .unwrap();
    store.link_shadow("ad", "a1", "p1").unwrap();
    let mut renamed = account("a1");
    renamed.username = Some("renamed".into());
    let drift = store
        .sync_shadows("ad", &[renamed, account("a3")], at("2026-11-23T08:00:00Z"))
        .unwrap();
    assert_eq!(drift.gone, vec!["a2".to_owned()]);
    assert_eq!(
        (drift.appeared, drift.changed),
        (1, 1),
        "a3 appeared, a1 changed"
    );
    let again = store
        .sync_shadows("ad", &[account("a1")], at("2026-11-23T09:00:00Z"))
        .unwrap();
    assert_eq!((again.gone.len(), again.appeared, again.changed), (1, 0, 1));
    let shadows = store.shadows("ad").unwrap();
    assert_eq!(
        shadows[0].person.as_deref(),
        Some("p1"),
        "a relisting keeps the owner"
    );
    assert!(shadows[1].dead);
    let m = Membership {
        account: "a1".into(),
        entitlement: EntitlementRef {
            kind: "group".into(),
            key: "g".into(),
        },
    };
    store
        .replace_memberships("ad", std::slice::from_ref(&m))
        .unwrap();
    store.bury_shadow("ad", "a1").unwrap();
    assert!(store.memberships("ad").unwrap().is_empty());
    assert!(store.shadows("ad").unwrap()[0].dead);
}

#[test]
fn blocked_actions_move_from_blocked_to_approved_to_done() {
    let store = SqliteStore::open_in_memory().unwrap();
    let now = at("2026-11-22T08:00:00Z");
    let plan = store.add_plan("ad", now, true).unwrap();
    let new = |key: &str| NewBlockedAction {
        system: "ad".into(),
        person: key.split(':').nth(1).map(str::to_owned),
        plan_id: Some(plan),
        action: "delete".into(),
        op_key: key.into(),
        op: "{}".into(),
        reason: "delete threshold".into(),
    };
    let first = store.add_blocked(&new("delete:p1"), now).unwrap();
    store.add_blocked(&new("delete:p2"), now).unwrap();
    store
        .decide_blocked(first, BlockedStatus::Approved, Some("ops"), now)
        .unwrap();
    assert_eq!(
        store.cancel_blocked("ad", now).unwrap(),
        1,
        "only still-blocked ones are cancelled"
    );
    let approved = store
        .blocked_actions(Some("ad"), BlockedStatus::Approved)
        .unwrap();
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0].decided_by.as_deref(), Some("ops"));
    assert!(
        store
            .decide_blocked(999, BlockedStatus::Approved, Some("ops"), now)
            .is_err()
    );
}

#[test]
fn a_failing_merge_undoes_the_whole_import() {
    let store = SqliteStore::open_in_memory().unwrap();
    let record = SourceRecord {
        source: "hr".into(),
        external_id: "a".into(),
        person_id: "p1".into(),
        hash: "h".into(),
        data: serde_json::to_string(&person("p1")).unwrap(),
    };
    let commit = ImportCommit {
        source: "hr".into(),
        upserts: vec![added(record)],
        ..ImportCommit::default()
    };
    let err = store
        .commit_import(
            &commit,
            &["p1".into()],
            &mut |_, _| Err("unreadable".into()),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("p1") && err.contains("unreadable"), "{err}");
    assert!(
        store.source_digests("hr").unwrap().is_empty(),
        "no record kept"
    );
    assert!(
        store.source_runs("hr", 5).unwrap().is_empty(),
        "no run kept"
    );
}
