//! Runs that read only some systems, and runs cut short: a stop asked for mid-apply, or a run
//! that dies between reading a change and planning for it. Nothing read is lost, nothing
//! applied twice, and the audit trail still verifies.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeMap;

use tessera_domain::EntitlementRef;
use tessera_store::prelude::*;
use tessera_sync::{Mode, Reading, SyncOptions, SyncOutcome, SystemSummary};
use tessera_testkit::fakes::FakeTarget;
use tessera_testkit::models::IC_NURSES as MODEL;
use tessera_testkit::{Lifecycle, day, noon, person, shift};

fn ic() -> EntitlementRef {
    EntitlementRef {
        kind: "group".into(),
        key: "ic".into(),
    }
}

fn summary<'a>(outcome: &'a SyncOutcome, system: &str) -> &'a SystemSummary {
    outcome.systems.iter().find(|s| s.system == system).unwrap()
}

fn nurse(id: &str, given: &str) -> tessera_domain::Person {
    person(
        id,
        given,
        "Test",
        vec![shift(&format!("{id}-s"), "IC", day(0), day(30))],
    )
}

/// Ann and Bob synced in full; later runs incremental.
async fn synced(target: &FakeTarget) -> Lifecycle {
    let mut life = Lifecycle::fake("ad", target.clone());
    life.model(MODEL);
    life.source()
        .set(vec![nurse("p1", "Ann"), nurse("p2", "Bob")]);
    life.sync(day(1), false).await;
    life.mode = Mode::Incremental;
    life
}

fn incremental(reading: &[(&str, Reading)]) -> SyncOptions {
    SyncOptions {
        force: true,
        mode: Mode::Incremental,
        reading: reading
            .iter()
            .map(|(s, r)| ((*s).to_owned(), *r))
            .collect::<BTreeMap<_, _>>(),
        ..SyncOptions::default()
    }
}

fn creates(target: &FakeTarget) -> Vec<String> {
    let state = target.state();
    state
        .log
        .iter()
        .filter(|l| l.starts_with("create "))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_target_left_unread_is_planned_from_its_shadows_for_a_new_worker() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    // Behind Tessera's back Ann loses her group; then Cem arrives in the source.
    target.state().memberships.remove(&("acc-1".into(), ic()));
    life.source().set(vec![
        nurse("p1", "Ann"),
        nurse("p2", "Bob"),
        nurse("p3", "Cem"),
    ]);
    let poll = life
        .sync_with(day(1), incremental(&[("ad", Reading::Skip)]))
        .await;
    let ad = summary(&poll, "ad");
    assert_eq!(ad.reading, Some(Reading::Skip));
    assert!(
        ad.feed.is_none() && ad.ist.is_none(),
        "the target was not read"
    );
    assert_eq!(ad.apply.as_ref().unwrap().done, 2, "Cem's create and grant");
    assert!(target.state().memberships.contains(&("acc-3".into(), ic())));
    assert!(!target.state().memberships.contains(&("acc-1".into(), ic())));
    // The target's own turn reads its feed, which still has Ann's change.
    let turn = life.sync_with(day(1), incremental(&[])).await;
    assert_eq!(summary(&turn, "ad").reading, Some(Reading::Changes));
    assert!(target.state().memberships.contains(&("acc-1".into(), ic())));
    // A run that skips a target records nothing for it: its health is its own runs'.
    let runs = life.store.recent_runs(Some("ad"), 10).unwrap();
    assert_eq!(
        runs.len(),
        2,
        "the full run and the target's turn: {runs:?}"
    );
}

#[tokio::test]
async fn a_source_left_unread_adds_nothing_until_its_turn() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    life.source().set(vec![
        nurse("p1", "Ann"),
        nurse("p2", "Bob"),
        nurse("p3", "Cem"),
    ]);
    let other = life
        .sync_with(day(1), incremental(&[("hr", Reading::Skip)]))
        .await;
    assert_eq!(summary(&other, "hr").reading, Some(Reading::Skip));
    assert!(summary(&other, "hr").import.is_none());
    assert!(creates(&target).len() == 2, "Cem not yet");
    let poll = life.sync_with(day(1), incremental(&[])).await;
    assert_eq!(summary(&poll, "hr").feed.as_ref().unwrap().changes, 1);
    assert_eq!(creates(&target).len(), 3);
}

