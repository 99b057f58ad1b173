//! The stages of the sync library end to end against fake connectors: the account lifecycle
//! over simulated days, typed errors in apply, recovery after a run that died mid-apply,
//! manual grants and approvals.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeSet;

use futures_util::FutureExt;
use tessera_domain::{ConnectorError, EntitlementRef};
use tessera_engine::{Error, decisions, soll};
use tessera_store::prelude::*;
use tessera_store::{BlockedStatus, NewGrant};
use tessera_testkit::fakes::{FakeTarget, Hang};
use tessera_testkit::lifecycle::ops;
use tessera_testkit::{Lifecycle, PersonExt, day, noon, person, shift};

use tessera_testkit::models::IC_NURSES as MODEL;

/// A fake AD as system `ad`, with the model above.
fn life(target: &FakeTarget, model: &str) -> Lifecycle {
    let mut life = Lifecycle::fake("ad", target.clone());
    life.model(model);
    life
}

/// One sync that must apply without failed operations.
async fn cycle(life: &Lifecycle, today: chrono::NaiveDate) {
    let (_, report) = life.cycle(today).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
}

#[tokio::test]
async fn lifecycle_over_simulated_days() {
    let target = FakeTarget::new(true);
    let life = life(&target, MODEL);
    // One shift on day 10; the account must appear on day 5, enable on 10, disable on 12
    // (one grace day) and go on day 41 (thirty days without a contract).
    let nurse = person(
        "p1",
        "Ösgür",
        "Berg-Ängström",
        vec![shift("s1", "IC", day(10), day(10))],
    )
    .prefixed("van der");
    life.import(vec![nurse], day(0)).await;
    let mut seen = Vec::new();
    for n in 0..=45 {
        cycle(&life, day(n)).await;
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
    let store = &life.store;
    assert_eq!(
        store.verify_audit().unwrap(),
        Ok(store.audit_entries(None).unwrap().len())
    );
}

#[tokio::test]
async fn typed_errors_decide_retry_success_or_report() {
    let target = FakeTarget::new(true);
    let mut life = life(&target, MODEL);
    life.apply().retry.attempts = 3;
    let persons = vec![
        person("p1", "Ann", "Ade", vec![shift("s1", "IC", day(0), day(20))]),
        person("p2", "Bob", "Bee", vec![shift("s2", "IC", day(0), day(20))]),
    ];
    life.import(persons, day(0)).await;
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
    let (_, report) = life.cycle(day(0)).await;
    let state = target.state();
    let attempts = |label: &str| state.attempts.iter().filter(|a| *a == label).count();
    assert_eq!(attempts("create aade"), 3, "retried after each outage");
    assert_eq!(attempts("create bbee"), 1, "denied is not retried");
    let failed: Vec<&str> = report.failed.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(failed, vec!["create:p2", "grant:p2:group/ic"]);
    assert!(report.failed[0].error.contains("denied"));
    assert_eq!(report.done, 2, "create and the already-held grant for p1");
    let audit = life.store.audit_entries(None).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.record.outcome.starts_with("failed: denied")
                && e.record.plugin.as_deref() == Some("fake-target@1.0.0"))
    );
}

#[tokio::test]
async fn not_found_on_disable_counts_as_done_and_unknown_outcomes_are_re_read() {
    let target = FakeTarget::new(true);
    let life = life(&target, MODEL);
    let ann = || person("p1", "Ann", "Ade", vec![shift("s1", "IC", day(0), day(5))]);
    life.import(vec![ann()], day(0)).await;
    cycle(&life, day(0)).await;
    // Day 7: disable answers not-found, which is fine.
    target.script(vec![("disable", ConnectorError::NotFound("gone".into()))]);
    cycle(&life, day(7)).await;
    let disables = target
        .state()
        .attempts
        .iter()
        .filter(|a| a.starts_with("disable"))
        .count();
    assert_eq!(disables, 1);
    let disable = life
        .store
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
    // The grant "fails" with an unknown outcome but did land: re-reading must see it.
    let target = FakeTarget::new(true);
    let life = self::life(&target, MODEL);
    life.import(vec![ann()], day(0)).await;
    target.unknown_after_effect("grant");
    cycle(&life, day(0)).await;
    let state = target.state();
    assert_eq!(
        state.log.iter().filter(|l| l.starts_with("grant")).count(),
        1,
        "not granted twice"
    );
    assert_eq!(state.memberships.len(), 1);
}

