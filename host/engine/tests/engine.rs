//! The engine's stages against fakes, one stage at a time: import (merging sources, source
//! thresholds, paging), the preview, and the audit chain. Whole runs are the sync library's
//! tests (`host/sync/tests`).
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeSet;

use chrono::NaiveDate;
use tessera_domain::{EntitlementRef, Person};
use tessera_engine::import::{ImportOptions, SourceSettings, SourceThresholds, import};
use tessera_engine::model::{RoleModel, Threshold};
use tessera_engine::{Error, decisions, soll};
use tessera_store::prelude::*;
use tessera_store::{NewGrant, SqliteStore};
use tessera_testkit::fakes::FakeSource;
use tessera_testkit::{PersonExt, day, noon, person, shift};

use tessera_testkit::models::IC_NURSES as MODEL;

async fn import_one(store: &SqliteStore, persons: Vec<Person>, today: NaiveDate) {
    let mut source = FakeSource::new(persons, 2);
    let settings = SourceSettings::default();
    let options = ImportOptions::default();
    let report = import(store, &mut source, "hr", &settings, options, noon(today))
        .await
        .unwrap();
    assert!(report.committed, "{:?}", report.blocked);
}

#[tokio::test]
async fn sources_merge_by_correlation_key_and_changes_are_recorded() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut hr_nurse = person(
        "hr-1",
        "Anna",
        "Jansen",
        vec![shift("emp-1", "IC", day(0), day(100))],
    )
    .with_attr("bsn", "123");
    let flex_nurse = person(
        "elanza-9",
        "Anna",
        "Jansen",
        vec![shift("shift-1", "SEH", day(3), day(3))],
    )
    .with_attr("bsn", "123");
    let settings = SourceSettings {
        correlation: Some("bsn".into()),
        ..SourceSettings::default()
    };
    let opts = ImportOptions::default();
    import(
        &store,
        &mut FakeSource::new(vec![hr_nurse.clone()], 5),
        "hr",
        &settings,
        opts,
        noon(day(0)),
    )
    .await
    .unwrap();
    let report = import(
        &store,
        &mut FakeSource::new(vec![flex_nurse], 5),
        "elanza",
        &settings,
        opts,
        noon(day(0)),
    )
    .await
    .unwrap();
    assert_eq!(report.counts.added, 1);
    let persons = store.persons().unwrap();
    assert_eq!(persons.len(), 1, "one nurse, two sources");
    let ids: BTreeSet<&str> = persons[0].contracts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["emp-1", "shift-1"]));
    // The HR record changes: one changed person, a history row with before and after.
    hr_nurse.name.family = "Jansen-de Vries".into();
    let report = import(
        &store,
        &mut FakeSource::new(vec![hr_nurse], 5),
        "hr",
        &settings,
        opts,
        noon(day(1)),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            report.counts.added,
            report.counts.changed,
            report.counts.removed
        ),
        (0, 1, 0)
    );
    let history = store.person_history("123").unwrap();
    assert_eq!(history.len(), 3);
    assert!(
        history[2]
            .1
            .after
            .as_deref()
            .unwrap()
            .contains("Jansen-de Vries")
    );
    assert!(
        history[2]
            .1
            .before
            .as_deref()
            .unwrap()
            .contains("\"Jansen\"")
    );
    assert_eq!(store.person("123").unwrap().unwrap().contracts.len(), 2);
    // Leaving HR keeps what Elanza says: the nurse stays, with her shift, and is no leaver.
    let forced = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    let report = import(
        &store,
        &mut FakeSource::new(vec![], 5),
        "hr",
        &settings,
        forced,
        noon(day(2)),
    )
    .await
    .unwrap();
    assert_eq!(report.counts.removed, 1);
    let nurse = store.person("123").unwrap().unwrap();
    let ids: Vec<&str> = nurse.contracts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["shift-1"]);
    assert!(
        !nurse.attributes.iter().any(|a| a.name == "left_sources_on"),
        "still in a source"
    );
}

