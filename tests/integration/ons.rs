//! The nedap-ons plugin, the engine and the mock ONS together over mutual TLS: the host's
//! `client_cert` credentials and `http_ca_files` trust, joiner, mover and leaver with duties,
//! another source's duties left alone, and the faults.

use std::time::Duration;

use serde_json::{Value, json};
use tessera_config::RetryPolicy;
use tessera_domain::{Attribute, Person};
use tessera_test_servers::certs::TestCa;
use tessera_test_servers::ons::{Fault, OnsMock, Org};
use tessera_testkit::lifecycle::ops;
use tessera_testkit::{Lifecycle, day, employment, person};

const SOURCE: &str = "tessera";

struct Ons {
    mock: OnsMock,
    ca: TestCa,
    /// Keeps the certificates' directory.
    _dir: tempfile::TempDir,
    ic_team: i64,
}

async fn ons() -> Ons {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::write(dir.path());
    let mut org = Org::default();
    org.add_employee("1001-1", "Anna", "Berg");
    org.add_role("Verpleegkundige");
    org.add_role("Planner");
    let ic_team = org.add_team("IC-01", "Intensive Care").parse().unwrap();
    org.add_team("SEH-01", "Spoedeisende hulp");
    org.add_location("L-NRD", "Locatie Noord");
    let mock = OnsMock::start(org, &ca.cert_file, &ca.key_file, &ca.ca_file).await;
    Ons {
        mock,
        ca,
        _dir: dir,
        ic_team,
    }
}

const DUTIES: &str = r#"duties = ["Wijk IC | Verpleegkundige | team:IC-01, clients-on-my-roster", "SEH | Verpleegkundige | team:SEH-01, location:L-NRD, clients-on-my-roster"]"#;

/// A system `ons` over TLS trusting the mock's CA; `client_cert` is the `http_auth` entry's
/// method, or none.
fn config(ons: &Ons, client_cert: Option<&std::path::Path>) -> String {
    let url = ons.mock.url();
    let auth = client_cert.map_or(String::new(), |cert| {
        format!(
            "[[systems.ons.http_auth]]\norigin = \"{url}\"\nclient_cert = {{ cert_file = \"{}\", key_secret = \"ons-client-key\" }}\n",
            cert.display()
        )
    });
    format!(
        "[systems.ons]\nplugin = \"nedap-ons\"\nhttp_ca_files = [\"{ca}\"]\n[systems.ons.limits]\nhttp_timeout_seconds = 2\n\
         [systems.ons.config]\nbase_url = \"{url}\"\n{DUTIES}\n\
         [systems.ons.grants]\nhttp = [\"{url}\"]\nhttp_private = [\"{url}\"]\nstate = true\n{auth}",
        ca = ons.ca.ca_file.display(),
    )
}

const MODEL: &str = r#"
[system.ons]
deviations = "revoke"
correlation = { account_attribute = "employee", person_field = "ons_id" }

[system.ons.account]
create_days_before = 0
disable_after_days = 0
delete_after_days = 3
username = ["{given:1}{family}", "{given:1}{family}{n}"]
attributes = { employee = "{attr.ons_id}" }

[[rule]]
name = "IC"
when = { department = "IC" }
grants = [{ system = "ons", kind = "duty", key = "Wijk IC" }]

[[rule]]
name = "SEH"
when = { department = "SEH" }
grants = [{ system = "ons", kind = "duty", key = "SEH" }]
"#;

fn life(ons: &Ons, client_cert: Option<&std::path::Path>, key: &std::path::Path) -> Lifecycle {
    let key = std::fs::read_to_string(key).unwrap();
    let mut life = Lifecycle::new(
        "nedap-ons",
        "ons",
        &config(ons, client_cert),
        &[("ons-client-key", &key)],
    );
    life.model(MODEL);
    life
}

fn anna(dept: &str, end: Option<u64>) -> Person {
    let mut p = person(
        "1001",
        "Anna",
        "Berg",
        vec![employment("c1", (dept, dept), day(0), end.map(day))],
    );
    p.attributes.push(Attribute {
        name: "ons_id".into(),
        value: "1001-1".into(),
    });
    p
}

