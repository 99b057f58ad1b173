//! Incremental runs against fakes with change feeds: only what changed is read and planned,
//! the shadows stand in for a listing, and the results equal those of a full run — thresholds,
//! approvals, retries, manual grants and the day's progress included.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use tessera_domain::{Account, ConnectorError, EntitlementRef};
use tessera_engine::decisions;
use tessera_store::prelude::*;
use tessera_store::{BlockedStatus, NewGrant};
use tessera_sync::{Mode, SyncOutcome, SystemSummary};
use tessera_testkit::fakes::{FakeSource, FakeTarget};
use tessera_testkit::lifecycle::ops;
use tessera_testkit::models::IC_NURSES as MODEL;
use tessera_testkit::{Lifecycle, day, noon, person, shift};
use tokio::sync::Barrier;

fn group(key: &str) -> EntitlementRef {
    EntitlementRef {
        kind: "group".into(),
        key: key.into(),
    }
}

fn ad(outcome: &SyncOutcome) -> &SystemSummary {
    outcome.systems.iter().find(|s| s.system == "ad").unwrap()
}

fn nurse(id: &str, given: &str, dept: &str) -> tessera_domain::Person {
    person(
        id,
        given,
        "Test",
        vec![shift(&format!("{id}-s"), dept, day(0), day(30))],
    )
}

/// Three nurses synced in full on day 1, then incremental runs.
async fn synced(target: &FakeTarget) -> Lifecycle {
    let mut life = Lifecycle::fake("ad", target.clone());
    life.model(MODEL);
    life.source().set(vec![
        nurse("p1", "Ann", "IC"),
        nurse("p2", "Bob", "IC"),
        nurse("p3", "Cem", "OK"),
    ]);
    let first = life.sync(day(1), false).await;
    assert_eq!(
        ad(&first).apply.as_ref().unwrap().done,
        5,
        "3 creates, 2 grants"
    );
    life.mode = Mode::Incremental;
    life
}

#[tokio::test]
async fn nothing_changed_reads_no_listing_and_plans_nobody() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    let listed_before = target.state().log.len();
    let outcome = life.sync(day(1), false).await;
    assert_eq!(outcome.mode, Mode::Incremental);
    let ad = ad(&outcome);
    assert!(ad.ist.is_none(), "no full listing");
    assert_eq!(ad.feed.as_ref().unwrap().changes, 0);
    let plan = ad.plan.as_ref().unwrap();
    assert_eq!((plan.operations, plan.scope), (0, Some(0)));
    let hr = outcome.systems.iter().find(|s| s.system == "hr").unwrap();
    assert_eq!(
        hr.feed.as_ref().unwrap().changes,
        0,
        "the source read its feed"
    );
    assert_eq!(target.state().log.len(), listed_before, "nothing written");
    // The empty plan is saved finished: there is no apply to journal.
    let id = ad.apply.as_ref().unwrap().plan_id;
    let stored = life.store.recent_plans(Some("ad"), false, 1).unwrap();
    assert_eq!((stored[0].id, stored[0].status.as_str()), (id, "finished"));
    assert!(life.store.journal_entries(id).unwrap().is_empty());
}

#[tokio::test]
async fn an_incremental_run_reads_every_source_and_target_feed_at_once() {
    let target = FakeTarget::new(true).with_feed();
    let flex = FakeSource::new(vec![nurse("f1", "Dia", "IC")], 2).with_feed();
    let mut life = Lifecycle::fake("ad", target.clone());
    life.model(MODEL);
    life.add_source("flex", flex.clone());
    life.source().set(vec![nurse("p1", "Ann", "IC")]);
    life.sync(day(1), false).await;
    life.mode = Mode::Incremental;
    life.source().set(vec![nurse("p1", "Ann", "OK")]);
    flex.set(vec![nurse("f1", "Dia", "OK")]);
    // Both sources' feeds and the target's feed must be in flight together to get past this.
    let barrier = Arc::new(Barrier::new(3));
    for meeting in [&life.source().meeting, &flex.meeting, &target.meeting] {
        meeting.arm(barrier.clone());
    }
    let outcome = tokio::time::timeout(Duration::from_secs(60), life.sync(day(1), false))
        .await
        .expect("the run read its systems one after another");
    let plan = &outcome.plans[0];
    assert_eq!(
        plan.scope.as_ref().unwrap().len(),
        2,
        "both persons planned"
    );
    assert_eq!(ops(plan), ["revoke", "revoke"], "both left the IC");
    let seconds = outcome.seconds;
    assert!(seconds.total() >= seconds.import.max(seconds.read));
}

