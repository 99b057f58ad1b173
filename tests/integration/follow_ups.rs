use serde_json::{Value, json};
use tessera_engine::follow_up::TicketLink;
use tessera_store::prelude::*;
use tessera_test_servers::topdesk::{Fault, TopdeskMock};
use tessera_testkit::fakes::FakeTarget;
use tessera_testkit::{Lifecycle, day, employment, person};

use super::topdesk::{MODEL, PASSWORD, config, mock};

/// TOPdesk keeps the persons (as in the topdesk tests); the HiX login group `IC` (a fake HiX
/// here) asks TOPdesk for the training first and waits until it is given.
const FOLLOW_UP: &str = r#"
[system.hix]
deviations = "report"

[system.hix.account]
create_days_before = 0
disable_after_days = 0
username = ["{given:1}{family}"]

[[rule]]
name = "IC nurses"
when = { department = "IC" }
grants = [{ system = "hix", kind = "group", key = "IC", follow_up = { system = "topdesk", template = "HiX training for {given} {family}: {entitlement}", hold_until_resolved = true } }]
"#;

fn life(mock: &TopdeskMock, hix: &FakeTarget) -> Lifecycle {
    let mut life = Lifecycle::new(
        "topdesk",
        "topdesk",
        &config(mock, ""),
        &[("topdesk-password", PASSWORD)],
    );
    life.add_fake("hix", hix.clone());
    life.model(&format!("{MODEL}{FOLLOW_UP}"));
    life
}

fn anna() -> tessera_domain::Person {
    let contract = employment("c1", ("IC", "Intensive Care"), day(0), None);
    person("1001", "Anna", "Berg", vec![contract])
}

fn granted(hix: &FakeTarget) -> bool {
    let state = hix.state();
    state.memberships.iter().any(|(_, e)| e.key == "IC")
}