#[tokio::test]
async fn source_thresholds_block_before_anything_changes() {
    let store = SqliteStore::open_in_memory().unwrap();
    let many: Vec<_> = (0..10)
        .map(|i| person(&format!("p{i}"), "A", "B", vec![]))
        .collect();
    import_one(&store, many.clone(), day(0)).await;
    let before = store.persons().unwrap();
    let settings = SourceSettings {
        thresholds: SourceThresholds {
            removed: Some(Threshold {
                count: None,
                percent: Some(30.0),
            }),
            ..SourceThresholds::default()
        },
        ..SourceSettings::default()
    };
    let fewer = many[..6].to_vec();
    let report = import(
        &store,
        &mut FakeSource::new(fewer.clone(), 3),
        "hr",
        &settings,
        ImportOptions::default(),
        noon(day(1)),
    )
    .await
    .unwrap();
    let reason = report.blocked.unwrap();
    assert!(
        reason.contains("removed persons: 4 of 10 (40.0%) reaches 30%"),
        "{reason}"
    );
    assert!(!report.committed);
    assert_eq!(
        store.persons().unwrap(),
        before,
        "a blocked import changes nothing"
    );
    assert_eq!(store.source_runs("hr", 1).unwrap()[0].status, "blocked");
    // A source that suddenly returns nobody is blocked even without thresholds...
    let plain = SourceSettings::default();
    let empty = import(
        &store,
        &mut FakeSource::new(vec![], 1),
        "hr",
        &plain,
        ImportOptions::default(),
        noon(day(1)),
    )
    .await
    .unwrap();
    assert!(empty.blocked.unwrap().contains("no persons"));
    assert_eq!(store.persons().unwrap().len(), 10);
    // ...unless forced.
    let forced = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    let report = import(
        &store,
        &mut FakeSource::new(fewer, 3),
        "hr",
        &settings,
        forced,
        noon(day(1)),
    )
    .await
    .unwrap();
    assert!(report.committed);
    // The four that went are leavers now, kept until the account rule lets them go.
    let persons = store.persons().unwrap();
    assert_eq!(persons.len(), 10);
    let left = persons
        .iter()
        .filter(|p| p.attributes.iter().any(|a| a.name == "left_sources_on"))
        .count();
    assert_eq!(left, 4);
    let actions = tessera_testkit::audit_actions(&store);
    assert_eq!(actions.iter().filter(|a| *a == "import-blocked").count(), 2);
}

#[tokio::test]
async fn a_looping_cursor_is_an_error_not_a_hang() {
    let store = SqliteStore::open_in_memory().unwrap();
    let mut source = FakeSource::new(vec![person("p", "A", "B", vec![])], 1);
    source.loop_cursor = true;
    let err = import(
        &store,
        &mut source,
        "hr",
        &SourceSettings::default(),
        ImportOptions::default(),
        noon(day(0)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Paging { .. }), "{err}");
}

#[test]
fn tampering_with_the_audit_log_is_found() {
    let store = SqliteStore::open_in_memory().unwrap();
    let grant = NewGrant {
        person: "p".into(),
        system: "ad".into(),
        entitlement: EntitlementRef {
            kind: "g".into(),
            key: "k".into(),
        },
        reason: "r".into(),
        author: "a".into(),
        until: None,
        needs_approval: false,
    };
    for _ in 0..3 {
        decisions::add_grant(&store, &grant, noon(day(0))).unwrap();
    }
    store
        .execute_raw(
            "UPDATE audit_log SET record = replace(record, '\"a\"', '\"mallory\"') WHERE seq = 2",
        )
        .unwrap();
    let broken = store.verify_audit().unwrap().unwrap_err();
    assert_eq!(broken.seq, 2);
}

#[tokio::test]
async fn the_preview_names_rules_contracts_and_dates() {
    let store = SqliteStore::open_in_memory().unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let nurse = person(
        "p1",
        "Ann",
        "Ade",
        vec![shift("s1", "IC", day(10), day(12))],
    );
    import_one(&store, vec![nurse], day(0)).await;
    let early = soll::preview(&store, &model, "p1", day(3))
        .unwrap()
        .unwrap();
    assert!(early.accounts[0].entitlements.is_empty());
    assert_eq!(early.accounts[0].state, soll::AccountState::Absent);
    let preview = soll::preview(&store, &model, "p1", day(11))
        .unwrap()
        .unwrap();
    let account = &preview.accounts[0];
    assert_eq!(account.state, soll::AccountState::Enabled);
    assert_eq!(account.contracts, vec!["s1"]);
    assert_eq!(account.dates.create_on, Some(day(5)));
    assert_eq!(account.dates.enable_on, Some(day(10)));
    assert_eq!(account.dates.disable_on, Some(day(14)));
    assert_eq!(account.dates.delete_on, Some(day(43)));
    assert_eq!(account.attributes[0].value, "Ann Ade");
    let json = serde_json::to_value(&preview).unwrap();
    assert_eq!(
        json["accounts"][0]["entitlements"][0]["source"]["name"],
        "IC nurses"
    );
    assert_eq!(
        json["accounts"][0]["entitlements"][0]["until"],
        "2026-11-13"
    );
    assert!(
        preview
            .to_text()
            .contains("group/ic from 2026-11-11 until 2026-11-13 by rule `IC nurses`")
    );
    assert!(
        soll::preview(&store, &model, "nobody", day(11))
            .unwrap()
            .is_none()
    );
}

