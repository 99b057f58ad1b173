//! The youforce plugin against the mock Youforce, read by the engine: joiner, mover and leaver
//! ("in dienst, doorstroom, uit dienst"), paging, the spike arrest, deleted records, one token
//! across runs, and the faults.

use std::time::Duration;

use chrono::NaiveDate;
use serde_json::json;
use tessera_domain::{ConnectorError, Person, SourceConnector, Timestamp};
use tessera_engine::import::ImportReport;
use tessera_runtime::{MemoryServices, WasmSource};
use tessera_store::SqliteStore;
use tessera_store::prelude::*;
use tessera_test_servers::youforce::{Fault, Hr, YouforceMock, YouforceOptions};
use tessera_testkit::{TestInstall, forced_import, plugin, runtime};

const SECRET: &str = "youforce-Client-Secret-99";

fn hired() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()
}

/// Anna (IC nurse) and Bram (SEH), and `extra` more persons with an employment each.
fn hr(extra: usize) -> Hr {
    let mut hr = Hr::default();
    let ic = hr.unit("IC", "Intensive Care");
    let seh = hr.unit("SEH", "Spoedeisende hulp");
    let vpk = hr.job("VPK", "Verpleegkundige");
    hr.person("1001", "Anna", (None, "Berg"), Some("E"));
    hr.employment("1001", 1, (&ic, &vpk), hired(), None);
    hr.person("1002", "Bram", (Some("van"), "Dijk"), Some("B"));
    hr.partner("1002", (Some("de"), "Wit"));
    hr.employment("1002", 1, (&seh, &vpk), hired(), None);
    for n in 0..extra {
        let code = format!("2{n:03}");
        hr.person(&code, "Extra", (None, &format!("Medewerker{n}")), None);
        hr.employment(&code, 1, (&ic, &vpk), hired(), None);
    }
    hr
}

fn options(rate: Option<(usize, Duration)>) -> YouforceOptions {
    YouforceOptions {
        client_id: "tessera".into(),
        client_secret: SECRET.into(),
        tenant_id: "zkh-tenant".into(),
        rate,
    }
}

/// An installation with system `youforce` on the mock; `extra` goes in its configuration.
struct Setup {
    install: TestInstall,
    services: std::sync::Arc<MemoryServices>,
}

fn setup(mock: &YouforceMock, extra: &str) -> Setup {
    let url = mock.url();
    let config = format!(
        "[systems.youforce]\nplugin = \"youforce\"\n[systems.youforce.config]\nbase_url = \"{url}\"\n{extra}\n\
         [systems.youforce.grants]\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.youforce.http_auth]]\norigin = \"{url}\"\n\
         oauth2 = {{ token_url = \"{}\", client_id = \"tessera\", secret = \"youforce-secret\", params = {{ tenant_id = \"zkh-tenant\" }} }}\n",
        mock.token_url()
    );
    let install = TestInstall::new(&config);
    let services = std::sync::Arc::new(MemoryServices::with_secrets([("youforce-secret", SECRET)]));
    Setup { install, services }
}

impl Setup {
    /// A fresh plugin instance, as one run gets; every run shares the vault and its kept token.
    async fn source(&self) -> WasmSource {
        let mut plugins = self.install.open();
        plugins
            .store
            .install(&plugin("youforce"), None)
            .expect("install");
        plugins.set_services(self.services.clone());
        let (system, _) = plugins.prepare(&runtime(), "youforce").expect("prepare");
        system.source().await.expect("instance")
    }

    /// One run's import into `store`, thresholds forced.
    async fn import(&self, store: &SqliteStore, today: NaiveDate) -> ImportReport {
        forced_import(store, &mut self.source().await, "youforce", today).await
    }

    /// One run's read, page by page, or the first failure.
    async fn read(&self) -> Result<Vec<Person>, ConnectorError> {
        let mut source = self.source().await;
        let (mut persons, mut cursor) = (Vec::new(), None);
        for _ in 0..100 {
            let page = source.read(cursor).await?;
            persons.extend(page.persons);
            cursor = page.next_cursor;
            if cursor.is_none() {
                return Ok(persons);
            }
        }
        panic!("more than 100 pages");
    }
}

fn date(t: Option<Timestamp>) -> Option<NaiveDate> {
    t.map(|t| t.day(tessera_domain::Zone::UTC))
}

