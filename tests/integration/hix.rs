//! The hix plugin, the engine and the mock HiX together: joiner, mover and leaver, deviations
//! under each policy, refused field lengths, SSO renames and the stepwise take-over of a HiX
//! full of hand-made memberships.

use std::collections::{BTreeSet, HashSet};

use tessera_domain::{
    AccountSpec, AttributeChange, CodeName, ConnectorError, EntitlementRef, Person,
};
use tessera_engine::decisions;
use tessera_engine::plan::Operation;
use tessera_test_servers::hix::{Catalogue, HixMock, OUT_OF_SERVICE, User};

use tessera_store::ManualGrants;
use tessera_sync::Mode;
use tessera_testkit::lifecycle::ops;
use tessera_testkit::people::attribute;
use tessera_testkit::{ContractExt, Lifecycle, PersonExt, day, employment, person};

const FUNCTIONS: &str = r#"["Verpleegkundige IC=VPKIC", "Verpleegkundige SEH=VPSEH", "Arts=ARTS"]"#;

fn catalogue() -> Catalogue {
    Catalogue::new(
        &[("VPK", "Verpleegkunde"), ("ARTS", "Artsen")],
        &[
            ("LG-IC", "Inloggroep IC"),
            ("LG-SEH", "Inloggroep SEH"),
            ("LG-ADM", "Inloggroep applicatiebeheer"),
        ],
    )
}

/// A system `hix` on the mock; `extra` is added to its config table.
fn config(url: &str, extra: &str) -> String {
    format!(
        "[systems.hix]\nplugin = \"hix\"\n[systems.hix.config]\nbase_url = \"{url}\"\n\
         functions = {FUNCTIONS}\n{extra}\n\
         [systems.hix.grants]\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\n\
         http_private = [\"{url}\"]\nxml = true\n"
    )
}

