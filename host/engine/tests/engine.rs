//! End-to-end tests of the engine against in-memory fake connectors: import with source
//! thresholds, the account lifecycle over simulated days, typed-error handling in apply,
//! crash safety, manual grants, approvals and the audit chain.
#![allow(clippy::unwrap_used)]

#[allow(dead_code, reason = "the fakes are shared with the benchmark")]
#[path = "support/fakes.rs"]
mod fakes;

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, Utc};
use futures_util::FutureExt;
use tessera_domain::{ConnectorError, EntitlementRef, TargetConnector};
use tessera_engine::apply::{ApplySettings, RetryPolicy, apply_plan, resume};
use tessera_engine::import::{ImportOptions, SourceSettings, SourceThresholds, import};
use tessera_engine::model::{RoleModel, Threshold};
use tessera_engine::plan::{plan_system, save_plan};
use tessera_engine::reconcile::read_target;
use tessera_engine::{Error, grants, soll};
use tessera_store::{BlockedStatus, NewGrant, Store};

use fakes::{FakeSource, FakeTarget, Hang, person, shift};

const MODEL: &str = r#"
[system.ad]
deviations = "report"

[system.ad.account]
create_days_before = 5
disable_after_days = 1
delete_after_days = 30
username = ["{given:1}{prefix}{family}", "{given}.{family}{n}"]
attributes = { displayName = "{given} {prefix} {family}" }

[[rule]]
name = "IC nurses"
when = { department = "IC" }
grants = [{ system = "ad", kind = "group", key = "ic" }]
"#;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .checked_add_days(Days::new(n))
        .unwrap()
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap().and_utc()
}

fn fast() -> ApplySettings {
    ApplySettings {
        concurrency: 2,
        retry: RetryPolicy {
            attempts: 3,
            base_delay: std::time::Duration::ZERO,
            max_delay: std::time::Duration::ZERO,
        },
        plugin: Some("fake-ad@1.0.0".into()),
    }
}

/// One full cycle for the target: read IST, plan, save, apply. Returns the plan id.
async fn cycle(store: &Store, model: &RoleModel, target: &FakeTarget, today: NaiveDate) -> i64 {
    let mut conn = target.clone();
    let report = read_target(store, "ad", &mut conn, noon(today))
        .await
        .unwrap();
    let mut plan = plan_system(store, model, "ad", &report.info, today).unwrap();
    let id = save_plan(store, &mut plan, noon(today)).unwrap();
    let mut pool: Vec<Box<dyn TargetConnector>> =
        vec![Box::new(target.clone()), Box::new(target.clone())];
    let applied = apply_plan(store, id, &mut pool, &fast(), noon(today))
        .await
        .unwrap();
    assert!(applied.failed.is_empty(), "{:?}", applied.failed);
    id
}

async fn import_one(store: &Store, persons: Vec<tessera_domain::Person>, today: NaiveDate) {
    let mut source = FakeSource::new(persons, 2);
    let report = import(
        store,
        &mut source,
        &SourceSettings::new("hr"),
        ImportOptions::default(),
        noon(today),
    )
    .await
    .unwrap();
    assert!(report.committed, "{:?}", report.blocked);
}

#[tokio::test]
async fn lifecycle_over_simulated_days() {
    let store = Store::open_in_memory().unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let target = FakeTarget::new(true);
    // One shift on day 10; the account must appear on day 5, enable on 10, disable on 12
    // (one grace day) and go on day 41 (thirty days without a contract).
    let nurse = person(
        "p1",
        "Ösgür",
        Some("van der"),
        "Berg-Ängström",
        vec![shift("s1", "IC", day(10), day(10))],
    );
    import_one(&store, vec![nurse], day(0)).await;
    let mut seen = Vec::new();
    for n in 0..=45 {
        cycle(&store, &model, &target, day(n)).await;
        let state = target.state();
        let account = state
            .accounts
            .values()
            .next()
            .map(|a| (a.enabled, state.memberships.len()));
        seen.push((n, account));
    }
    let at = |n: usize| seen[n].1;
    assert_eq!(at(4), None, "nothing before the create window");
    assert_eq!(at(5), Some((false, 0)), "created disabled five days early");
    assert_eq!(at(9), Some((false, 0)));
    assert_eq!(
        at(10),
        Some((true, 1)),
        "enabled and granted on the shift day"
    );
    assert_eq!(
        at(11),
        Some((true, 0)),
        "grace day: enabled, the rule's group is gone"
    );
    assert_eq!(at(12), Some((false, 0)), "disabled after the grace day");
    assert_eq!(at(40), Some((false, 0)), "kept thirty days");
    assert_eq!(at(41), None, "deleted after thirty days without a contract");
    let state = target.state();
    let name = state.log.iter().find(|l| l.starts_with("create")).unwrap();
    assert_eq!(name, "create ovanderberg-angstrom");
    assert_eq!(
        state.log.iter().filter(|l| l.starts_with("create")).count(),
        1
    );
    assert_eq!(
        store.verify_audit().unwrap(),
        Ok(store.audit_entries(None).unwrap().len())
    );
}