/// A person who drops out of every source (a flex worker whose shifts left the window, an
/// employee taken out of HR) is a leaver: their contracts end the day they left and the
/// account rule decides from there: disabled after `disable_after_days`, deleted after
/// `delete_after_days`. Before, the person was removed and the accounts deleted at once.
#[tokio::test]
async fn a_person_gone_from_every_source_leaves_by_the_account_rule() {
    let store = SqliteStore::open_in_memory().unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let nurse = person(
        "p1",
        "Ann",
        "Ade",
        vec![
            shift("s1", "IC", day(0), day(100)),
            shift("later", "IC", day(50), day(60)),
        ],
    );
    let colleague = |id| person(id, "Bo", "Bee", vec![shift(id, "IC", day(0), day(100))]);
    let stays = vec![colleague("p2"), colleague("p3"), colleague("p4")];
    import_one(&store, [vec![nurse], stays.clone()].concat(), day(5)).await;
    import_one(&store, stays, day(10)).await;
    let persons = store.persons().unwrap();
    assert_eq!(persons.len(), 4, "kept as a leaver");
    let left = persons.iter().find(|p| p.id == "p1").unwrap();
    let ids: Vec<&str> = left.contracts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, vec!["s1"], "the contract that had not started is gone");
    assert_eq!(
        left.contracts[0]
            .end
            .map(|e| e.day(tessera_domain::Zone::UTC)),
        Some(day(10)),
        "it ends the day the person left"
    );
    let state = |on| {
        soll::preview(&store, &model, "p1", on)
            .unwrap()
            .unwrap()
            .accounts[0]
            .state
    };
    // The rule: one day's grace, deleted 30 days after the last end.
    assert_eq!(state(day(11)), soll::AccountState::Enabled);
    assert_eq!(state(day(12)), soll::AccountState::Retained);
    assert_eq!(state(day(40)), soll::AccountState::Retained);
    let gone = soll::preview(&store, &model, "p1", day(41))
        .unwrap()
        .unwrap();
    assert!(gone.accounts.is_empty() || gone.accounts[0].state == soll::AccountState::Absent);
    // Coming back in a source makes them a person like before.
    let back = person(
        "p1",
        "Ann",
        "Ade",
        vec![shift("s2", "IC", day(20), day(30))],
    );
    import_one(&store, vec![back], day(20)).await;
    let persons = store.persons().unwrap();
    let again = persons.iter().find(|p| p.id == "p1").unwrap();
    assert_eq!(again.contracts[0].id, "s2");
    assert!(!again.attributes.iter().any(|a| a.name == "left_sources_on"));
}

/// Two records of one source with one correlation value (two HR persons with one e-mail) are
/// listed for the operator, not merged: the one already imported stays as it was, the new one
/// waits, and nothing is removed.
#[tokio::test]
async fn a_shared_correlation_value_is_held_for_the_operator_not_guessed() {
    let store = SqliteStore::open_in_memory().unwrap();
    let settings = SourceSettings {
        correlation: Some("email".into()),
        ..SourceSettings::default()
    };
    let anna = person(
        "hr-1",
        "Anna",
        "Jansen",
        vec![shift("e1", "IC", day(0), day(100))],
    )
    .with_email("a.jansen@zkh.example.nl");
    let bram = person(
        "hr-2",
        "Bram",
        "Smit",
        vec![shift("e2", "SEH", day(0), day(100))],
    )
    .with_email("b.smit@zkh.example.nl");
    let run = |persons: Vec<Person>| {
        let store = &store;
        let settings = &settings;
        async move {
            let mut source = FakeSource::new(persons, 2);
            let options = ImportOptions::default();
            import(store, &mut source, "hr", settings, options, noon(day(0)))
                .await
                .unwrap()
        }
    };
    let first = run(vec![anna.clone(), bram.clone()]).await;
    assert_eq!(first.counts.added, 2);
    // A second Anna Jansen with the same address, and Anna's own record changed.
    let mut anna_moved = anna.clone();
    anna_moved.contracts[0].department = bram.contracts[0].department.clone();
    let other = person(
        "hr-3",
        "Anna",
        "Jansen",
        vec![shift("e3", "OK", day(0), day(100))],
    )
    .with_email("A.Jansen@zkh.example.nl ");
    let second = run(vec![anna_moved, bram.clone(), other]).await;
    assert_eq!(
        (
            second.counts.added,
            second.counts.changed,
            second.counts.removed
        ),
        (0, 0, 0),
        "neither record of the dispute is taken"
    );
    assert_eq!(second.counts.total, 3);
    let dispute = second
        .warnings
        .iter()
        .find(|w| w.subject.as_deref() == Some("a.jansen@zkh.example.nl"))
        .unwrap_or_else(|| panic!("{:?}", second.warnings));
    assert!(
        dispute.message.contains("hr-1, hr-3"),
        "{}",
        dispute.message
    );
    let kept = store.person("a.jansen@zkh.example.nl").unwrap().unwrap();
    assert_eq!(kept.contracts.len(), 1);
    assert_eq!(kept.contracts[0].id, "e1");
    assert_eq!(
        kept.contracts[0]
            .department
            .as_ref()
            .map(|d| d.code.as_str()),
        Some("IC"),
        "as it was before the dispute"
    );
    // Once the source tells them apart, both are imported.
    let other = person(
        "hr-3",
        "Anna",
        "Jansen",
        vec![shift("e3", "OK", day(0), day(100))],
    )
    .with_email("anna.jansen2@zkh.example.nl");
    let third = run(vec![anna, bram, other]).await;
    assert_eq!(third.counts.added, 1);
    assert!(third.warnings.is_empty(), "{:?}", third.warnings);
}