/// Every note of every system in the run, one per line.
fn notes(outcome: &tessera_sync::SyncOutcome) -> String {
    let all = outcome.systems.iter().flat_map(|s| s.notes.iter());
    all.cloned().collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grant_waits_for_its_one_incident_until_topdesk_completes_it() {
    let mock = mock().await;
    let hix = FakeTarget::new(false);
    let life = life(&mock, &hix);
    life.import(vec![anna()], day(0)).await;

    // Day 0: the HiX account is made, the incident opened, the login group waits.
    let outcome = life.sync(day(0), false).await;
    let incidents = mock.incidents();
    assert_eq!(incidents.len(), 1, "{}", notes(&outcome));
    let incident = &incidents[0];
    assert_eq!(
        incident["briefDescription"],
        json!("HiX training for Anna Berg: IC")
    );
    assert!(
        incident["request"]
            .as_str()
            .unwrap()
            .contains("rule `IC nurses`")
    );
    assert_eq!(incident["status"], json!("firstLine"));
    let number = incident["number"].as_str().unwrap().to_owned();
    assert!(notes(&outcome).contains(&format!("topdesk ticket {number} (open)")));
    assert!(
        notes(&outcome).contains("1 grants wait"),
        "{}",
        notes(&outcome)
    );
    assert_eq!(hix.state().accounts.len(), 1, "the account does not wait");
    assert!(!granted(&hix));

    // Day 1: still open; nothing new is opened, and now TOPdesk knows Anna as a person.
    let outcome = life.sync(day(1), false).await;
    assert_eq!(mock.incidents().len(), 1, "{}", notes(&outcome));
    assert!(!granted(&hix));

    // The operator completes the call after the training: the grant arrives, naming it.
    assert!(mock.finish_incident(&number, false));
    let outcome = life.sync(day(2), false).await;
    assert!(granted(&hix), "{}", notes(&outcome));
    assert_eq!(mock.incidents().len(), 1, "never a second incident");
    let hix_plan = outcome.plans.iter().find(|p| p.system == "hix").unwrap();
    let grant = hix_plan
        .operations
        .iter()
        .find(|p| p.op.name() == "grant")
        .unwrap();
    let link = TicketLink {
        system: "topdesk".into(),
        number: number.clone(),
        closed: true,
    };
    assert_eq!(grant.ticket.as_ref(), Some(&link));

    // The preview names the grant's ticket too.
    let preview = tessera_engine::soll::preview(&life.store, &life.model, "1001", day(2))
        .unwrap()
        .unwrap()
        .to_text();
    let line =
        format!("follow-up in topdesk, the grant waits for it: topdesk ticket {number} (closed)");
    assert!(preview.contains(&line), "{preview}");

    // Later runs neither ask again nor open another.
    let asked = mock
        .seen()
        .iter()
        .filter(|r| r.contains("/incidents"))
        .count();
    life.sync(day(3), false).await;
    let again = mock
        .seen()
        .iter()
        .filter(|r| r.contains("/incidents"))
        .count();
    assert_eq!(asked, again, "a closed ticket is not asked after");

    // The audit trail links the grant and its ticket.
    let entries = life.store.audit_entries(None).unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.record.action.as_str()).collect();
    let opened = entries
        .iter()
        .find(|e| e.record.action == "follow-up-ticket")
        .unwrap();
    let after = opened.record.after.clone().unwrap_or(Value::Null);
    assert_eq!(after["ticket"], json!(number));
    assert_eq!(after["grant"], json!("grant:1001:group/IC"));
    assert!(actions.contains(&"follow-up-closed"), "{actions:?}");
    let grant_audit = entries
        .iter()
        .find(|e| e.record.action == "grant" && e.record.system.as_deref() == Some("hix"))
        .unwrap();
    let why = grant_audit.record.why.clone().unwrap_or_default();
    assert!(
        why.contains(&format!("topdesk ticket {number} (closed)")),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_topdesk_holds_the_grant_and_the_next_run_opens_the_incident_once() {
    let mock = mock().await;
    let hix = FakeTarget::new(false);
    let life = life(&mock, &hix);
    life.import(vec![anna()], day(0)).await;
    mock.fault("POST /tas/api/incidents", Fault::Status(503), 1);
    let outcome = life.sync(day(0), false).await;
    assert!(mock.incidents().is_empty());
    assert!(
        notes(&outcome).contains("opening a ticket failed"),
        "{}",
        notes(&outcome)
    );
    assert!(
        !granted(&hix),
        "a grant that waits does not go ahead without its ticket"
    );
    assert!(life.store.tickets(None, false).unwrap().is_empty());

    life.sync(day(1), false).await;
    assert_eq!(mock.incidents().len(), 1);
    // Anna is in TOPdesk by now: she is the caller.
    let caller = &mock.incidents()[0]["caller"];
    assert_eq!(
        caller["dynamicName"],
        json!(mock.person("employeeNumber", "1001").unwrap()["dynamicName"])
    );
    life.sync(day(2), false).await;
    assert_eq!(mock.incidents().len(), 1);
    assert!(!granted(&hix));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_run_gives_the_grant_once_its_incident_is_completed() {
    let mock = mock().await;
    let hix = FakeTarget::new(false);
    let mut life = life(&mock, &hix);
    life.import(vec![anna()], day(0)).await;
    life.sync(day(0), false).await;
    let number = mock.incidents()[0]["number"].as_str().unwrap().to_owned();

    // Nothing about Anna changes in any source; only TOPdesk's incident does.
    life.mode = tessera_sync::Mode::Incremental;
    let outcome = life.sync(day(0), false).await;
    assert!(!granted(&hix), "{}", notes(&outcome));
    assert!(mock.finish_incident(&number, true));
    let outcome = life.sync(day(0), false).await;
    assert!(granted(&hix), "{}", notes(&outcome));
    assert_eq!(mock.incidents().len(), 1);
}