#[tokio::test]
async fn sources_merge_by_correlation_key_and_changes_are_recorded() {
    let store = Store::open_in_memory().unwrap();
    let mut hr_nurse = person(
        "hr-1",
        "Anna",
        None,
        "Jansen",
        vec![shift("emp-1", "IC", day(0), day(100))],
    );
    hr_nurse.attributes.push(attr("bsn", "123"));
    let mut flex_nurse = person(
        "elanza-9",
        "Anna",
        None,
        "Jansen",
        vec![shift("shift-1", "SEH", day(3), day(3))],
    );
    flex_nurse.attributes.push(attr("bsn", "123"));
    let settings = |name: &str| SourceSettings {
        correlation: Some("bsn".into()),
        ..SourceSettings::new(name)
    };
    let opts = ImportOptions::default();
    import(
        &store,
        &mut FakeSource::new(vec![hr_nurse.clone()], 5),
        &settings("hr"),
        opts,
        noon(day(0)),
    )
    .await
    .unwrap();
    let report = import(
        &store,
        &mut FakeSource::new(vec![flex_nurse], 5),
        &settings("elanza"),
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
        &settings("hr"),
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
}

#[tokio::test]
async fn source_thresholds_block_before_anything_changes() {
    let store = Store::open_in_memory().unwrap();
    let many: Vec<_> = (0..10)
        .map(|i| person(&format!("p{i}"), "A", None, "B", vec![]))
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
        ..SourceSettings::new("hr")
    };
    let fewer = many[..6].to_vec();
    let report = import(
        &store,
        &mut FakeSource::new(fewer.clone(), 3),
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
    let plain = SourceSettings::new("hr");
    let empty = import(
        &store,
        &mut FakeSource::new(vec![], 1),
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
        dry_run: false,
    };
    let report = import(
        &store,
        &mut FakeSource::new(fewer, 3),
        &settings,
        forced,
        noon(day(1)),
    )
    .await
    .unwrap();
    assert!(report.committed);
    assert_eq!(store.persons().unwrap().len(), 6);
    let actions: Vec<String> = store
        .audit_entries(None)
        .unwrap()
        .into_iter()
        .map(|e| e.record.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "import-blocked").count(), 2);
}

#[tokio::test]
async fn a_looping_cursor_is_an_error_not_a_hang() {
    let store = Store::open_in_memory().unwrap();
    let mut source = FakeSource::new(vec![person("p", "A", None, "B", vec![])], 1);
    source.loop_cursor = true;
    let err = import(
        &store,
        &mut source,
        &SourceSettings::new("hr"),
        ImportOptions::default(),
        noon(day(0)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Paging { .. }), "{err}");
}

#[tokio::test]
async fn typed_errors_decide_retry_success_or_report() {
    let store = Store::open_in_memory().unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let target = FakeTarget::new(true);
    let persons = vec![
        person(
            "p1",
            "Ann",
            None,
            "Ade",
            vec![shift("s1", "IC", day(0), day(20))],
        ),
        person(
            "p2",
            "Bob",
            None,
            "Bee",
            vec![shift("s2", "IC", day(0), day(20))],
        ),
    ];
    import_one(&store, persons, day(0)).await;
    // Create p1: two outages, then success. Create p2: denied, not retried.
    // Grant for p1: already a member, which counts as done.
    target.script(vec![
        (
            "create aade",
            ConnectorError::Unavailable {
                message: "busy".into(),
                retry_after_ms: None,
            },
        ),
        (
            "create aade",
            ConnectorError::Unavailable {
                message: "busy".into(),
                retry_after_ms: Some(0),
            },
        ),
        ("create bbee", ConnectorError::Denied("no licence".into())),
        ("grant", ConnectorError::AlreadyExists("member".into())),
    ]);
    let mut conn = target.clone();
    let info = read_target(&store, "ad", &mut conn, noon(day(0)))
        .await
        .unwrap()
        .info;
    let mut plan = plan_system(&store, &model, "ad", &info, day(0)).unwrap();
    let id = save_plan(&store, &mut plan, noon(day(0))).unwrap();
    let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(target.clone())];
    let report = apply_plan(&store, id, &mut pool, &fast(), noon(day(0)))
        .await
        .unwrap();
    let state = target.state();
    assert_eq!(
        state
            .attempts
            .iter()
            .filter(|a| *a == "create aade")
            .count(),
        3
    );
    assert_eq!(
        state
            .attempts
            .iter()
            .filter(|a| *a == "create bbee")
            .count(),
        1,
        "denied is not retried"
    );
    let failed: Vec<&str> = report.failed.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(failed, vec!["create:p2", "grant:p2:group/ic"]);
    assert!(report.failed[0].error.contains("denied"));
    assert_eq!(report.done, 2, "create and the already-held grant for p1");
    let audit = store.audit_entries(None).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.record.outcome.starts_with("failed: denied")
                && e.record.plugin.as_deref() == Some("fake-ad@1.0.0"))
    );
}