fn uuid_of(ons: &Ons, name: &str) -> String {
    ons.mock
        .org(|o| o.user_named(name).map(|u| u.uuid.clone()))
        .unwrap_or_else(|| panic!("{name} exists"))
}

fn duties(ons: &Ons, uuid: &str, source: &str) -> Vec<Value> {
    ons.mock.org(|o| o.duties_of(uuid, source))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiner_mover_leaver_with_duties_over_mutual_tls() {
    let ons = ons().await;
    let life = life(
        &ons,
        Some(&ons.ca.client_cert_file),
        &ons.ca.client_key_file,
    );
    life.import(vec![anna("IC", None)], day(0)).await;
    let (plan, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["create", "grant"]);
    let uuid = uuid_of(&ons, "aberg");
    let employee = ons.mock.org(|o| {
        (
            o.user_named("aberg").unwrap().employee_object_id,
            o.employees[0].id,
        )
    });
    assert_eq!(
        employee.0, employee.1,
        "the user belongs to employee 1001-1"
    );
    let given = duties(&ons, &uuid, SOURCE);
    assert_eq!(
        (
            given.len(),
            given[0]["teamIds"].clone(),
            given[0]["myRoster"].clone()
        ),
        (1, json!([ons.ic_team]), json!(true))
    );

    // Another integration's duties on the same user stay when Tessera changes its own.
    ons.mock.org(|o| {
        o.set_duties(
            &uuid,
            "roster-tool",
            vec![json!({ "roleUuid": o.roles[1].id })],
        )
        .unwrap()
    });
    life.import(vec![anna("SEH", None)], day(1)).await;
    let (plan, report) = life.cycle(day(1)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mut done = ops(&plan);
    done.sort();
    assert_eq!(done, ["grant", "revoke"]);
    let given = duties(&ons, &uuid, SOURCE);
    assert_eq!(
        (
            given.len(),
            given[0]["locationIds"].as_array().map(Vec::len)
        ),
        (1, Some(1)),
        "{given:?}"
    );
    assert_eq!(duties(&ons, &uuid, "roster-tool").len(), 1);

    // Leaver: ONS has no disabled user; the duties are withdrawn, then the user deleted.
    life.import(vec![anna("SEH", Some(2))], day(2)).await;
    let (plan, _) = life.cycle(day(3)).await;
    assert!(
        ops(&plan).contains(&"disable".to_owned()),
        "{:?}",
        ops(&plan)
    );
    assert!(duties(&ons, &uuid, SOURCE).is_empty());
    let (plan, report) = life.cycle(day(6)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        ops(&plan).contains(&"delete".to_owned()),
        "{:?}",
        ops(&plan)
    );
    assert!(ons.mock.org(|o| o.user_named("aberg").is_none()));
    assert_eq!(ons.mock.refused_handshakes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_right_client_certificate_the_handshake_fails_and_says_so() {
    let ons = ons().await;
    let stranger_dir = tempfile::tempdir().unwrap();
    let stranger = TestCa::write(stranger_dir.path());
    let key_text = std::fs::read_to_string(&stranger.client_key_file).unwrap();
    for (cert, key) in [
        (None, &ons.ca.client_key_file),
        (Some(&stranger.client_cert_file), &stranger.client_key_file),
    ] {
        let before = ons.mock.refused_handshakes();
        let life = life(&ons, cert.map(|c| c.as_path()), key);
        life.import(vec![anna("IC", None)], day(0)).await;
        let outcome = life.sync(day(0), false).await;
        let system = outcome.systems.iter().find(|s| s.system == "ons").unwrap();
        assert!(system.apply.is_none(), "{cert:?}: {system:?}");
        let notes = system.notes.join("\n");
        assert!(notes.contains(&ons.mock.url()), "{notes}");
        // Where the client heard the server's alert, the note says what to check.
        assert!(
            notes.contains("client_cert") || !notes.contains("fatal alert"),
            "{notes}"
        );
        assert!(
            ons.mock.refuses_more_than(before).await,
            "{cert:?}: refused in the handshake"
        );
        assert!(
            !format!("{outcome:?}").contains(key_text.trim()),
            "the key never shows"
        );
    }
    assert_eq!(ons.mock.stats().requests, 0, "nothing got past TLS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_employee_or_an_unknown_role_is_refused_by_name() {
    let ons = ons().await;
    let life = life(
        &ons,
        Some(&ons.ca.client_cert_file),
        &ons.ca.client_key_file,
    );
    let mut stranger = anna("IC", None);
    stranger.attributes[0].value = "2002-1".into();
    life.import(vec![stranger], day(0)).await;
    let (_, report) = life.cycle(day(0)).await;
    let create = report
        .failed
        .iter()
        .find(|f| f.kind == "create")
        .expect("the create failed");
    assert!(
        create.error.contains("employee") && create.error.contains("2002-1"),
        "{}",
        create.error
    );
    assert_eq!(ons.mock.stats().writes, 0);

    // A duty whose role ONS does not offer to integrations.
    ons.mock
        .org(|o| o.roles.retain(|r| r.name != "Verpleegkundige"));
    life.import(vec![anna("IC", None)], day(0)).await;
    let (_, report) = life.cycle(day(0)).await;
    let grant = report
        .failed
        .iter()
        .find(|f| f.kind == "grant")
        .expect("the grant failed");
    assert!(
        grant.error.contains("Wijk IC") && grant.error.contains("Verpleegkundige"),
        "{}",
        grant.error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_reported_and_never_doubled() {
    let ons = ons().await;
    let mut life = life(
        &ons,
        Some(&ons.ca.client_cert_file),
        &ons.ca.client_key_file,
    );
    life.apply().retry = RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(1),
    };
    life.import(vec![anna("IC", None)], day(0)).await;

    for (fault, says) in [
        (Fault::Hang, "no answer in time"),
        (Fault::Truncate, "ended early"),
    ] {
        ons.mock
            .fault("GET /v0/xstream/responsibilities/data", fault.clone(), 1);
        let outcome = life.sync(day(0), false).await;
        let system = outcome.systems.iter().find(|s| s.system == "ons").unwrap();
        assert!(system.apply.is_none(), "{fault:?}");
        assert!(
            system
                .notes
                .iter()
                .any(|n| n.contains("responsibilities") && n.contains(says)),
            "{fault:?}: {:?}",
            system.notes
        );
        assert_eq!(ons.mock.stats().writes, 0);
    }

    // A create whose answer is lost is found by the re-read; a 503 and a 429 (which ONS sends
    // without Retry-After) on the duties are retried with backoff.
    ons.mock
        .fault("POST /v0/administration/users", Fault::HangAfter, 1);
    ons.mock.fault(
        "PUT /v0/authorization/provisioning/users/",
        Fault::Status(503),
        1,
    );
    ons.mock.fault(
        "PUT /v0/authorization/provisioning/users/",
        Fault::Throttle(0),
        1,
    );
    let (_, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ons.mock.org(|o| o.users.len()), 1);
    let uuid = uuid_of(&ons, "aberg");
    assert_eq!(duties(&ons, &uuid, SOURCE).len(), 1);
    let puts = ons
        .mock
        .seen()
        .iter()
        .filter(|s| s.starts_with("PUT /v0/authorization"))
        .count();
    assert_eq!(puts, 3, "the 503, the 429, then the duty");
}

/// The target contract every plugin keeps, against the mock ONS over mutual TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_target_contract() {
    use tessera_testkit::contract::{self, TargetCase};
    let ons = ons().await;
    let life = life(
        &ons,
        Some(&ons.ca.client_cert_file),
        &ons.ca.client_key_file,
    );
    let mut t = life.target().await;
    let case = TargetCase::new(
        "aberg",
        &[("employee", "1001-1")],
        ("ssoId", "a.berg@zkh.nl"),
    )
    .entitlement("duty", "Wijk IC");
    assert_eq!(
        contract::target(t.as_mut(), &case).await,
        contract::EVERY_STEP
    );
}