#[tokio::test]
async fn a_source_change_plans_only_that_person() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    life.source().set(vec![
        nurse("p1", "Ann", "IC"),
        nurse("p2", "Bob", "IC"),
        nurse("p3", "Cem", "IC"),
    ]);
    let (plan, report) = life.cycle(day(1)).await;
    assert_eq!(plan.scope.as_deref(), Some(&["p3".to_owned()][..]));
    assert_eq!(ops(&plan), ["grant"]);
    assert_eq!(report.done, 1);
    assert!(
        target
            .state()
            .memberships
            .contains(&("acc-3".into(), group("ic")))
    );
    // And the next run has nothing to do.
    let (again, _) = life.cycle(day(1)).await;
    assert!(again.operations.is_empty());
}

#[tokio::test]
async fn changes_behind_tessera_s_back_come_through_the_feed() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    {
        let mut state = target.state();
        // Someone removes Ann from the IC group and adds a stray group to Cem.
        state.memberships.remove(&("acc-1".into(), group("ic")));
        state.memberships.insert(("acc-3".into(), group("stray")));
    }
    let outcome = life.sync(day(1), false).await;
    let ad = ad(&outcome);
    assert_eq!(ad.feed.as_ref().unwrap().changes, 2, "two accounts touched");
    let plan = outcome.plans.first().unwrap();
    assert_eq!(ops(plan), ["grant"], "Ann gets her group back");
    assert_eq!(plan.deviations.len(), 1, "Cem's stray group is reported");
    assert_eq!(plan.deviations[0].entitlement, group("stray"));
    assert!(
        target
            .state()
            .memberships
            .contains(&("acc-1".into(), group("ic")))
    );
}

#[tokio::test]
async fn a_target_without_a_feed_drifts_until_the_full_reconciliation_finds_it() {
    let target = FakeTarget::new(true);
    let mut life = synced(&target).await;
    target
        .state()
        .memberships
        .remove(&("acc-2".into(), group("ic")));
    let quiet = life.sync(day(1), false).await;
    assert_eq!(
        ad(&quiet).plan.as_ref().unwrap().operations,
        0,
        "the shadows do not know"
    );
    life.mode = Mode::Full;
    let full = life.sync(day(1), false).await;
    let ad = ad(&full);
    assert_eq!(ad.drift.unwrap().revoked, 1, "the drift is reported");
    assert_eq!(ad.apply.as_ref().unwrap().done, 1, "and repaired");
    assert!(
        target
            .state()
            .memberships
            .contains(&("acc-2".into(), group("ic")))
    );
}

#[tokio::test]
async fn a_dead_cursor_falls_back_to_a_full_read() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    target.expire_cursors();
    life.source().expire_cursors();
    target.state().accounts.remove("acc-3");
    let outcome = life.sync(day(1), false).await;
    let ad = ad(&outcome);
    assert!(ad.feed.as_ref().unwrap().reset.is_some());
    assert!(ad.ist.is_some(), "listed in full");
    assert_eq!(ad.drift.unwrap().gone, 1);
    let hr = outcome.systems.iter().find(|s| s.system == "hr").unwrap();
    assert!(hr.feed.as_ref().unwrap().reset.is_some());
    assert!(hr.import.as_ref().unwrap().committed);
    // Cem's account is made again, and the next incremental run reads the new feed.
    assert_eq!(outcome.plans[0].operations.len(), 1);
    let next = life.sync(day(1), false).await;
    assert!(self::ad(&next).feed.as_ref().unwrap().reset.is_none());
}