#[tokio::test]
async fn not_found_on_disable_counts_as_done_and_unknown_outcomes_are_re_read() {
    let store = Store::open_in_memory().unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let target = FakeTarget::new(true);
    import_one(
        &store,
        vec![person(
            "p1",
            "Ann",
            None,
            "Ade",
            vec![shift("s1", "IC", day(0), day(5))],
        )],
        day(0),
    )
    .await;
    cycle(&store, &model, &target, day(0)).await;
    // The grant "fails" with an unknown outcome but did land: re-reading must see it.
    // Day 7: disable answers not-found, which is fine.
    target.script(vec![("disable", ConnectorError::NotFound("gone".into()))]);
    cycle(&store, &model, &target, day(7)).await;
    assert_eq!(
        target
            .state()
            .attempts
            .iter()
            .filter(|a| a.starts_with("disable"))
            .count(),
        1
    );
    let disable = store
        .audit_entries(None)
        .unwrap()
        .into_iter()
        .find(|e| e.record.action == "disable")
        .unwrap();
    assert_eq!(
        disable.record.before.unwrap()["enabled"],
        true,
        "audit keeps the before-state"
    );
    assert_eq!(disable.record.outcome, "ok");
    let target = FakeTarget::new(true);
    let store = Store::open_in_memory().unwrap();
    import_one(
        &store,
        vec![person(
            "p1",
            "Ann",
            None,
            "Ade",
            vec![shift("s1", "IC", day(0), day(5))],
        )],
        day(0),
    )
    .await;
    target.unknown_after_effect("grant");
    cycle(&store, &model, &target, day(0)).await;
    let state = target.state();
    assert_eq!(
        state.log.iter().filter(|l| l.starts_with("grant")).count(),
        1,
        "not granted twice"
    );
    assert_eq!(state.memberships.len(), 1);
}

#[tokio::test]
async fn a_crash_at_any_step_loses_and_doubles_nothing() {
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let persons = vec![
        person(
            "p1",
            "Ann",
            None,
            "Ade",
            vec![shift("s1", "IC", day(0), day(20))],
        ),
        person(
            "p2",
            "Bob",
            None,
            "Bee",
            vec![shift("s2", "IC", day(0), day(20))],
        ),
        person(
            "p3",
            "Cem",
            None,
            "Cee",
            vec![shift("s3", "OK", day(0), day(20))],
        ),
    ];
    // Five writes: three creates, two grants. Crash before and after each one's effect.
    for at_call in 1..=5 {
        for after_effect in [false, true] {
            let store = Store::open_in_memory().unwrap();
            import_one(&store, persons.clone(), day(0)).await;
            let target = FakeTarget::new(true);
            let mut conn = target.clone();
            let info = read_target(&store, "ad", &mut conn, noon(day(0)))
                .await
                .unwrap()
                .info;
            let mut plan = plan_system(&store, &model, "ad", &info, day(0)).unwrap();
            let id = save_plan(&store, &mut plan, noon(day(0))).unwrap();
            let hanging = target.clone().hanging(Hang {
                at_call,
                after_effect,
            });
            let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(hanging)];
            let settings = ApplySettings {
                concurrency: 1,
                ..fast()
            };
            let crashed = apply_plan(&store, id, &mut pool, &settings, noon(day(0))).now_or_never();
            assert!(crashed.is_none(), "call {at_call} must hang");
            drop(pool);
            let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(target.clone())];
            let reports = resume(&store, "ad", &mut pool, &settings, noon(day(0)))
                .await
                .unwrap();
            assert_eq!(reports.len(), 1);
            let log = target.state().log.clone();
            let expect: BTreeSet<&str> = [
                "create aade",
                "create bbee",
                "create ccee",
                "grant acc-1 ic",
                "grant acc-2 ic",
            ]
            .into();
            let log: Vec<&str> = log.iter().map(String::as_str).collect();
            assert_eq!(
                log.len(),
                5,
                "call {at_call} after_effect {after_effect}: {log:?}"
            );
            assert_eq!(log.iter().copied().collect::<BTreeSet<_>>(), expect);
            assert!(
                resume(&store, "ad", &mut pool, &settings, noon(day(0)))
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert!(store.verify_audit().unwrap().is_ok());
            // And the next plan has nothing left to do.
            let again = plan_system(&store, &model, "ad", &info, day(0)).unwrap();
            assert!(again.operations.is_empty(), "{:?}", again.operations);
        }
    }
}