/// The role model: accounts for everyone, login groups by function when `rules`, mapped
/// attributes unless `take_over` (a hospital taking over HiX starts with memberships only).
fn model(deviations: &str, rules: bool, take_over: bool) -> String {
    let mut text = format!(
        r#"
[system.hix]
deviations = "{deviations}"
correlation = {{ account_attribute = "ldap", person_field = "ldap" }}

[system.hix.account]
username = ["{{attr.ldap}}"]
max_length = 8
attributes = {{ name = "{{family}}, {{given}}", function = "{{primary.title.name}}", department = "{{primary.department}}", in_service = "{{attr.in_service}}" }}
"#
    );
    if take_over {
        text = text
            .lines()
            .filter(|l| !l.starts_with("attributes"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    if rules {
        text.push_str(
            r#"
[[rule]]
name = "IC nurses"
when = { title = "VPK-IC" }
grants = [{ system = "hix", kind = "group", key = "VPK" }, { system = "hix", kind = "login-group", key = "LG-IC" }]

[[rule]]
name = "SEH nurses"
when = { title = "VPK-SEH" }
grants = [{ system = "hix", kind = "group", key = "VPK" }, { system = "hix", kind = "login-group", key = "LG-SEH" }]
"#,
        );
    }
    text
}

/// A nurse with login `ldap`, in service from day 0, in `dept` with function `title`.
fn nurse(id: &str, ldap: &str, dept: &str, title: (&str, &str), end: Option<u64>) -> Person {
    let c = employment(&format!("{id}-c"), (dept, dept), day(0), end.map(day)).titled(title);
    person(id, "Jan", "Bos", vec![c])
        .with_attr("ldap", ldap)
        .with_attr("in_service", "2026-11-01")
}

const IC: (&str, &str) = ("VPK-IC", "Verpleegkundige IC");
const SEH: (&str, &str) = ("VPK-SEH", "Verpleegkundige SEH");

fn entitlement(kind: &str, key: &str) -> EntitlementRef {
    EntitlementRef {
        kind: kind.into(),
        key: key.into(),
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn setup(users: Vec<User>, deviations: &str, rules: bool) -> (HixMock, Lifecycle) {
    let mock = HixMock::start(catalogue(), users).await;
    let mut lc = Lifecycle::new("hix", "hix", &config(&mock.url(), ""), &[]);
    lc.model(&model(deviations, rules, false));
    (mock, lc)
}

/// Every request had its own ControlId and none was refused.
fn clean_log(mock: &HixMock) {
    let log = mock.log();
    let ids: HashSet<&str> = log.iter().map(|l| l.control_id.as_str()).collect();
    assert_eq!(ids.len(), log.len(), "a ControlId was reused");
    assert!(log.iter().all(|l| l.fault.is_none()), "{log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joiner_mover_leaver() {
    let (mock, lc) = setup(vec![], "report", true).await;
    lc.import(vec![nurse("p1", "jbos", "IC", IC, None)], day(0))
        .await;
    let (plan, report) = lc.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        plan.serial_writes,
        "full-object writes must not overlap per account"
    );
    let u = mock.by_ldap("jbos").expect("created");
    assert_eq!(
        (u.code.as_str(), u.title.as_str(), u.department.as_str()),
        ("JBOS", "VPKIC", "IC")
    );
    assert_eq!(
        u.in_service.map(|d| d.to_string()).as_deref(),
        Some("2026-11-01")
    );
    assert_eq!(u.naam, "Bos, Jan");
    assert_eq!((u.groups, u.login_groups), (set(&["VPK"]), set(&["LG-IC"])));
    assert!(!u.blocked);
    let quiet = lc.plan(day(1)).await;
    assert!(quiet.operations.is_empty(), "{:?}", ops(&quiet));

    // Mover: the function changes, so HiX's function code and login group follow.
    lc.import(vec![nurse("p1", "jbos", "SEH", SEH, None)], day(2))
        .await;
    let (plan, report) = lc.cycle(day(2)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(ops(&plan), ["update", "grant", "revoke"]);
    let u = mock.user("JBOS").expect("kept");
    assert_eq!((u.title.as_str(), u.department.as_str()), ("VPSEH", "SEH"));
    assert_eq!(
        (u.groups, u.login_groups),
        (set(&["VPK"]), set(&["LG-SEH"]))
    );

    // Leaver: the contract ended on day 3; HiX cannot delete, so the user is blocked, marked.
    lc.import(vec![nurse("p1", "jbos", "SEH", SEH, Some(3))], day(3))
        .await;
    let (plan, report) = lc.cycle(day(5)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        ops(&plan).contains(&"disable".to_owned()),
        "{:?}",
        ops(&plan)
    );
    let u = mock.user("JBOS").expect("never deleted");
    assert!(u.blocked);
    assert_eq!(u.marking, OUT_OF_SERVICE);
    assert!(u.login_groups.is_empty() && u.groups.is_empty(), "{u:?}");
    assert!(lc.plan(day(6)).await.operations.is_empty());
    clean_log(&mock);
}

/// A worker created by the engine, then a login group added by hand in HiX.
async fn hand_made(deviations: &str) -> (HixMock, Lifecycle, tessera_engine::plan::Plan) {
    let (mock, lc) = setup(vec![], deviations, true).await;
    lc.import(vec![nurse("p1", "jbos", "IC", IC, None)], day(0))
        .await;
    lc.cycle(day(0)).await;
    mock.edit("JBOS", |u| u.login_groups.insert("LG-ADM".into()))
        .expect("user exists");
    let (plan, report) = lc.cycle(day(1)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let adm = entitlement("login-group", "LG-ADM");
    let found: Vec<_> = plan.deviations.iter().map(|d| &d.entitlement).collect();
    assert_eq!(found, [&adm], "exactly the hand-made login group");
    (mock, lc, plan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_made_login_group_is_kept_when_reported() {
    let (mock, _lc, plan) = hand_made("report").await;
    assert!(plan.operations.is_empty(), "{:?}", ops(&plan));
    assert_eq!(
        mock.user("JBOS").unwrap().login_groups,
        set(&["LG-ADM", "LG-IC"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_made_login_group_is_revoked_under_revoke() {
    let (mock, _lc, plan) = hand_made("revoke").await;
    assert_eq!(ops(&plan), ["revoke"]);
    let u = mock.user("JBOS").unwrap();
    assert_eq!((u.groups, u.login_groups), (set(&["VPK"]), set(&["LG-IC"])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_made_login_group_becomes_a_manual_grant_under_adopt() {
    let (mock, lc, plan) = hand_made("adopt").await;
    assert_eq!(ops(&plan), ["adopt"]);
    let held = lc.store.grants(false).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].entitlement, entitlement("login-group", "LG-ADM"));
    assert_eq!(held[0].person, "p1");
    assert!(!held[0].reason.trim().is_empty());
    assert!(mock.user("JBOS").unwrap().login_groups.contains("LG-ADM"));
    // From now on it is granted, not a deviation.
    assert!(lc.plan(day(2)).await.deviations.is_empty());
}

fn spec(username: &str, attributes: &[(&str, &str)]) -> AccountSpec {
    AccountSpec {
        username: username.into(),
        enabled: true,
        attributes: attributes.iter().map(|(n, v)| attribute(n, v)).collect(),
    }
}

fn invalid_field(r: Result<impl std::fmt::Debug, ConnectorError>) -> String {
    match r {
        Err(ConnectorError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_lengths_come_back_as_invalid_naming_the_field() {
    let (mock, lc) = setup(vec![], "report", true).await;
    let mut t = lc.target().await;
    // An unmapped label is sent as it is, and is too long for a function code.
    let cases = [
        ("abos", ("function", "Verpleegkundige"), "title"),
        ("bbos", ("department", "CARDIO1"), "department"),
        ("cvanderbos", ("department", "IC"), "code"),
    ];
    for (username, (name, value), field) in cases {
        let r = t.create(&spec(username, &[(name, value)])).await;
        assert_eq!(invalid_field(r), field);
    }
    assert!(mock.users().is_empty());
    let ok = t
        .create(&spec("dbos", &[("function", "Arts")]))
        .await
        .unwrap();
    let long = vec![AttributeChange {
        name: "department".into(),
        values: vec!["NEUROLO".into()],
    }];
    assert_eq!(invalid_field(t.update(&ok.key, &long).await), "department");
    assert_eq!(mock.user("DBOS").unwrap().title, "ARTS");
    // Through the engine: the create fails as invalid and says which field.
    let mut p = nurse("p9", "ebos", "IC", ("X", "Verpleegkundige"), None);
    p.contracts[0].department = Some(CodeName {
        code: "CARDIOLOGIE".into(),
        name: "Cardiologie".into(),
    });
    lc.import(vec![p], day(0)).await;
    let (_, report) = lc.cycle(day(0)).await;
    let failed = &report.failed[0];
    assert_eq!(failed.key, "create:p9");
    assert!(
        failed.error.starts_with("invalid title"),
        "{}",
        failed.error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sso_rename_is_refused_unless_allowed_and_then_keeps_memberships() {
    let mut user = User::new("JBOS", "jbos", "Bos, Jan");
    user.sso_login = "j.bos@zkh.example".into();
    user.groups = set(&["VPK"]);
    user.login_groups = set(&["LG-IC"]);
    let mock = HixMock::start(catalogue(), vec![user]).await;
    let rename = || {
        vec![AttributeChange {
            name: "sso_login".into(),
            values: vec!["J.Bos@zkh.example".into()],
        }]
    };
    let lc = Lifecycle::new("hix", "hix", &config(&mock.url(), ""), &[]);
    let refused = lc.target().await.update("JBOS", &rename()).await;
    assert_eq!(invalid_field(refused), "sso_login");
    assert_eq!(mock.user("JBOS").unwrap().sso_login, "j.bos@zkh.example");
    let allowed = Lifecycle::new(
        "hix",
        "hix",
        &config(&mock.url(), "allow_sso_rename = true"),
        &[],
    );
    allowed
        .target()
        .await
        .update("JBOS", &rename())
        .await
        .unwrap();
    let u = mock.user("JBOS").unwrap();
    assert_eq!(u.sso_login, "J.Bos@zkh.example");
    assert_eq!((u.groups, u.login_groups), (set(&["VPK"]), set(&["LG-IC"])));
}

/// Users as a hospital's HiX has them before the coupling: memberships made by hand.
fn existing_users() -> Vec<User> {
    let mut a = User::new("AVRIES", "avries", "Vries, Anna");
    a.groups = set(&["VPK"]);
    a.login_groups = set(&["LG-IC", "LG-ADM"]);
    let mut b = User::new("BJANSEN", "bjansen", "Jansen, Bram");
    b.groups = set(&["VPK"]);
    b.login_groups = set(&["LG-IC"]);
    vec![a, b]
}

/// Every membership each user held at the start is still there.
fn nobody_lost_access(mock: &HixMock, start: &[User]) {
    for before in start {
        let now = mock.user(&before.code).unwrap();
        assert!(now.groups.is_superset(&before.groups), "{now:?}");
        assert!(
            now.login_groups.is_superset(&before.login_groups),
            "{now:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepwise_take_over_never_takes_access_away() {
    let start = existing_users();
    let (mock, mut lc) = setup(start.clone(), "adopt", false).await;
    lc.model(&model("adopt", false, true));
    let persons = vec![
        nurse("p1", "avries", "IC", IC, None),
        nurse("p2", "bjansen", "IC", IC, None),
    ];
    lc.import(persons, day(0)).await;
    // Step 1: read HiX and adopt every fine-grained membership as a single manual grant.
    let (plan, report) = lc.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let adopted: Vec<_> = plan
        .operations
        .iter()
        .filter(|p| matches!(p.op, Operation::Adopt { .. }))
        .collect();
    assert_eq!(adopted.len(), 5, "{:?}", ops(&plan));
    assert_eq!(lc.store.grants(false).unwrap().len(), 5);
    nobody_lost_access(&mock, &start);
    // Step 2: bundle VPK and LG-IC into the IC role; nothing in HiX needs to change.
    lc.model(&model("report", true, true));
    let (plan, _) = lc.cycle(day(1)).await;
    assert!(plan.operations.is_empty(), "{:?}", ops(&plan));
    // Step 3: withdraw the single grants the role now covers; the role keeps them in place.
    let covered = [
        entitlement("group", "VPK"),
        entitlement("login-group", "LG-IC"),
    ];
    for g in lc.store.grants(false).unwrap() {
        if covered.contains(&g.entitlement) {
            let noon = day(2).and_hms_opt(12, 0, 0).unwrap().and_utc();
            decisions::revoke_grant(&lc.store, g.id, "ops", noon).unwrap();
        }
    }
    let (plan, _) = lc.cycle(day(2)).await;
    assert!(plan.operations.is_empty(), "{:?}", ops(&plan));
    nobody_lost_access(&mock, &start);
    let left = lc.store.grants(false).unwrap();
    assert_eq!(
        left.len(),
        1,
        "the login group outside any role stays a single grant"
    );
    assert_eq!(left[0].entitlement, entitlement("login-group", "LG-ADM"));
    assert!(
        mock.log()
            .iter()
            .all(|l| l.message.starts_with("aanvraag.")),
        "only reads"
    );
    clean_log(&mock);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_made_change_is_drift_that_the_full_reconciliation_finds() {
    let (mock, mut lc) = setup(vec![], "revoke", true).await;
    lc.import(vec![nurse("p1", "jbos", "IC", IC, None)], day(0))
        .await;
    lc.cycle(day(0)).await;
    mock.edit("JBOS", |u| u.login_groups.remove("LG-IC"))
        .expect("user exists");
    // HiX has no change feed: an incremental run trusts the shadows and sees nothing.
    lc.mode = Mode::Incremental;
    let quiet = lc.sync(day(1), false).await;
    let hix = quiet.systems.iter().find(|s| s.system == "hix").unwrap();
    assert!(hix.ist.is_none() && hix.feed.is_none(), "not read");
    assert_eq!(hix.plan.as_ref().unwrap().operations, 0);
    // The scheduled full reconciliation lists HiX, reports the drift and repairs it.
    lc.mode = Mode::Full;
    let full = lc.sync(day(1), false).await;
    let hix = full.systems.iter().find(|s| s.system == "hix").unwrap();
    let drift = hix.drift.expect("a full read reports drift");
    assert_eq!((drift.revoked, drift.granted, drift.gone), (1, 0, 0));
    assert_eq!(hix.apply.as_ref().unwrap().done, 1, "the login group back");
    assert!(mock.user("JBOS").unwrap().login_groups.contains("LG-IC"));
    clean_log(&mock);
}

/// The target contract every plugin keeps, against the mock HiX. HiX cannot delete a user: it
/// is blocked and marked out of service instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_target_contract() {
    use tessera_testkit::contract::{self, TargetCase};
    let (_mock, lc) = setup(vec![], "report", true).await;
    let mut t = lc.target().await;
    let person = [("function", "Arts"), ("department", "IC")];
    let case = TargetCase::new("cbos", &person, ("department", "SEH"))
        .entitlement("group", "VPK")
        .missing("NOBODY");
    let ran = contract::target(t.as_mut(), &case).await;
    assert_eq!(ran, contract::every_step_but(&["delete"]));
}
