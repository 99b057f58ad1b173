use chrono::{Duration, NaiveDate, TimeZone};
use tessera_domain::EntitlementRef;
use tessera_store::{SqliteStore, Tickets};
use tessera_testkit::fakes::FakeTarget;

use super::*;
use crate::plan::AccountRef;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

fn grant(key: &str, hold: bool) -> PlannedOp {
    let op = Operation::Grant {
        account: AccountRef::Key("u-1".into()),
        entitlement: EntitlementRef {
            kind: "login-group".into(),
            key: key.into(),
        },
    };
    let mut planned = PlannedOp::new(op, Some("P1"), "rule `IC nurses`".into());
    planned.name = Some(format!("{key} nurses"));
    planned.follow_up = Some(FollowUpSoll {
        system: "topdesk".into(),
        text: vec!["HiX training for Anna Vries: ".into(), String::new()],
        hold,
    });
    planned
}

fn plan(ops: Vec<PlannedOp>) -> Plan {
    Plan::of("hix", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), ops)
}

fn desks(desk: &FakeTarget) -> Desks {
    let mut desks = Desks::new();
    desks.insert("topdesk".into(), Box::new(desk.clone()));
    desks
}

#[tokio::test]
async fn a_held_grant_waits_for_its_one_ticket_until_it_is_closed() {
    let store = SqliteStore::open_in_memory().unwrap();
    let desk = FakeTarget::new(false);
    let (mut first, mut all) = (plan(vec![grant("IC", true)]), desks(&desk));

    let settled = settle(&store, &mut first, &mut all, now(), false)
        .await
        .unwrap();
    assert_eq!(settled.opened.len(), 1);
    assert!(first.operations.is_empty(), "the grant waits");
    assert_eq!(first.waiting.len(), 1);
    let link = first.waiting[0].ticket.clone().unwrap();
    assert_eq!((link.number.as_str(), link.closed), ("I 2612 001", false));
    assert_eq!(
        desk.state().tickets[0].0.subject,
        "HiX training for Anna Vries: IC nurses"
    );

    // The next run: the ticket is still open; nothing new is opened.
    let mut second = plan(vec![grant("IC", true)]);
    let later = now() + Duration::hours(1);
    let settled = settle(&store, &mut second, &mut all, later, false)
        .await
        .unwrap();
    assert!(settled.opened.is_empty() && second.operations.is_empty());
    assert_eq!(desk.state().tickets.len(), 1, "one ticket across runs");

    // The desk closes it: the grant goes ahead, naming its ticket.
    desk.state().tickets[0].1.closed = true;
    let mut third = plan(vec![grant("IC", true)]);
    let settled = settle(&store, &mut third, &mut all, later, false)
        .await
        .unwrap();
    assert_eq!(settled.closed, 1);
    assert_eq!(third.operations.len(), 1);
    assert!(third.waiting.is_empty());
    assert!(
        third.operations[0]
            .why
            .contains("topdesk ticket I 2612 001 (closed)")
    );
    let stored = store
        .ticket_for("hix", &third.operations[0].key)
        .unwrap()
        .unwrap();
    assert_eq!(stored.closed_at, Some(later));

    let actions = tessera_testkit::audit_actions(&store);
    assert_eq!(actions, ["follow-up-ticket", "follow-up-closed"]);
    assert_eq!(desk.state().tickets.len(), 1);
}

#[tokio::test]
async fn a_grant_without_hold_goes_ahead_and_an_unreachable_desk_holds_only_the_waiting() {
    let store = SqliteStore::open_in_memory().unwrap();
    let desk = FakeTarget::new(false);
    desk.down(true);
    let mut all = desks(&desk);
    let mut first = plan(vec![grant("IC", false), grant("OK", true)]);
    let settled = settle(&store, &mut first, &mut all, now(), false)
        .await
        .unwrap();
    assert_eq!(settled.problems.len(), 2, "{:?}", settled.problems);
    assert!(
        settled.problems[0].contains("topdesk"),
        "{:?}",
        settled.problems
    );
    let going: Vec<&str> = first.operations.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(going, ["grant:P1:login-group/IC"]);
    assert_eq!(first.waiting.len(), 1);
    assert!(store.tickets(None, false).unwrap().is_empty());

    // Back up: the tickets the failed run could not open are opened now, once each.
    desk.down(false);
    let mut second = plan(vec![grant("IC", false), grant("OK", true)]);
    let settled = settle(&store, &mut second, &mut all, now(), false)
        .await
        .unwrap();
    assert_eq!(settled.opened.len(), 2);
    assert_eq!(second.operations.len(), 1);
    assert!(second.operations[0].ticket.is_some());
}

#[tokio::test]
async fn a_dry_run_opens_nothing_and_a_missing_desk_is_a_problem_not_a_failure() {
    let store = SqliteStore::open_in_memory().unwrap();
    let desk = FakeTarget::new(false);
    let mut dry = plan(vec![grant("IC", true), grant("OK", false)]);
    settle(&store, &mut dry, &mut desks(&desk), now(), true)
        .await
        .unwrap();
    assert!(desk.state().tickets.is_empty());
    assert_eq!((dry.operations.len(), dry.waiting.len()), (1, 1));

    let mut none = plan(vec![grant("IC", true)]);
    let settled = settle(&store, &mut none, &mut Desks::new(), now(), false)
        .await
        .unwrap();
    assert!(settled.problems[0].contains("not connected"));
    assert_eq!(none.waiting.len(), 1);
}