#[tokio::test]
async fn manual_grants_need_a_reason_and_drive_the_plan() {
    let store = Store::open_in_memory().unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let target = FakeTarget::new(true);
    import_one(
        &store,
        vec![person(
            "p1",
            "Ann",
            None,
            "Ade",
            vec![shift("s1", "OK", day(0), day(20))],
        )],
        day(0),
    )
    .await;
    cycle(&store, &model, &target, day(0)).await;
    let vpn = EntitlementRef {
        kind: "group".into(),
        key: "vpn".into(),
    };
    let mut grant = NewGrant {
        person: "p1".into(),
        system: "ad".into(),
        entitlement: vpn.clone(),
        reason: " ".into(),
        author: "ops".into(),
        until: Some(day(3)),
    };
    assert!(matches!(
        grants::add_grant(&store, &grant, noon(day(0))),
        Err(Error::MissingReason)
    ));
    assert!(store.grants(true).unwrap().is_empty());
    grant.reason = "covers ward 3 this week".into();
    let id = grants::add_grant(&store, &grant, noon(day(0))).unwrap();
    let preview = soll::person_soll(
        &model,
        &store.person("p1").unwrap().unwrap(),
        &store.grants(false).unwrap(),
        day(1),
    );
    let text = preview.to_text();
    assert!(
        text.contains("group/vpn") && text.contains("manual grant #1 by ops: covers ward 3"),
        "{text}"
    );
    cycle(&store, &model, &target, day(1)).await;
    assert!(
        target
            .state()
            .memberships
            .contains(&("acc-1".into(), vpn.clone()))
    );
    // Past its expiry the grant no longer holds and the group is revoked.
    cycle(&store, &model, &target, day(4)).await;
    assert!(target.state().memberships.is_empty());
    let revoked = grants::revoke_grant(&store, id, "ops", noon(day(4))).unwrap();
    assert_eq!(revoked.revoked_by.as_deref(), Some("ops"));
    let actions: Vec<String> = store
        .audit_entries(None)
        .unwrap()
        .into_iter()
        .map(|e| e.record.action)
        .collect();
    assert!(
        actions.contains(&"manual-grant".to_owned())
            && actions.contains(&"manual-grant-revoke".to_owned())
    );
}

#[tokio::test]
async fn blocked_actions_are_listed_and_approved_one_by_one() {
    let store = Store::open_in_memory().unwrap();
    let text = MODEL.replace(
        "[[rule]]",
        "[system.ad.thresholds]\ncreate = { count = 2 }\n\n[[rule]]",
    );
    let model = RoleModel::parse("roles.toml", &text).unwrap();
    let target = FakeTarget::new(true);
    let persons: Vec<_> = ["Ann", "Bob", "Cem"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            person(
                &format!("p{i}"),
                n,
                None,
                "Test",
                vec![shift("s", "IC", day(0), day(20))],
            )
        })
        .collect();
    import_one(&store, persons, day(0)).await;
    cycle(&store, &model, &target, day(0)).await;
    assert!(target.state().accounts.is_empty(), "every create blocked");
    let blocked = store
        .blocked_actions(Some("ad"), BlockedStatus::Blocked)
        .unwrap();
    assert_eq!(blocked.len(), 3);
    grants::approve(&store, blocked[0].id, "ops", noon(day(0))).unwrap();
    cycle(&store, &model, &target, day(0)).await;
    assert_eq!(
        target.state().accounts.len(),
        1,
        "only the approved create ran"
    );
    assert_eq!(
        store
            .blocked_actions(Some("ad"), BlockedStatus::Done)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .blocked_actions(Some("ad"), BlockedStatus::Blocked)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn tampering_with_the_audit_log_is_found() {
    let store = Store::open_in_memory().unwrap();
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
    };
    for _ in 0..3 {
        grants::add_grant(&store, &grant, noon(day(0))).unwrap();
    }
    store
        .execute_raw(
            "UPDATE audit_log SET record = replace(record, '\"a\"', '\"mallory\"') WHERE seq = 2",
        )
        .unwrap();
    let broken = store.verify_audit().unwrap().unwrap_err();
    assert_eq!(broken.seq, 2);
}

fn attr(name: &str, value: &str) -> tessera_domain::Attribute {
    tessera_domain::Attribute {
        name: name.into(),
        value: value.into(),
    }
}

#[tokio::test]
async fn the_preview_names_rules_contracts_and_dates() {
    let store = Store::open_in_memory().unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let nurse = person(
        "p1",
        "Ann",
        None,
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
