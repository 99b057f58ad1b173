//! The topdesk plugin, the engine and the mock TOPdesk together: joiner, mover and leaver,
//! an archived person changed, lookups by name, paging by status code, take-over of persons
//! made by hand, and every fault the mock can throw.

use std::time::Duration;

use serde_json::{Value, json};
use tessera_config::RetryPolicy;
use tessera_test_servers::topdesk::{Data, Fault, TopdeskMock, TopdeskOptions};
use tessera_testkit::lifecycle::ops;
use tessera_testkit::{ContractExt, Lifecycle, day, employment, person};

pub(crate) const PASSWORD: &str = "topdesk-App-Password-5521";
const REASON: &str = "Persoon uit organisatie";

pub(crate) async fn mock() -> TopdeskMock {
    let mut data = Data::default();
    data.add_branch("Hoofdlocatie");
    data.add_branch("Locatie Noord");
    data.add_department("Intensive Care");
    data.add_department("Spoedeisende hulp");
    data.add_reason(REASON);
    data.add_reason("Overleden");
    let options = TopdeskOptions {
        login: "tessera-api".into(),
        password: PASSWORD.into(),
    };
    TopdeskMock::start(options, data).await
}

/// A system `topdesk` on the mock with the host's Basic credentials; `extra` goes in its
/// configuration table.
pub(crate) fn config(mock: &TopdeskMock, extra: &str) -> String {
    let url = mock.url();
    format!(
        "[systems.topdesk]\nplugin = \"topdesk\"\n[systems.topdesk.limits]\nhttp_timeout_seconds = 1\n\
         [systems.topdesk.config]\nbase_url = \"{url}\"\n{extra}\n\
         [systems.topdesk.grants]\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.topdesk.http_auth]]\norigin = \"{url}\"\nbasic = {{ username = \"tessera-api\", secret = \"topdesk-password\" }}\n"
    )
}

pub(crate) const MODEL: &str = r#"
[system.topdesk]
deviations = "report"
correlation = { account_attribute = "employeeNumber", person_field = "id" }

[system.topdesk.account]
create_days_before = 0
disable_after_days = 0
username = ["{given:1}{family}", "{given:1}{family}{n}"]
attributes = { firstName = "{given}", surName = "{family}", employeeNumber = "{id}", branch = "Hoofdlocatie", department = "{primary.department.name}", jobTitle = "{primary.title.name}" }
"#;

fn life(mock: &TopdeskMock, extra: &str, password: &str) -> Lifecycle {
    let mut life = Lifecycle::new(
        "topdesk",
        "topdesk",
        &config(mock, extra),
        &[("topdesk-password", password)],
    );
    life.model(MODEL);
    life
}

fn anna(family: &str, dept: (&str, &str), end: Option<u64>) -> tessera_domain::Person {
    let contract = employment("c1", dept, day(0), end.map(day)).titled(("VPK", "Verpleegkundige"));
    person("1001", "Anna", family, vec![contract])
}