#[tokio::test]
async fn a_stop_after_the_import_leaves_the_changes_pending_for_the_next_run() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    life.source().set(vec![
        nurse("p1", "Ann"),
        nurse("p2", "Bob"),
        nurse("p3", "Cem"),
    ]);
    let stopped = incremental(&[]);
    stopped.stop.request();
    let outcome = life.sync_with(day(1), stopped).await;
    assert!(summary(&outcome, "hr").import.as_ref().unwrap().committed);
    assert!(summary(&outcome, "ad").plan.is_none(), "nothing planned");
    assert_eq!(
        life.store
            .pending_persons()
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["p3"]
    );
    // The feed will not report Cem again; the pending mark brings him in.
    let next = life.sync_with(day(1), incremental(&[])).await;
    assert_eq!(summary(&next, "hr").feed.as_ref().unwrap().changes, 0);
    assert_eq!(creates(&target).len(), 3, "Cem's account");
    assert!(life.store.pending_persons().unwrap().is_empty());
}

#[tokio::test]
async fn a_target_change_read_by_a_run_that_died_is_still_planned() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    target.state().memberships.remove(&("acc-2".into(), ic()));
    // A run reads the feed (the cursor moves on) and dies before planning.
    let mut reader = target.clone();
    let info = tessera_engine::ist::describe("ad", &mut reader)
        .await
        .unwrap();
    let read = tessera_engine::ist::read_target_changes(
        &life.store,
        "ad",
        &mut reader,
        &info,
        noon(day(1)),
    )
    .await
    .unwrap();
    assert!(matches!(read, tessera_engine::ist::FeedRead::Changes(_)));
    assert_eq!(life.store.pending_accounts("ad").unwrap().len(), 1);
    let next = life.sync_with(day(1), incremental(&[])).await;
    let ad = summary(&next, "ad");
    assert_eq!(
        ad.feed.as_ref().unwrap().changes,
        0,
        "the feed has moved on"
    );
    assert_eq!(ad.apply.as_ref().unwrap().done, 1, "Bob's group is back");
    assert!(target.state().memberships.contains(&("acc-2".into(), ic())));
    assert!(life.store.pending_accounts("ad").unwrap().is_empty());
}

#[tokio::test]
async fn a_stop_mid_apply_journals_the_operation_in_hand_and_the_next_run_finishes() {
    let target = FakeTarget::new(true).with_feed();
    let life = synced(&target).await;
    life.source().set(vec![
        nurse("p1", "Ann"),
        nurse("p2", "Bob"),
        nurse("p3", "Cem"),
        nurse("p4", "Dik"),
        nurse("p5", "Eva"),
    ]);
    let options = incremental(&[]);
    target.stop_after(1, options.stop.clone());
    let outcome = life.sync_with(day(1), options).await;
    let apply = summary(&outcome, "ad").apply.clone().unwrap();
    assert!(apply.stopped);
    assert_eq!(apply.done, 1, "the operation in hand finished");
    let plan = outcome.plans[0].id.unwrap();
    assert_eq!(life.store.unfinished_plans("ad").unwrap(), [plan]);
    assert_eq!(creates(&target).len(), 3);
    let next = life.sync_with(day(1), incremental(&[])).await;
    let ad = summary(&next, "ad");
    assert_eq!(ad.resumed.len(), 1, "the stopped plan is finished first");
    assert_eq!(ad.resumed[0].already_done, 1);
    assert_eq!(ad.resumed[0].done, 5, "two creates, three grants");
    assert_eq!(
        ad.plan.as_ref().unwrap().operations,
        0,
        "nothing left to plan"
    );
    let made = creates(&target);
    assert_eq!(made.len(), 5, "no create twice: {made:?}");
    assert!(life.store.unfinished_plans("ad").unwrap().is_empty());
    assert!(life.store.verify_audit().unwrap().is_ok());
}