fn stored(store: &SqliteStore, id: &str) -> Person {
    store
        .person(id)
        .unwrap()
        .unwrap_or_else(|| panic!("no {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiner_mover_leaver_through_the_engine_on_one_token() {
    let mock = YouforceMock::start(options(None), hr(0)).await;
    let setup = setup(&mock, "min_interval_ms = 0");
    let store = SqliteStore::open_in_memory().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let first = setup.import(&store, today).await;
    assert_eq!(
        (first.counts.added, first.counts.total),
        (2, 2),
        "{:?}",
        first.warnings
    );
    let anna = stored(&store, "1001");
    let c = &anna.contracts[0];
    assert_eq!(
        c.department.as_ref().map(|d| d.name.as_str()),
        Some("Intensive Care")
    );
    assert_eq!(
        (date(c.start), c.end, c.fte, c.hours_per_week),
        (Some(hired()), None, Some(0.8), Some(32.0)),
        "9999-12-31 is open"
    );
    let bram = stored(&store, "1002");
    assert_eq!(
        (
            bram.name.family.as_str(),
            bram.name.prefix.as_deref(),
            bram.name.convention.as_deref()
        ),
        ("Wit", Some("de"), Some("PB"))
    );

    // In dienst, doorstroom, uit dienst.
    let leaves = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    mock.hr(|h| {
        h.person("1003", "Cas", (None, "Bakker"), None);
        h.employment(
            "1003",
            1,
            ("ou-IC", "jp-VPK"),
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            None,
        );
        h.set(
            "employments",
            "e-1001-1",
            "organizationUnit",
            json!("ou-SEH"),
        );
        h.set(
            "employments",
            "e-1002-1",
            "dischargeDate",
            json!(leaves.to_string()),
        );
    });
    let second = setup.import(&store, today).await;
    assert_eq!(
        (
            second.counts.added,
            second.counts.changed,
            second.counts.removed
        ),
        (1, 2, 0)
    );
    assert_eq!(
        stored(&store, "1001").contracts[0]
            .department
            .as_ref()
            .map(|d| d.code.as_str()),
        Some("SEH")
    );
    assert_eq!(date(stored(&store, "1002").contracts[0].end), Some(leaves));

    // Youforce shows a deleted person as a tombstone: gone from the source.
    mock.hr(|h| h.delete("persons", "p-1003"));
    let third = setup.import(&store, today).await;
    assert_eq!(third.counts.removed, 1);
    assert!(
        third
            .warnings
            .iter()
            .any(|w| w.message.contains("did not list")),
        "its employment is odd now: {:?}",
        third.warnings
    );

    // Three runs, each a fresh instance, on one token: Visma allows 400 token calls a month.
    assert_eq!(mock.stats().tokens_issued, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_paged_by_next_link_and_paced_under_the_spike_arrest() {
    // 1,202 persons in pages of 500; three calls a second allowed.
    let mock = YouforceMock::start(options(Some((3, Duration::from_secs(1)))), hr(1_200)).await;
    let paced = setup(&mock, "min_interval_ms = 500");
    let persons = paced.read().await.expect("read");
    assert_eq!(persons.len(), 1_202);
    let pages: Vec<String> = mock
        .seen()
        .into_iter()
        .filter(|s| s.starts_with("GET /iam/v1.0/persons"))
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(
        pages[1].contains("nextToken=") && pages[1].contains("take=500"),
        "{pages:?}"
    );
    assert_eq!(
        mock.stats().throttled,
        0,
        "spaced 0.5 s apart, never throttled"
    );

    // Without spacing the spike arrest answers 429; the plugin waits and tries again.
    let hasty = setup(&mock, "min_interval_ms = 0");
    let persons = hasty.read().await.expect("read despite 429s");
    assert_eq!(persons.len(), 1_202);
    assert!(mock.stats().throttled >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_fail_the_read_and_the_import_changes_nothing() {
    let mock = YouforceMock::start(options(None), hr(0)).await;
    let setup = setup(&mock, "min_interval_ms = 0");
    let store = SqliteStore::open_in_memory().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    setup.import(&store, today).await;
    for (fault, says) in [
        (Fault::Status(503), "503"),
        (Fault::Truncate, "ended early"),
        (Fault::Status(500), "500"),
    ] {
        mock.fault("GET /iam/v1.0/employments", fault.clone(), 1);
        let err = setup
            .read()
            .await
            .expect_err("a failed list fails the read");
        assert!(
            matches!(&err, ConnectorError::Unavailable { .. }) && format!("{err:?}").contains(says),
            "{fault:?}: {err:?}"
        );
    }
    assert_eq!(store.persons().unwrap().len(), 2, "nothing lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_client_secret_is_denied_and_never_shown() {
    let mock = YouforceMock::start(options(None), hr(0)).await;
    let mut setup = setup(&mock, "min_interval_ms = 0");
    let wrong = "not-the-Youforce-Secret-7";
    setup.services =
        std::sync::Arc::new(MemoryServices::with_secrets([("youforce-secret", wrong)]));
    let err = setup.read().await.expect_err("refused");
    let text = format!("{err:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains(wrong) && !text.contains(SECRET), "{text}");
    assert_eq!(mock.stats().tokens_issued, 0);
}

/// The source contract every plugin keeps, against the mock Youforce.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_source_contract() {
    let mock = YouforceMock::start(options(None), hr(3)).await;
    let setup = setup(&mock, "min_interval_ms = 0");
    let mut source = setup.source().await;
    let persons = tessera_testkit::contract::source(&mut source).await;
    assert_eq!(persons.len(), 5);
}