fn field(person: &serde_json::Map<String, Value>, name: &str) -> Value {
    person.get(name).cloned().unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiner_mover_leaver_and_an_archived_person_changed() {
    let mock = mock().await;
    let life = life(&mock, "", PASSWORD);
    life.import(vec![anna("Berg", ("IC", "Intensive Care"), None)], day(0))
        .await;
    let (plan, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["create"]);
    let p = mock.person("employeeNumber", "1001").expect("created");
    assert_eq!(field(&p, "networkLoginName"), json!("aberg"));
    assert_eq!(field(&p, "branch")["name"], json!("Hoofdlocatie"));
    assert_eq!(field(&p, "department")["name"], json!("Intensive Care"));
    assert_eq!(field(&p, "jobTitle"), json!("Verpleegkundige"));
    assert_eq!(field(&p, "status"), json!("person"));

    // Mover: the department is looked up by its new name.
    life.import(
        vec![anna("Berg", ("SEH", "Spoedeisende hulp"), None)],
        day(1),
    )
    .await;
    let (plan, report) = life.cycle(day(1)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["update"]);
    let p = mock.person("employeeNumber", "1001").unwrap();
    assert_eq!(field(&p, "department")["name"], json!("Spoedeisende hulp"));

    // Leaver: archived with the configured reason.
    life.import(
        vec![anna("Berg", ("SEH", "Spoedeisende hulp"), Some(2))],
        day(2),
    )
    .await;
    let (plan, _) = life.cycle(day(3)).await;
    assert_eq!(ops(&plan), ["disable"]);
    assert_eq!(
        field(&mock.person("employeeNumber", "1001").unwrap(), "status"),
        json!("personArchived")
    );

    // A name change after leaving: TOPdesk refuses to change an archived person, so the
    // plugin unarchives, patches and archives again.
    life.import(
        vec![anna("de Vries", ("SEH", "Spoedeisende hulp"), Some(2))],
        day(4),
    )
    .await;
    let before = mock.seen().len();
    let (plan, report) = life.cycle(day(4)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["update"]);
    let p = mock.person("employeeNumber", "1001").unwrap();
    assert_eq!(
        (field(&p, "surName"), field(&p, "status")),
        (json!("de Vries"), json!("personArchived"))
    );
    let writes: Vec<String> = mock.seen()[before..]
        .iter()
        .filter(|s| s.starts_with("PATCH"))
        .map(|s| {
            s.rsplit('/')
                .next()
                .unwrap_or_default()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(writes.len(), 3, "{writes:?}");
    assert_eq!(
        (writes[0].as_str(), writes[2].as_str()),
        ("unarchive", "archive")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persons_come_in_pages_that_the_status_code_ends() {
    let mock = mock().await;
    mock.data(|d| {
        let branch = d.branches[0].id.clone();
        let reason = d.reasons[0].id.clone();
        for n in 0..27 {
            let body = json!({ "surName": format!("Hand{n}"), "employeeNumber": format!("9{n:03}"), "branch": { "id": branch } });
            let id = d.create(body.as_object().unwrap()).unwrap();
            if n >= 23 {
                d.archive(&id, Some(&reason)).unwrap();
            }
        }
        // Anonymised by TOPdesk: not a person of anyone's.
        let body = json!({ "surName": "*****", "employeeNumber": "*****", "branch": { "id": branch } });
        let id = d.create(body.as_object().unwrap()).unwrap();
        d.archive(&id, Some(&reason)).unwrap();
    });
    let life = life(&mock, "page_size = 10", PASSWORD);
    let outcome = life.sync(day(0), true).await;
    let topdesk = outcome
        .systems
        .iter()
        .find(|s| s.system == "topdesk")
        .unwrap();
    assert_eq!(
        topdesk.ist.as_ref().map(|i| i.accounts),
        Some(27),
        "{:?}",
        topdesk.notes
    );
    let pages: Vec<String> = mock
        .seen()
        .iter()
        .filter(|s| s.starts_with("GET /tas/api/persons?"))
        .map(|s| s.split('&').take(2).collect::<Vec<_>>().join("&"))
        .collect();
    assert_eq!(
        pages,
        [
            "start=0&page_size=10",
            "start=10&page_size=10",
            "start=20&page_size=10",
            "start=0&page_size=10"
        ]
        .map(|p| format!("GET /tas/api/persons?{p}")),
        "three pages of active persons (206, 206, 200), one of archived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_made_by_hand_is_linked_and_unarchived_not_duplicated() {
    let mock = mock().await;
    mock.data(|d| {
        let body = json!({ "surName": "Berg", "firstName": "Anna", "employeeNumber": "1001", "networkLoginName": "anna.b",
            "branch": { "id": d.branches[0].id }, "department": { "id": d.departments[0].id }, "jobTitle": "Verpleegkundige" });
        let id = d.create(body.as_object().unwrap()).unwrap();
        let reason = d.reasons[1].id.clone();
        d.archive(&id, Some(&reason)).unwrap();
    });
    let life = life(&mock, "", PASSWORD);
    life.import(vec![anna("Berg", ("IC", "Intensive Care"), None)], day(0))
        .await;
    let (plan, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mut done = ops(&plan);
    done.sort();
    assert!(!done.contains(&"create".to_owned()), "{done:?}");
    assert!(done.contains(&"enable".to_owned()), "{done:?}");
    assert_eq!(mock.data(|d| d.persons.len()), 1);
    assert_eq!(
        field(&mock.person("employeeNumber", "1001").unwrap(), "status"),
        json!("person")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_are_read_once_a_run_and_unknown_names_refused_or_created() {
    let mock = mock().await;
    let staff = |dept: (&str, &str)| {
        (0..3)
            .map(|n| {
                let contract =
                    employment("c1", dept, day(0), None).titled(("VPK", "Verpleegkundige"));
                person(
                    &format!("20{n}"),
                    "Piet",
                    &format!("Jansen{n}"),
                    vec![contract],
                )
            })
            .collect::<Vec<_>>()
    };
    let refusing = life(&mock, "", PASSWORD);
    refusing
        .import(staff(("LAB", "Laboratorium")), day(0))
        .await;
    let (_, report) = refusing.cycle(day(0)).await;
    assert_eq!(report.failed.len(), 3);
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.error.contains("department") && f.error.contains("Laboratorium")),
        "{:?}",
        report.failed
    );
    assert_eq!(mock.data(|d| d.persons.len()), 0, "nothing half-made");

    // One writer: each list read once a run, the missing department read again just before
    // it is added (another writer may have added it), and added once.
    let mut creating = life(&mock, "create_lookups = true", PASSWORD);
    creating.apply().concurrency = 1;
    creating
        .import(staff(("LAB", "Laboratorium")), day(0))
        .await;
    let before = mock.seen().len();
    let (_, report) = creating.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        mock.data(|d| d
            .departments
            .iter()
            .filter(|x| x.name == "Laboratorium")
            .count()),
        1
    );
    let calls = &mock.seen()[before..];
    let count = |prefix: &str| calls.iter().filter(|s| s.starts_with(prefix)).count();
    assert_eq!(count("GET /tas/api/departments"), 2, "{calls:?}");
    assert_eq!(count("POST /tas/api/departments"), 1, "{calls:?}");
    assert_eq!(count("GET /tas/api/branches"), 1, "{calls:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_reported_and_never_doubled() {
    let mock = mock().await;
    let mut life = life(&mock, "", PASSWORD);
    life.apply().retry = RetryPolicy {
        attempts: 3,
        base_delay: Duration::ZERO,
        max_delay: Duration::from_secs(2),
    };
    life.import(vec![anna("Berg", ("IC", "Intensive Care"), None)], day(0))
        .await;

    // Someone else, so that listings have a body to break off.
    mock.data(|d| {
        let body = json!({ "surName": "Receptie", "branch": { "id": d.branches[0].id } });
        d.create(body.as_object().unwrap()).unwrap();
    });
    // A listing that hangs or breaks off: the run fails naming it, and writes nothing.
    for (fault, says) in [
        (Fault::Hang, "no answer in time"),
        (Fault::Truncate, "ended early"),
    ] {
        mock.fault("GET /tas/api/persons?", fault.clone(), 1);
        let outcome = life.sync(day(0), false).await;
        let topdesk = outcome
            .systems
            .iter()
            .find(|s| s.system == "topdesk")
            .unwrap();
        assert!(topdesk.apply.is_none(), "{fault:?}");
        assert!(
            topdesk
                .notes
                .iter()
                .any(|n| n.contains("/tas/api/persons") && n.contains(says)),
            "{fault:?}: {:?}",
            topdesk.notes
        );
        assert_eq!(mock.stats().writes, 0);
    }

    // A 503 is retried; a create whose answer is lost is found by the re-read, not repeated.
    mock.fault("POST /tas/api/persons", Fault::Status(503), 1);
    mock.fault("POST /tas/api/persons", Fault::HangAfter, 1);
    let (_, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(
        mock.data(|d| d.persons.len()),
        2,
        "Anna once, beside the reception"
    );
    let posts = mock
        .seen()
        .iter()
        .filter(|s| s.starts_with("POST /tas/api/persons"))
        .count();
    assert_eq!(posts, 2, "the 503, then the one whose answer was lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_application_password_is_denied_and_never_shown() {
    let mock = mock().await;
    let wrong = "not-the-Password-0042";
    let life = life(&mock, "", wrong);
    life.import(vec![anna("Berg", ("IC", "Intensive Care"), None)], day(0))
        .await;
    let outcome = life.sync(day(0), false).await;
    let topdesk = outcome
        .systems
        .iter()
        .find(|s| s.system == "topdesk")
        .unwrap();
    let notes = topdesk.notes.join("\n");
    assert!(
        notes.contains("401") && notes.contains("application password"),
        "{notes}"
    );
    for secret in [wrong, PASSWORD] {
        assert!(
            !format!("{outcome:?}").contains(secret),
            "a secret in the outcome"
        );
    }
    assert_eq!(mock.stats().writes, 0);
    assert!(mock.stats().unauthorized >= 1);
}

/// The target contract every plugin keeps, against the mock TOPdesk: persons have no
/// entitlements and cannot be deleted here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_target_contract() {
    use tessera_testkit::contract::{self, TargetCase};
    let mock = mock().await;
    let life = life(&mock, "", PASSWORD);
    let mut t = life.target().await;
    let person = [
        ("surName", "Bakker"),
        ("branch", "Hoofdlocatie"),
        ("employeeNumber", "3003"),
    ];
    let case = TargetCase::new("cbakker", &person, ("department", "Spoedeisende hulp"))
        .missing("7d0e5c00-0000-4000-8000-00000000dead");
    let ran = contract::target(t.as_mut(), &case).await;
    assert_eq!(
        ran,
        contract::every_step_but(&["grant", "revoke", "delete"])
    );
}