#[tokio::test]
async fn a_run_that_dies_at_any_step_of_apply_is_finished_by_the_next_loses_and_doubles_nothing() {
    let persons = vec![
        person("p1", "Ann", "Ade", vec![shift("s1", "IC", day(0), day(20))]),
        person("p2", "Bob", "Bee", vec![shift("s2", "IC", day(0), day(20))]),
        person("p3", "Cem", "Cee", vec![shift("s3", "OK", day(0), day(20))]),
    ];
    let expect: BTreeSet<&str> = [
        "create aade",
        "create bbee",
        "create ccee",
        "grant acc-1 ic",
        "grant acc-2 ic",
    ]
    .into();
    // Five writes: three creates, two grants. Stop before and after each one's effect.
    for at_call in 1..=5 {
        for after_effect in [false, true] {
            let target = FakeTarget::new(true);
            let mut life = life(&target, MODEL);
            // One writer: the writes, and so the keys the target hands out, come in order.
            life.apply().concurrency = 1;
            life.import(persons.clone(), day(0)).await;
            target.hang(Some(Hang {
                at_call,
                after_effect,
            }));
            let died = life.sync(day(0), false).now_or_never();
            assert!(died.is_none(), "call {at_call} must hang");
            target.hang(None);
            // The next run finishes the journal first, then has nothing left to plan.
            let outcome = life.sync(day(0), false).await;
            let ad = outcome.systems.iter().find(|s| s.system == "ad").unwrap();
            assert_eq!(ad.resumed.len(), 1, "the dead run's plan is finished");
            assert_eq!(ad.plan.as_ref().unwrap().operations, 0, "{:?}", ad.notes);
            let log = target.state().log.clone();
            let log: Vec<&str> = log.iter().map(String::as_str).collect();
            let context = format!("call {at_call} after_effect {after_effect}: {log:?}");
            assert_eq!(log.len(), 5, "{context}");
            assert_eq!(log.iter().copied().collect::<BTreeSet<_>>(), expect);
            assert!(life.store.verify_audit().unwrap().is_ok());
            assert!(life.plan(day(0)).await.operations.is_empty());
        }
    }
}

#[tokio::test]
async fn manual_grants_need_a_reason_and_drive_the_plan() {
    let target = FakeTarget::new(true);
    let life = life(&target, MODEL);
    let store = &life.store;
    let ann = person("p1", "Ann", "Ade", vec![shift("s1", "OK", day(0), day(20))]);
    life.import(vec![ann], day(0)).await;
    cycle(&life, day(0)).await;
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
        needs_approval: false,
    };
    assert!(matches!(
        decisions::add_grant(store, &grant, noon(day(0))),
        Err(Error::MissingReason)
    ));
    assert!(store.grants(true).unwrap().is_empty());
    grant.reason = "covers ward 3 this week".into();
    let id = decisions::add_grant(store, &grant, noon(day(0))).unwrap();
    let preview = soll::preview(store, &life.model, "p1", day(1))
        .unwrap()
        .unwrap();
    let text = preview.to_text();
    assert!(
        text.contains("group/vpn") && text.contains("manual grant #1 by ops: covers ward 3"),
        "{text}"
    );
    cycle(&life, day(1)).await;
    assert!(
        target
            .state()
            .memberships
            .contains(&("acc-1".into(), vpn.clone()))
    );
    // Past its expiry the grant no longer holds and the group is revoked.
    let (plan, _) = life.cycle(day(4)).await;
    assert_eq!(ops(&plan), ["revoke"]);
    assert!(target.state().memberships.is_empty());
    let revoked = decisions::revoke_grant(store, id, "ops", noon(day(4))).unwrap();
    assert_eq!(revoked.revoked_by.as_deref(), Some("ops"));
    let actions = tessera_testkit::audit_actions(store);
    assert!(
        actions.contains(&"manual-grant".to_owned())
            && actions.contains(&"manual-grant-revoke".to_owned())
    );
}

#[tokio::test]
async fn blocked_actions_are_listed_and_approved_one_by_one() {
    let target = FakeTarget::new(true);
    let model = MODEL.replace(
        "[[rule]]",
        "[system.ad.thresholds]\ncreate = { count = 2 }\n\n[[rule]]",
    );
    let life = life(&target, &model);
    let store = &life.store;
    let persons: Vec<_> = ["Ann", "Bob", "Cem"]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let shifts = vec![shift("s", "IC", day(0), day(20))];
            person(&format!("p{i}"), n, "Test", shifts)
        })
        .collect();
    life.import(persons, day(0)).await;
    cycle(&life, day(0)).await;
    assert!(target.state().accounts.is_empty(), "every create blocked");
    let blocked = store
        .blocked_actions(Some("ad"), BlockedStatus::Blocked)
        .unwrap();
    assert_eq!(blocked.len(), 3);
    decisions::approve(store, blocked[0].id, "ops", noon(day(0))).unwrap();
    cycle(&life, day(0)).await;
    assert_eq!(
        target.state().accounts.len(),
        1,
        "only the approved create ran"
    );
    let count = |status| store.blocked_actions(Some("ad"), status).unwrap().len();
    assert_eq!(count(BlockedStatus::Done), 1);
    assert_eq!(count(BlockedStatus::Blocked), 2);
}
