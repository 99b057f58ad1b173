//! The Elanza plugin in the runtime against the mock Elanza: the window it asks for, the
//! worked example, caching, the API key, and (in the submodules) faults and changes.

mod changes;
mod faults;
mod feed;
mod history;
mod mapping;
mod quirks;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use tessera_domain::{ConnectorError, Contract, Person, Timestamp, Warning};
use tessera_runtime::{CallError, MemoryServices, WasmSource};
use tessera_test_servers::elanza::{
    API_KEY_HEADER, Dataset, ElanzaMock, ElanzaOptions, Faults, Generate, PlannedWorker, Worker, at,
};
use tessera_testkit::{TestInstall, plugin, runtime};

const KEY: &str = "elanza-Key-Value-3141";
/// The run's `now` in most tests: a Tuesday, mid-morning UTC.
const NOW: &str = "2026-03-10T10:00:00Z";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

async fn mock(data: Dataset) -> ElanzaMock {
    ElanzaMock::start(ElanzaOptions {
        api_key: KEY.into(),
        data,
        faults: Faults::default(),
    })
    .await
}

fn generated(workers: usize) -> Dataset {
    Dataset::generate(&Generate {
        seed: 42,
        workers,
        shifts_per_worker: 20,
        anchor: today(),
        days_before: 60,
        days_after: 14,
    })
}

/// H, F, D and `now` (None: the plugin's clock).
struct Params {
    historical: u32,
    future: u32,
    details: u32,
    now: Option<&'static str>,
}

const WORKED: Params = Params {
    historical: 60,
    future: 14,
    details: 7,
    now: Some(NOW),
};

/// A system `elanza` on the mock, the API key injected from the vault secret `elanza-api-key`.
fn config(url: &str, p: &Params) -> String {
    let now = p
        .now
        .map(|n| format!("now = \"{n}\"\n"))
        .unwrap_or_default();
    format!(
        "[systems.elanza]\nplugin = \"elanza\"\n[systems.elanza.config]\nbase_url = \"{url}\"\n\
         historical_days = {}\nfuture_days = {}\nshift_details_start = {}\n{now}\
         [systems.elanza.grants]\nstate = true\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.elanza.http_auth]]\norigin = \"{url}\"\n\
         header = {{ name = \"{API_KEY_HEADER}\", secret = \"elanza-api-key\" }}\n\
         [systems.elanza.limits]\nhttp_timeout_seconds = 0.5\n",
        p.historical, p.future, p.details
    )
}

/// A fresh run of the plugin against `mock`, with `key` in the vault.
struct Run {
    _install: TestInstall,
    source: WasmSource,
}

async fn start(mock: &ElanzaMock, p: &Params, key: &str) -> Run {
    start_with(&config(&mock.url(), p), key).await
}

async fn start_with(config_text: &str, key: &str) -> Run {
    let install = TestInstall::new(config_text);
    let mut inst = install.open();
    inst.store
        .install(&plugin("elanza"), None)
        .expect("elanza installs");
    inst.set_services(Arc::new(MemoryServices::with_secrets([(
        "elanza-api-key",
        key,
    )])));
    let (system, _) = inst.prepare(&runtime(), "elanza").expect("prepares");
    let source = system.source().await.expect("instance");
    Run {
        _install: install,
        source,
    }
}

/// Every page of one run.
async fn read(mock: &ElanzaMock, p: &Params) -> Result<(Vec<Person>, Vec<Warning>), CallError> {
    let mut run = start(mock, p, KEY).await;
    let (mut persons, mut warnings, mut cursor) = (Vec::new(), Vec::new(), None);
    loop {
        let page = run.source.call_read(cursor).await?;
        persons.extend(page.persons);
        warnings.extend(page.warnings);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok((persons, warnings)),
        }
    }
}

async fn read_ok(mock: &ElanzaMock, p: &Params) -> (Vec<Person>, Vec<Warning>) {
    read(mock, p).await.expect("read succeeds")
}

async fn read_err(mock: &ElanzaMock, p: &Params) -> ConnectorError {
    match read(mock, p).await {
        Err(CallError::Connector(e)) => e,
        other => panic!("expected a connector error, got {other:?}"),
    }
}

