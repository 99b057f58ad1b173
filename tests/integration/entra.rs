//! The entra-id plugin, the engine and the mock Microsoft Graph together: joiner, mover and
//! leaver, the delta feeds in incremental runs (partial updates, replays, a feed Graph resets),
//! and every fault the mock can throw (see `entra/faults.rs`).

mod faults;

use tessera_engine::ist::ACCOUNTS;
use tessera_store::Feeds;
use tessera_sync::Mode;
use tessera_test_servers::graph::{GraphMock, GraphOptions, Group, text};
use tessera_testkit::lifecycle::ops;
use tessera_testkit::{Lifecycle, day, employment, person};

const SECRET: &str = "entra-Client-Secret-7731";
const TENANT: &str = "0c4b7a1e-0000-4000-8000-00000000d1d1";
const IC: &str = "a1c00000-0000-4000-8000-0000000000ic";
const SEH: &str = "a1c00000-0000-4000-8000-00000000seh";
const SYNCED: &str = "a1c00000-0000-4000-8000-00000000ad1";

/// A tenant with two cloud groups, one group synced from AD, and a group nested in the IC one.
async fn tenant(options: GraphOptions) -> GraphMock {
    let mock = GraphMock::start(options).await;
    mock.directory(|d| {
        for (id, name, on_premises) in [
            (IC, "ZKH-IC", false),
            (SEH, "ZKH-SEH", false),
            (SYNCED, "ZKH-AD-Artsen", true),
        ] {
            d.add_group(
                id,
                Group {
                    display_name: name.into(),
                    on_premises,
                    ..Group::default()
                },
            );
        }
        let nested = d.new_id();
        d.add_group(
            &nested,
            Group {
                display_name: "ZKH-IC-Nested".into(),
                ..Group::default()
            },
        );
        if let Some(ic) = d.groups.get_mut(IC) {
            ic.members.insert(nested.clone());
            ic.nested.insert(nested);
        }
    });
    mock
}

fn options() -> GraphOptions {
    GraphOptions::new(TENANT, "tessera-app", SECRET)
}

/// A system `entra` on the mock, with the host's OAuth2 client credentials; `extra` goes in
/// its table.
fn config(mock: &GraphMock, extra: &str) -> String {
    let url = mock.url();
    format!(
        "[systems.entra]\nplugin = \"entra-id\"\n{extra}\n[systems.entra.config]\ngraph_url = \"{url}\"\ndomain = \"zkh.nl\"\n\
         [systems.entra.grants]\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.entra.http_auth]]\norigin = \"{url}\"\n\
         oauth2 = {{ token_url = \"{}\", client_id = \"tessera-app\", secret = \"entra-secret\", scope = \"https://graph.microsoft.com/.default\" }}\n",
        mock.token_url()
    )
}

const MODEL: &str = r#"
[system.entra]
deviations = "revoke"
correlation = { account_attribute = "employeeId", person_field = "id" }

[system.entra.account]
create_days_before = 2
disable_after_days = 0
delete_after_days = 5
username = ["{given}.{family}", "{given}.{family}{n}"]
attributes = { displayName = "{given} {family}", givenName = "{given}", surname = "{family}", employeeId = "{id}", department = "{primary.department.name}" }

[[rule]]
name = "IC"
when = { department = "IC" }
grants = [{ system = "entra", kind = "group", key = "a1c00000-0000-4000-8000-0000000000ic" }]

[[rule]]
name = "Emergency"
when = { department = "SEH" }
grants = [{ system = "entra", kind = "group", key = "a1c00000-0000-4000-8000-00000000seh" }]
"#;

async fn setup(options: GraphOptions) -> (GraphMock, Lifecycle) {
    let mock = tenant(options).await;
    let mut life = Lifecycle::new(
        "entra-id",
        "entra",
        &config(&mock, ""),
        &[("entra-secret", SECRET)],
    );
    life.model(MODEL);
    (mock, life)
}

