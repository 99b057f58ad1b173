//! The AFAS Profit plugin in the runtime against the mock Profit, and through the engine's
//! import: joiner, mover and leaver ("in dienst, doorstroom, uit dienst") as Profit's
//! GetConnectors show them, the token the host adds, paging, and Profit's error answers.

use std::sync::Arc;

use chrono::NaiveDate;
use tessera_domain::{ConnectorError, Person, Timestamp};
use tessera_engine::import::ImportReport;
use tessera_runtime::{CallError, MemoryServices, WasmSource};
use tessera_store::SqliteStore;
use tessera_store::prelude::*;
use tessera_test_servers::afas::{AfasData, AfasMock, AfasOptions, Employee, Employment, Faults};
use tessera_testkit::{TestInstall, forced_import, plugin, runtime};

const TOKEN: &str = "<token><version>1</version><data>8C2E41D0A7F3B9E6</data></token>";

fn day(text: &str) -> NaiveDate {
    text.parse().expect("test day")
}

/// Three employees: Anne on the IC, Bram on the emergency department, Carla in the
/// operating theatre.
fn hospital() -> AfasData {
    let staff = [
        ("1001", "Anne", "Berg", ("IC", "Intensive Care")),
        ("1002", "Bram", "Smit", ("SEH", "Spoedeisende hulp")),
        ("1003", "Carla", "Jong", ("OK", "Operatiekamers")),
    ];
    let mut data = AfasData::default();
    for (number, given, family, unit) in staff {
        data.employees.push(Employee::new(number, given, family));
        data.employments.push(Employment::new(
            &format!("5D1E0000-0000-4000-8000-00000000{number}"),
            number,
            unit,
            ("VPK", "Verpleegkundige"),
            day("2024-02-01"),
        ));
    }
    let mut anne = data.employees[0].clone();
    anne.prefix = Some("van den".into());
    data.employees[0] = anne;
    data
}

async fn mock(today: NaiveDate) -> AfasMock {
    AfasMock::start(AfasOptions {
        token: TOKEN.into(),
        data: hospital(),
        today,
    })
    .await
}

fn config(m: &AfasMock) -> String {
    let origin = m.origin();
    format!(
        "[systems.afas]\nplugin = \"afas-profit\"\n[systems.afas.config]\nbase_url = \"{}\"\n\
         page_size = 2\nintegration_id = \"77777_12345\"\n\
         [systems.afas.grants]\nstate = true\nhttp = [\"{origin}\"]\nhttp_insecure = [\"{origin}\"]\nhttp_private = [\"{origin}\"]\n\
         [[systems.afas.http_auth]]\norigin = \"{origin}\"\n\
         header = {{ name = \"Authorization\", scheme = \"AfasToken\", base64 = true, secret = \"afas-token\" }}\n",
        m.base_url()
    )
}

struct Run {
    _install: TestInstall,
    source: WasmSource,
}

/// A fresh instance of the plugin against `m`, with `token` in the vault.
async fn start(m: &AfasMock, token: &str) -> Run {
    let services = MemoryServices::with_secrets([("afas-token", token)]);
    start_with(m, Arc::new(services)).await
}

/// A fresh instance whose secrets and plugin state are `services`, which may outlive it.
async fn start_with(m: &AfasMock, services: Arc<MemoryServices>) -> Run {
    let install = TestInstall::new(&config(m));
    let mut inst = install.open();
    inst.store
        .install(&plugin("afas-profit"), None)
        .expect("afas-profit installs");
    inst.set_services(services);
    let (system, _) = inst.prepare(&runtime(), "afas").expect("prepares");
    let source = system.source().await.expect("instance");
    Run {
        _install: install,
        source,
    }
}

async fn imported(m: &AfasMock, store: &SqliteStore, today: NaiveDate) -> ImportReport {
    let mut run = start(m, TOKEN).await;
    forced_import(store, &mut run.source, "afas", today).await
}

fn person(store: &SqliteStore, id: &str) -> Person {
    store
        .person(id)
        .unwrap()
        .unwrap_or_else(|| panic!("no {id}"))
}