fn person<'a>(persons: &'a [Person], id: &str) -> &'a Person {
    persons.iter().find(|p| p.id == id).unwrap()
}

fn contract<'a>(p: &'a Person, id: &str) -> &'a Contract {
    p.contracts.iter().find(|c| c.id == id).unwrap()
}

fn attr<'a>(c: &'a Contract, name: &str) -> Option<&'a str> {
    c.attributes
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.value.as_str())
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_follows_the_clock_or_the_configured_now() {
    let m = mock(generated(5)).await;
    let params = Params {
        now: None,
        ..WORKED
    };
    let before = Utc::now();
    read_ok(&m, &params).await;
    let after = Utc::now();
    read_ok(&m, &WORKED).await;
    let windows = m.windows();
    // Each read: eight weekly slices before the detail window, then the detail window's three.
    assert_eq!(windows.len(), 22, "{windows:?}");
    let (first, second) = windows.split_at(11);
    let (from, to) = (instant(&first[0].0), instant(&first[10].1));
    let slack = TimeDelta::seconds(1);
    assert!(from >= before - TimeDelta::days(60) - slack && from <= after - TimeDelta::days(60));
    assert!(to >= before + TimeDelta::days(14) - slack && to <= after + TimeDelta::days(14));
    assert!(
        first[0].0.len() == 20 && first[0].0.ends_with('Z'),
        "{windows:?}"
    );
    // The configured now: from now − 60 days to midnight 7 days ago in 7-day steps counted
    // back from that midnight (so all but the oldest ask the same all day), then in 7-day
    // steps on to now + 14 days (the last step takes the hours left), each slice starting
    // where the last ended.
    let expected: Vec<(String, String)> = [
        "2026-01-09T10:00:00Z",
        "2026-01-13T00:00:00Z",
        "2026-01-20T00:00:00Z",
        "2026-01-27T00:00:00Z",
        "2026-02-03T00:00:00Z",
        "2026-02-10T00:00:00Z",
        "2026-02-17T00:00:00Z",
        "2026-02-24T00:00:00Z",
        "2026-03-03T00:00:00Z",
        "2026-03-10T00:00:00Z",
        "2026-03-17T00:00:00Z",
        "2026-03-24T10:00:00Z",
    ]
    .windows(2)
    .map(|w| (w[0].to_owned(), w[1].to_owned()))
    .collect();
    assert_eq!(second, expected.as_slice());
}

/// One worker with a shift every day from 11:00 to 19:00 UTC, 60 days back to 14 ahead.
fn daily() -> (Dataset, Vec<String>) {
    daily_in(-60..=14)
}