fn anna(dept: (&str, &str), end: Option<u64>) -> tessera_domain::Person {
    person(
        "1001",
        "Anna",
        "Berg",
        vec![employment("c1", dept, day(0), end.map(day))],
    )
}

fn id_of(mock: &GraphMock, upn: &str) -> String {
    let user = mock.user(upn).unwrap_or_else(|| panic!("{upn} exists"));
    text(&user, "id").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiner_mover_leaver() {
    let (mock, life) = setup(options()).await;
    life.import(vec![anna(("IC", "Intensive Care"), None)], day(0))
        .await;
    let (plan, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["create", "grant"]);
    let user = mock.user("anna.berg@zkh.nl").expect("created");
    for (name, value) in [
        ("employeeId", "1001"),
        ("department", "Intensive Care"),
        ("displayName", "Anna Berg"),
        ("usageLocation", "NL"),
    ] {
        assert_eq!(text(&user, name), value, "{name}");
    }
    assert_eq!(user["accountEnabled"], true);
    let id = id_of(&mock, "anna.berg@zkh.nl");
    assert!(mock.members(IC).contains(&id));

    // Mover: the department changes, the group follows.
    life.import(vec![anna(("SEH", "Spoedeisende hulp"), None)], day(1))
        .await;
    let (plan, report) = life.cycle(day(1)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mut done = ops(&plan);
    done.sort();
    assert_eq!(done, ["grant", "revoke", "update"]);
    assert_eq!(
        text(&mock.user("anna.berg@zkh.nl").unwrap(), "department"),
        "Spoedeisende hulp"
    );
    assert!(!mock.members(IC).contains(&id) && mock.members(SEH).contains(&id));

    // Leaver: the contract ends on day 2; disabled at once, soft-deleted five days on.
    life.import(vec![anna(("SEH", "Spoedeisende hulp"), Some(2))], day(2))
        .await;
    life.cycle(day(3)).await;
    assert_eq!(
        mock.user("anna.berg@zkh.nl").unwrap()["accountEnabled"],
        false
    );
    let (plan, report) = life.cycle(day(8)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        ops(&plan).contains(&"delete".to_owned()),
        "{:?}",
        ops(&plan)
    );
    assert!(mock.user("anna.berg@zkh.nl").is_none());
    assert!(
        mock.directory(|d| d.deleted.contains_key(&id)),
        "a soft delete, restorable"
    );

    // One token served every run: the host caches it.
    let stats = mock.stats();
    assert_eq!(
        (stats.tokens_issued, stats.unauthorized, stats.throttled),
        (1, 0, 0),
        "{stats:?}"
    );
    let seen = mock.seen();
    assert!(
        seen.iter()
            .any(|s| s.starts_with("POST /v1.0/groups/") && s.contains("/members/$ref")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .filter(|s| s.starts_with("GET /v1.0/users?"))
            .all(|s| s.contains("accountEnabled")),
        "user reads $select accountEnabled, which Graph leaves out by default"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_user_principal_name_gets_the_next_free_name() {
    let (mock, life) = setup(options()).await;
    // Someone else's account already has the name.
    mock.directory(|d| {
        let body = serde_json::json!({
            "accountEnabled": true, "displayName": "Anna Berg (radiology)", "mailNickname": "anna.berg",
            "userPrincipalName": "anna.berg@zkh.nl", "employeeId": "2002", "passwordProfile": {"password": "x"},
        });
        d.create_user(body.as_object().unwrap()).expect("a user");
    });
    life.import(vec![anna(("IC", "Intensive Care"), None)], day(0))
        .await;
    let (_, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let ours = mock
        .user("anna.berg1@zkh.nl")
        .expect("created under the next name");
    assert_eq!(text(&ours, "employeeId"), "1001");
    assert_eq!(
        text(&mock.user("anna.berg@zkh.nl").unwrap(), "employeeId"),
        "2002",
        "the other account untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_runs_read_the_delta_feeds() {
    let (mock, mut life) = setup(options()).await;
    life.import(vec![anna(("IC", "Intensive Care"), None)], day(0))
        .await;
    life.cycle(day(0)).await;
    let id = id_of(&mock, "anna.berg@zkh.nl");

    // Behind Tessera's back: Anna joins the SEH group in the portal and her department is
    // changed. Graph reports the user with only some properties, and replays entries.
    mock.directory(|d| {
        d.set_member(SEH, &id, true);
        let change = serde_json::json!({ "department": "Radiologie" });
        d.patch_user(&id, change.as_object().unwrap())
            .expect("patch");
    });
    mock.partial_updates(true);
    mock.replay_changes(true);
    let before = mock.seen().len();
    life.mode = Mode::Incremental;
    let outcome = life.sync(day(1), false).await;
    let entra = outcome
        .systems
        .iter()
        .find(|s| s.system == "entra")
        .unwrap();
    let feed = entra.feed.as_ref().expect("read by its feed");
    assert!(
        feed.reset.is_none() && feed.changes >= 1,
        "{feed:?} {:?}",
        entra.notes
    );
    let plan = outcome.plans.first().expect("a plan");
    let mut done = ops(plan);
    done.sort();
    assert_eq!(done, ["revoke", "update"], "the drift undone");
    assert!(!mock.members(SEH).contains(&id));
    assert_eq!(
        text(&mock.user("anna.berg@zkh.nl").unwrap(), "department"),
        "Intensive Care"
    );
    let calls = &mock.seen()[before..];
    assert!(
        calls.iter().any(|s| s.starts_with("GET /v1.0/users/delta")),
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|s| s.starts_with("GET /v1.0/users?")),
        "no full listing: {calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|s| s.starts_with(&format!("GET /v1.0/users/{id}?"))),
        "a partial user read whole: {calls:?}"
    );

    // Graph forgets the feed (410 Gone): the run reads Entra ID in full and starts anew.
    mock.reset_feeds();
    let cursor = life.store.cursor("entra", ACCOUNTS).unwrap();
    let outcome = life.sync(day(2), false).await;
    let entra = outcome
        .systems
        .iter()
        .find(|s| s.system == "entra")
        .unwrap();
    let reset = entra.feed.as_ref().and_then(|f| f.reset.clone());
    assert!(
        reset.as_deref().is_some_and(|r| r.contains("410")),
        "{:?} {:?}",
        entra.feed,
        entra.notes
    );
    assert!(entra.ist.is_some(), "listed in full");
    assert_ne!(
        life.store.cursor("entra", ACCOUNTS).unwrap(),
        cursor,
        "a new feed"
    );
    assert_eq!(outcome.plans.first().map(|p| p.operations.len()), Some(0));
}

/// The target contract every plugin keeps, against the mock Graph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_target_contract() {
    use tessera_testkit::contract::{self, TargetCase};
    let (_mock, life) = setup(options()).await;
    let mut t = life.target().await;
    let person = [("displayName", "Cas Bakker"), ("employeeId", "3003")];
    let case = TargetCase::new("cas.bakker", &person, ("department", "Intensive Care"))
        .entitlement("group", IC);
    assert_eq!(
        contract::target(t.as_mut(), &case).await,
        contract::EVERY_STEP
    );
}

/// The change-feed contract: each write shows in users/delta and groups/delta once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_shows_each_write_once() {
    use tessera_testkit::contract::{self, TargetCase};
    let (_mock, life) = setup(options()).await;
    let mut t = life.target().await;
    let case = TargetCase::new(
        "dana.feed",
        &[("displayName", "Dana Feed")],
        ("jobTitle", "Verpleegkundige"),
    )
    .entitlement("group", SEH);
    assert_eq!(
        contract::feed(t.as_mut(), &case).await,
        ["create", "grant", "revoke", "update", "delete"]
    );
}