#[tokio::test]
async fn a_new_day_computes_everyone_again() {
    let target = FakeTarget::new(true).with_feed();
    let mut life = Lifecycle::fake("ad", target.clone());
    life.model(MODEL);
    life.source().set(vec![person(
        "p1",
        "Ann",
        "Ade",
        vec![shift("s", "IC", day(10), day(10))],
    )]);
    life.sync(day(1), false).await;
    life.mode = Mode::Incremental;
    // Nothing changes in the source; the days pass.
    for n in [5, 9, 10, 12] {
        life.sync(day(n), false).await;
    }
    let state = target.state();
    let account = state.accounts.values().next().unwrap();
    assert!(
        !account.enabled,
        "disabled again after the shift and its grace day"
    );
    let log: Vec<&str> = state
        .log
        .iter()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(log, ["create", "enable", "grant", "revoke", "disable"]);
}

#[tokio::test]
async fn an_incremental_plan_holds_back_what_a_full_one_would() {
    let target = FakeTarget::new(true).with_feed();
    let model = MODEL.replace(
        "[[rule]]",
        "[system.ad.thresholds]\ncreate = { count = 2 }\n\n[[rule]]",
    );
    let mut life = Lifecycle::fake("ad", target.clone());
    life.model(&model);
    life.source()
        .set(vec![nurse("p1", "Ann", "IC"), nurse("p2", "Bob", "IC")]);
    life.sync(day(1), false).await;
    let held = |life: &Lifecycle| {
        life.store
            .blocked_actions(Some("ad"), BlockedStatus::Blocked)
            .unwrap()
    };
    assert_eq!(held(&life).len(), 2, "both creates held back");
    life.mode = Mode::Incremental;
    let mut p3 = nurse("p3", "Cem", "OK");
    p3.name.family = "Other".into();
    life.source()
        .set(vec![nurse("p1", "Ann", "IC"), nurse("p2", "Bob", "IC"), p3]);
    life.sync(day(1), false).await;
    let waiting: Vec<Option<String>> = held(&life).into_iter().map(|b| b.person).collect();
    // The held-back persons are planned again beside the new one, so the run counts three
    // creates against the threshold of two, as a full run would, and holds all three back.
    assert_eq!(
        waiting,
        [Some("p1".into()), Some("p2".into()), Some("p3".into())],
        "still waiting, and the new one with them"
    );
    // Approving one lets it through on the next incremental run, though nothing else changed.
    let first = held(&life)[0].id;
    decisions::approve(&life.store, first, "ops", noon(day(1))).unwrap();
    life.sync(day(1), false).await;
    assert!(target.state().log.iter().any(|l| l == "create atest"));
}

#[tokio::test]
async fn a_failed_operation_is_retried_by_the_next_narrow_run() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    life.source().set(vec![
        nurse("p1", "Ann", "IC"),
        nurse("p2", "Bob", "IC"),
        nurse("p3", "Cem", "IC"),
    ]);
    target.script(vec![(
        "grant acc-3",
        ConnectorError::Denied("locked".into()),
    )]);
    let (_, failed) = life.cycle(day(1)).await;
    assert_eq!(failed.failed.len(), 1);
    let (retry, report) = life.cycle(day(1)).await;
    assert_eq!(ops(&retry), ["grant"], "planned again without any change");
    assert!(report.failed.is_empty());
}

#[tokio::test]
async fn a_manual_grant_reaches_an_incremental_run() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    let grant = NewGrant {
        person: "p3".into(),
        system: "ad".into(),
        entitlement: group("vpn"),
        reason: "on call".into(),
        author: "ops".into(),
        until: None,
        needs_approval: false,
    };
    decisions::add_grant(&life.store, &grant, noon(day(1))).unwrap();
    let (plan, _) = life.cycle(day(1)).await;
    assert_eq!(ops(&plan), ["grant"]);
    assert!(
        target
            .state()
            .memberships
            .contains(&("acc-3".into(), group("vpn")))
    );
}

#[tokio::test]
async fn an_account_made_behind_tessera_s_back_is_linked_or_reported() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    target.state().accounts.insert(
        "hand-1".into(),
        Account {
            key: "hand-1".into(),
            username: Some("stranger".into()),
            enabled: true,
            attributes: vec![],
        },
    );
    target
        .state()
        .memberships
        .insert(("hand-1".into(), group("ic")));
    let outcome = life.sync(day(1), false).await;
    let plan = outcome.plans.first().unwrap();
    assert!(plan.operations.is_empty(), "nobody's account: not touched");
    assert_eq!(plan.deviations.len(), 1);
    assert_eq!(plan.deviations[0].account, "hand-1");
}