/// Worker 4711 with a shift from 11:00 to 19:00 UTC on each of `days` (relative to today).
fn daily_in(days: std::ops::RangeInclusive<i64>) -> (Dataset, Vec<String>) {
    let mut d = Dataset::catalogue(3);
    let mut uuids = Vec::new();
    let mut shifts = Vec::new();
    for k in days {
        let day = today() + TimeDelta::days(k);
        let mut s = d.shift(at(day, 11, 0), 480, Some(1), 0);
        s.skill_uuids = vec![d.skills[0].uuid.clone(), d.skills[1].uuid.clone()];
        uuids.push(s.uuid.clone());
        shifts.push(s);
    }
    d.workers.push(PlannedWorker {
        worker: Worker {
            worker_number: Some(4711),
            first_name: "Anne".into(),
            last_name: "van der Berg".into(),
            email: "anne.vanderberg@flex.example.nl".into(),
            phone_number: "06-12345678".into(),
        },
        shifts,
    });
    (d, uuids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worked_example_gives_twenty_two_contracts() {
    let (data, uuids) = daily();
    let m = mock(data).await;
    let (persons, warnings) = read_ok(&m, &WORKED).await;
    assert!(warnings.is_empty(), "{warnings:?}");
    let anne = person(&persons, "4711");
    // The shift 60 days back at 11:00 is inside now−60d (10:00); the one 14 days ahead is not.
    // Days −7 … +13 each become a contract (21), days −60 … −8 fold into one.
    assert_eq!(anne.contracts.len(), 22);
    let own: BTreeSet<&str> = uuids[53..74].iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = anne.contracts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        got,
        own.iter().copied().chain(["4711-historical"]).collect()
    );
    let old = contract(anne, "4711-historical");
    let date = |s: &str| Some(Timestamp::Date(s.parse().unwrap()));
    assert_eq!(
        (old.start, old.end),
        (date("2026-01-09"), date("2026-03-02"))
    );
    assert_eq!(attr(old, "shifts"), Some("53"));
    assert_eq!(attr(old, "type"), Some("HistoricalShift"));
    let first = contract(anne, &uuids[53]);
    assert_eq!(
        first.start,
        Some(Timestamp::Instant(instant("2026-03-03T11:00:00Z")))
    );
    assert_eq!(
        first.end,
        Some(Timestamp::Instant(instant("2026-03-03T19:00:00Z")))
    );
    let dept = first.department.as_ref().unwrap();
    assert_eq!(
        (dept.code.as_str(), dept.name.as_str()),
        ("IC", "Intensive Care")
    );
    let title = first.title.as_ref().unwrap();
    assert_eq!(
        (title.code.as_str(), title.name.as_str()),
        ("ICVPK", "IC-verpleegkundige")
    );
    assert_eq!(attr(first, "skills"), Some("BIG-registratie;Reanimatie"));
    assert_eq!(attr(first, "type"), Some("ActiveShift"));
    let name = &anne.name;
    assert_eq!(
        (
            name.given.as_str(),
            name.prefix.as_deref(),
            name.family.as_str()
        ),
        ("Anne", Some("van der"), "Berg")
    );
    assert_eq!(anne.phone.as_deref(), Some("+31612345678"));
    assert_eq!(
        anne.email.as_deref(),
        Some("anne.vanderberg@flex.example.nl")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_come_once_and_each_product_once_per_run() {
    let m = mock(generated(40)).await;
    let (persons, _) = read_ok(&m, &WORKED).await;
    assert_eq!(persons.len(), 40);
    let titled: BTreeSet<String> = persons
        .iter()
        .flat_map(|p| &p.contracts)
        .filter_map(|c| c.title.as_ref().map(|t| t.code.clone()))
        .collect();
    let product_hits = m.hits_under("/rest-api/v1/product/");
    assert!(titled.len() > 1, "{titled:?}");
    assert_eq!(
        product_hits,
        titled.len(),
        "one request per distinct product"
    );
    assert!(
        m.all_hits()
            .iter()
            .filter(|(p, _)| p.starts_with("/rest-api/v1/product/"))
            .all(|(_, n)| *n == 1)
    );
    for list in ["departments", "skills"] {
        assert_eq!(m.hits(&format!("/rest-api/v1/{list}")), 1, "{list}");
    }
    assert_eq!(
        m.hits("/rest-api/v1/plannedWorkers"),
        11,
        "eight weekly slices before the detail window and its three"
    );
    read_ok(&m, &WORKED).await;
    assert_eq!(
        m.hits_under("/rest-api/v1/product/"),
        2 * product_hits,
        "a new run asks again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_api_key_is_denied() {
    let m = mock(generated(3)).await;
    let mut run = start(&m, &WORKED, "not-the-key").await;
    let err = match run.source.call_read(None).await {
        Err(CallError::Connector(e)) => e,
        other => panic!("expected denied, got {other:?}"),
    };
    let ConnectorError::Denied(message) = &err else {
        panic!("expected denied, got {err:?}");
    };
    assert!(
        message.contains("401") && message.contains("Unauthorized"),
        "{message}"
    );
    assert!(
        !message.contains("not-the-key"),
        "the key never reaches the plugin"
    );
    assert_eq!(m.hits("/rest-api/v1/departments"), 1);
    assert_eq!(
        m.hits("/rest-api/v1/plannedWorkers"),
        0,
        "nothing after the refusal"
    );
}

/// The source contract every plugin keeps, against the mock Elanza.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_source_contract() {
    let mock = mock(generated(40)).await;
    let mut run = start(&mock, &WORKED, KEY).await;
    let persons = tessera_testkit::contract::source(&mut run.source).await;
    assert!(!persons.is_empty());
}