fn date(t: Option<Timestamp>) -> Option<NaiveDate> {
    t.map(|t| t.day(tessera_domain::Zone::UTC))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiner_mover_and_leaver_reach_the_store_through_the_engine() {
    let today = day("2026-03-10");
    let m = mock(today).await;
    let store = SqliteStore::open_in_memory().unwrap();
    let first = imported(&m, &store, today).await;
    assert_eq!((first.counts.added, first.counts.total), (3, 3));
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    let anne = person(&store, "1001");
    assert_eq!(
        (
            anne.name.given.as_str(),
            anne.name.prefix.as_deref(),
            anne.name.family.as_str()
        ),
        ("Anne", Some("van den"), "Berg")
    );
    let c = &anne.contracts[0];
    assert_eq!(c.department.as_ref().map(|d| d.code.as_str()), Some("IC"));
    assert_eq!((date(c.start), c.end), (Some(day("2024-02-01")), None));
    // Two rows a page, sorted, with the partner's IntegrationId on every call.
    let seen = m.seen();
    assert!(
        seen.iter()
            .all(|(_, id)| id.as_deref() == Some("77777_12345"))
    );
    let users: Vec<&str> = seen
        .iter()
        .map(|(q, _)| q.as_str())
        .filter(|q| q.contains("orderbyfieldids=Medewerker"))
        .collect();
    assert_eq!(users.len(), 2, "3 users in pages of 2: {seen:?}");
    assert!(users[1].starts_with("skip=2&take=2"), "{users:?}");

    // In dienst: Daan starts on 1 April, within Profit's three months ahead.
    m.update(|d| {
        d.employees.push(Employee::new("1004", "Daan", "Visser"));
        d.employments.push(Employment::new(
            "5D1E0000-0000-4000-8000-000000001004",
            "1004",
            ("IC", "Intensive Care"),
            ("ARTS", "Arts"),
            day("2026-04-01"),
        ));
    });
    // Doorstroom: Anne leaves the IC at the end of March for the emergency department.
    m.update(|d| {
        d.employments[0].end = Some(day("2026-03-31"));
        let mut next = d.employments[0].clone();
        next.id = "5D1E0000-0000-4000-8000-000000011001".into();
        next.unit = ("SEH".into(), "Spoedeisende hulp".into());
        next.start = day("2026-04-01");
        next.end = None;
        next.sequence = 2;
        d.employments.push(next);
    });
    // Uit dienst: Bram's last day is 15 March.
    m.update(|d| d.employments[1].end = Some(day("2026-03-15")));
    let second = imported(&m, &store, today).await;
    assert_eq!(
        (
            second.counts.added,
            second.counts.changed,
            second.counts.removed
        ),
        (1, 2, 0)
    );
    let daan = person(&store, "1004");
    assert_eq!(date(daan.contracts[0].start), Some(day("2026-04-01")));
    let anne = person(&store, "1001");
    let mut units: Vec<(&str, Option<NaiveDate>)> = anne
        .contracts
        .iter()
        .map(|c| (c.department.as_ref().unwrap().code.as_str(), date(c.end)))
        .collect();
    units.sort();
    assert_eq!(units, [("IC", Some(day("2026-03-31"))), ("SEH", None)]);
    assert_eq!(
        date(person(&store, "1002").contracts[0].end),
        Some(day("2026-03-15"))
    );

    // Four months on, Bram's row is past Profit's three months back: he is gone from both
    // GetConnectors, and the engine keeps him as a leaver whose contracts have ended.
    let later = day("2026-07-01");
    m.set_today(later);
    let third = imported(&m, &store, later).await;
    assert_eq!((third.counts.removed, third.counts.total), (1, 3));
    let bram = person(&store, "1002");
    assert!(
        bram.attributes.iter().any(|a| a.name == "left_sources_on"),
        "{bram:?}"
    );
    assert_eq!(date(bram.contracts[0].end), Some(day("2026-03-15")));
}

async fn read_error(m: &AfasMock, token: &str) -> ConnectorError {
    let mut run = start(m, token).await;
    match run.source.call_read(None).await {
        Err(CallError::Connector(e)) => e,
        other => panic!("expected a connector error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profits_refusals_become_typed_errors_that_say_what_to_check() {
    let m = mock(day("2026-03-10")).await;
    match read_error(&m, "<token><version>1</version><data>WRONG</data></token>").await {
        ConnectorError::Denied(message) => {
            assert!(
                message.contains("401") && message.contains("AfasToken secret"),
                "{message}"
            );
            assert!(
                !message.contains("WRONG"),
                "the token never shows: {message}"
            );
        }
        other => panic!("expected denied, got {other:?}"),
    }
    m.set_faults(Faults {
        maintenance: Some(7200),
        ..Faults::default()
    });
    match read_error(&m, TOKEN).await {
        ConnectorError::Unavailable { retry_after_ms, .. } => {
            assert_eq!(retry_after_ms, Some(7_200_000))
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
    m.set_faults(Faults {
        status_500: Some("T4E_HelloID_Employments_v2".into()),
        ..Faults::default()
    });
    match read_error(&m, TOKEN).await {
        ConnectorError::Unavailable { message, .. } => {
            assert!(
                message.contains("An unexpected error has occurred."),
                "{message}"
            )
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

/// The source contract every plugin keeps, against the mock Profit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_source_contract() {
    let m = mock(day("2026-03-10")).await;
    let mut run = start(&m, TOKEN).await;
    let persons = tessera_testkit::contract::source(&mut run.source).await;
    assert_eq!(persons.len(), 3);
}

/// Profit has no change query; the digest feed sends only the employees whose record
/// changed and those gone, nothing when nothing changed, and refuses a stale cursor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_feed_sends_only_changed_and_gone_employees() {
    let m = mock(day("2026-03-10")).await;
    let services = Arc::new(MemoryServices::with_secrets([("afas-token", TOKEN)]));
    let mut first = start_with(&m, services.clone()).await;
    let read = first.source.call_read(None).await.expect("full read");
    assert_eq!(read.persons.len(), 3);
    let start = first.source.call_read_changes(None).await.expect("start");
    assert!(start.persons.is_empty() && start.removed.is_empty());
    let mut quiet = start_with(&m, services.clone()).await;
    let quiet = quiet.source.call_read_changes(Some(&start.cursor)).await;
    let quiet = quiet.expect("nothing changed");
    assert!(
        quiet.persons.is_empty() && quiet.removed.is_empty(),
        "{quiet:?}"
    );

    // Carla's name changes; four months on Bram's ended row is past Profit's window.
    m.update(|d| d.employees[2].family = "Jong-Smit".into());
    m.update(|d| d.employments[1].end = Some(day("2026-03-15")));
    m.set_today(day("2026-07-01"));
    let mut next = start_with(&m, services.clone()).await;
    let changes = next.source.call_read_changes(Some(&quiet.cursor)).await;
    let changes = changes.expect("changes");
    let ids: Vec<&str> = changes.persons.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["1003"], "{changes:?}");
    assert_eq!(changes.persons[0].name.family, "Jong-Smit");
    assert_eq!(changes.removed, ["1002"]);
    // The cursor before: the state has moved on, so the engine must read in full.
    let stale = next.source.call_read_changes(Some(&quiet.cursor)).await;
    assert!(
        matches!(
            stale,
            Err(CallError::Connector(ConnectorError::CursorInvalid(_)))
        ),
        "{stale:?}"
    );
}
