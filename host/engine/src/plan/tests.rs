//! Table-driven reconcile tests: desired state, actual state, expected plan.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use tessera_domain::{Attribute, EntitlementRef, Membership, Person, TargetInfo};
use tessera_store::{ManualGrant, Shadow};
use tessera_testkit::people::{date, employment};

use super::*;
use crate::ist::Situation;
use crate::model::RoleModel;
use crate::soll::AccountSoll;

const MODEL: &str = r#"
[system.ad]
correlation = { account_attribute = "employeeId", person_field = "id" }

[system.ad.account]
create_days_before = 5
disable_after_days = 1
delete_after_days = 30
username = ["{given}"]

[[rule]]
name = "IC"
when = { department = "IC" }
grants = [{ system = "ad", kind = "group", key = "ic" }]

[[rule]]
name = "SEH"
when = { department = "SEH" }
grants = [{ system = "ad", kind = "group", key = "seh" }]
"#;

const TODAY: &str = "2026-11-22";

mod reviews;

fn person(id: &str, dept: &str, start: &str, end: Option<&str>) -> Person {
    let c1 = employment(
        &format!("{id}-c1"),
        (dept, dept),
        date(start),
        end.map(date),
    );
    tessera_testkit::person(id, id, "Test", vec![c1])
}

/// Ann's manual grant of group `vpn`, made at `made`, ending `until`.
fn vpn_grant(made: &str, until: Option<&str>) -> ManualGrant {
    ManualGrant {
        id: 1,
        person: "ann".into(),
        system: "ad".into(),
        entitlement: group_ref("vpn"),
        reason: "on call".into(),
        author: "ops".into(),
        until: until.map(date),
        created_at: made.parse().expect("time"),
        revoked_at: None,
        revoked_by: None,
        approved_by: Some("ops".into()),
    }
}

/// `p` as no source lists them any more.
fn leaver(mut p: Person) -> Person {
    p.attributes.push(Attribute {
        name: crate::import::LEFT_SOURCES_ON.into(),
        value: TODAY.into(),
    });
    p
}

fn shadow(key: &str, owner: Option<&str>, enabled: bool) -> Shadow {
    Shadow {
        system: "ad".into(),
        key: key.into(),
        username: Some(key.into()),
        enabled,
        person: owner.map(str::to_owned),
        attributes: vec![],
        last_seen: DateTime::<Utc>::default(),
        dead: false,
    }
}

fn member(account: &str, group: &str) -> Membership {
    Membership {
        account: account.into(),
        entitlement: group_ref(group),
    }
}

fn group_ref(key: &str) -> EntitlementRef {
    EntitlementRef {
        kind: "group".into(),
        key: key.into(),
    }
}

fn describe(op: &Operation) -> String {
    let acc = |a: &AccountRef| match a {
        AccountRef::Key(k) => k.clone(),
        AccountRef::New(u) => format!("new:{u}"),
    };
    match op {
        Operation::Link { account } => format!("link {account}"),
        Operation::Create {
            username, enabled, ..
        } => {
            format!(
                "create {username} {}",
                if *enabled { "enabled" } else { "disabled" }
            )
        }
        Operation::Update { account, .. } => format!("update {account}"),
        Operation::Enable { account } => format!("enable {account}"),
        Operation::Grant {
            account,
            entitlement,
        } => format!("grant {} {}", acc(account), entitlement.key),
        Operation::Adopt {
            account,
            entitlement,
        } => format!("adopt {account} {}", entitlement.key),
        Operation::Revoke {
            account,
            entitlement,
        } => format!("revoke {account} {}", entitlement.key),
        Operation::Disable { account } => format!("disable {account}"),
        Operation::Delete { account } => format!("delete {account}"),
    }
}

struct Case {
    name: &'static str,
    persons: Vec<Person>,
    shadows: Vec<Shadow>,
    memberships: Vec<Membership>,
    grants: Vec<ManualGrant>,
    reviews: Vec<tessera_store::DeviationReview>,
    expect: Vec<&'static str>,
}

fn case(
    name: &'static str,
    persons: Vec<Person>,
    shadows: Vec<Shadow>,
    memberships: Vec<Membership>,
    expect: Vec<&'static str>,
) -> Case {
    Case {
        name,
        persons,
        shadows,
        memberships,
        grants: vec![],
        reviews: vec![],
        expect,
    }
}

fn plan_for(model: &RoleModel, c: &Case, approved: &HashSet<String>) -> Plan {
    let info = TargetInfo {
        supports_delete: true,
        ..TargetInfo::default()
    };
    let today: NaiveDate = TODAY.parse().expect("today");
    let desired: BTreeMap<String, AccountSoll> = c
        .persons
        .iter()
        .filter_map(|p| {
            let soll = crate::soll::person_soll(model, p, &c.grants, today);
            let account = soll.accounts.into_iter().find(|a| a.system == "ad")?;
            Some((p.id.clone(), account))
        })
        .collect();
    let index = PersonIndex::of(model, &c.persons);
    let person = |id: &str| Ok(c.persons.iter().find(|p| p.id == id).cloned());
    let taken = c
        .shadows
        .iter()
        .filter_map(|s| s.username.clone())
        .map(|u| u.to_lowercase())
        .collect();
    let live = c.shadows.iter().filter(|s| !s.dead).count();
    build_plan(&PlanInput {
        model,
        system: "ad",
        info: &info,
        desired: Desired::Held(&desired),
        index: &index,
        person: &person,
        shadows: &c.shadows,
        memberships: &c.memberships,
        grants: &c.grants,
        reviews: &c.reviews,
        approved,
        taken: &taken,
        bases: (live, c.memberships.len()),
        today,
    })
    .expect("plan")
}

#[test]
fn desired_and_actual_give_the_expected_plan() {
    let model = RoleModel::parse("roles.toml", MODEL).expect("model");
    let mut with_grant = case(
        "a manual grant keeps an unmanaged group",
        vec![person("ann", "IC", "2026-01-01", None)],
        vec![shadow("acc-1", Some("ann"), true)],
        vec![member("acc-1", "ic"), member("acc-1", "vpn")],
        vec![],
    );
    with_grant
        .grants
        .push(vpn_grant("2026-11-01T09:00:00Z", None));
    let mut unlinked = shadow("acc-9", None, true);
    unlinked.attributes.push(Attribute {
        name: "employeeId".into(),
        value: "ANN".into(),
    });
    let cases = vec![
        case(
            "an active newcomer gets an enabled account, then its groups",
            vec![person("ann", "IC", "2026-11-01", None)],
            vec![],
            vec![],
            vec!["create ann enabled", "grant new:ann ic"],
        ),
        case(
            "a start in three days creates the account disabled",
            vec![person("ann", "IC", "2026-11-25", None)],
            vec![],
            vec![],
            vec!["create ann disabled"],
        ),
        case(
            "a start in ten days does nothing yet",
            vec![person("ann", "IC", "2026-12-02", None)],
            vec![],
            vec![],
            vec![],
        ),
        case(
            "linked and in sync does nothing",
            vec![person("ann", "IC", "2026-01-01", None)],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![member("acc-1", "ic")],
            vec![],
        ),
        case(
            "a move grants the new group before revoking the old",
            vec![person("ann", "SEH", "2026-01-01", None)],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![member("acc-1", "ic")],
            vec!["grant acc-1 seh", "revoke acc-1 ic"],
        ),
        case(
            "an ended contract revokes before it disables",
            vec![person("ann", "IC", "2026-01-01", Some("2026-11-19"))],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![member("acc-1", "ic")],
            vec!["revoke acc-1 ic", "disable acc-1"],
        ),
        case(
            "inside the grace day the account stays enabled",
            vec![person("ann", "IC", "2026-01-01", Some("2026-11-21"))],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![],
            vec![],
        ),
        case(
            "thirty-one days after the end the account goes",
            vec![person("ann", "IC", "2026-01-01", Some("2026-10-21"))],
            vec![shadow("acc-1", Some("ann"), false)],
            vec![],
            vec!["delete acc-1"],
        ),
        case(
            "a disabled account comes back on a new contract",
            vec![person("ann", "IC", "2026-11-20", None)],
            vec![shadow("acc-1", Some("ann"), false)],
            vec![member("acc-1", "ic")],
            vec!["enable acc-1"],
        ),
        case(
            "a correlated account is linked, not created",
            vec![person("ann", "IC", "2026-01-01", None)],
            vec![unlinked],
            vec![],
            vec!["link acc-9", "grant acc-9 ic"],
        ),
        case(
            "an owner no longer among the persons loses the account",
            vec![],
            vec![shadow("acc-1", Some("bob"), true)],
            vec![],
            vec!["delete acc-1"],
        ),
        case(
            "a second account of a known person is left alone",
            vec![person("ann", "IC", "2026-01-01", None)],
            vec![
                shadow("acc-1", Some("ann"), true),
                shadow("acc-2", Some("ann"), true),
            ],
            vec![member("acc-1", "ic")],
            vec![],
        ),
        case(
            "an unmanaged group is a deviation, reported only",
            vec![person("ann", "IC", "2026-01-01", None)],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![member("acc-1", "ic"), member("acc-1", "vpn")],
            vec![],
        ),
        with_grant,
        case(
            "a leaver without an account gets none while their grace runs",
            vec![leaver(person(
                "ann",
                "IC",
                "2026-01-01",
                Some("2026-11-22"),
            ))],
            vec![],
            vec![],
            vec![],
        ),
        case(
            "a leaver's account is wound down by the rule",
            vec![leaver(person(
                "ann",
                "IC",
                "2026-01-01",
                Some("2026-11-19"),
            ))],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![member("acc-1", "ic")],
            vec!["revoke acc-1 ic", "disable acc-1"],
        ),
    ];
    let none = HashSet::new();
    for c in &cases {
        let plan = plan_for(&model, c, &none);
        let got: Vec<String> = plan.operations.iter().map(|p| describe(&p.op)).collect();
        assert_eq!(got, c.expect, "{}", c.name);
        assert!(plan.blocked.is_empty(), "{}", c.name);
    }
    let deviating = plan_for(&model, &cases[12], &none);
    assert_eq!(deviating.deviations.len(), 1);
    assert_eq!(deviating.deviations[0].entitlement.key, "vpn");
    assert!(plan_for(&model, &cases[13], &none).deviations.is_empty());
}

#[test]
fn deviation_policies_revoke_or_adopt() {
    for (policy, expect) in [("revoke", "revoke acc-1 vpn"), ("adopt", "adopt acc-1 vpn")] {
        let text = MODEL.replace(
            "[system.ad]\n",
            &format!("[system.ad]\ndeviations = \"{policy}\"\n"),
        );
        let model = RoleModel::parse("roles.toml", &text).expect("model");
        let c = case(
            policy,
            vec![person("ann", "IC", "2026-01-01", None)],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![member("acc-1", "ic"), member("acc-1", "vpn")],
            vec![],
        );
        let plan = plan_for(&model, &c, &HashSet::new());
        let got: Vec<String> = plan.operations.iter().map(|p| describe(&p.op)).collect();
        assert_eq!(got, vec![expect.to_owned()], "{policy}");
    }
}

#[test]
fn a_tripped_threshold_blocks_its_type_only_and_approval_lets_one_through() {
    let text = format!("{MODEL}\n[system.ad.thresholds]\ncreate = {{ count = 2 }}\n");
    let text = text.replace(
        "[[rule]]\nname = \"IC\"",
        "[system.ad.thresholds.revoke]\ncount = 100\n\n[[rule]]\nname = \"IC\"",
    );
    let model = RoleModel::parse("roles.toml", &text).expect("model");
    let persons = vec![
        person("ann", "IC", "2026-01-01", None),
        person("bob", "IC", "2026-01-01", None),
        person("cem", "IC", "2026-01-01", None),
        person("dil", "SEH", "2026-01-01", None),
    ];
    let c = case(
        "threshold",
        persons,
        vec![shadow("acc-1", Some("dil"), true)],
        vec![member("acc-1", "ic")],
        vec![],
    );
    let plan = plan_for(&model, &c, &HashSet::new());
    let run: Vec<String> = plan.operations.iter().map(|p| describe(&p.op)).collect();
    assert_eq!(run, vec!["grant acc-1 seh", "revoke acc-1 ic"]);
    assert_eq!(plan.blocked.len(), 3);
    assert!(
        plan.blocked
            .iter()
            .all(|b| b.reason.contains("create threshold"))
    );
    assert_eq!(
        plan.deferred.len(),
        3,
        "grants wait for their blocked creates"
    );
    let approved: HashSet<String> = [plan.blocked[1].planned.key.clone()].into();
    let again = plan_for(&model, &c, &approved);
    let run: Vec<String> = again.operations.iter().map(|p| describe(&p.op)).collect();
    assert_eq!(
        run,
        vec![
            "create bob enabled",
            "grant new:bob ic",
            "grant acc-1 seh",
            "revoke acc-1 ic"
        ]
    );
    assert_eq!(again.blocked.len(), 2);
}

#[test]
fn situations_cover_linked_unlinked_unmatched_disputed_and_deleted() {
    let model = RoleModel::parse("roles.toml", MODEL).expect("model");
    let attr = |v: &str| {
        vec![Attribute {
            name: "employeeId".into(),
            value: v.into(),
        }]
    };
    let mut twin = person("ann2", "IC", "2026-01-01", None);
    twin.id = "twin".into();
    let mut persons = vec![
        person("ann", "IC", "2026-01-01", None),
        person("bob", "IC", "2026-01-01", None),
        twin.clone(),
    ];
    persons.push(Person {
        id: "TWIN".into(),
        ..twin
    });
    let mut shadows = vec![
        shadow("a-linked", Some("ann"), true),
        shadow("b-unlinked", None, true),
        shadow("c-unmatched", None, true),
        shadow("d-disputed", None, true),
        shadow("e-deleted", Some("ann"), false),
    ];
    shadows[1].attributes = attr("bob");
    shadows[2].attributes = attr("nobody");
    shadows[3].attributes = attr("twin");
    shadows[4].dead = true;
    let c = Case {
        name: "situations",
        persons,
        shadows,
        memberships: vec![],
        grants: vec![],
        reviews: vec![],
        expect: vec![],
    };
    let plan = plan_for(&model, &c, &HashSet::new());
    let got: Vec<(String, Situation)> = plan
        .situations
        .iter()
        .map(|s| (s.account.clone(), s.situation))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a-linked".to_owned(), Situation::Linked),
            ("b-unlinked".to_owned(), Situation::Unlinked),
            ("c-unmatched".to_owned(), Situation::Unmatched),
            ("d-disputed".to_owned(), Situation::Disputed),
            ("e-deleted".to_owned(), Situation::Deleted),
        ]
    );
    assert_eq!(plan.situations[3].candidates.len(), 2);
}

/// A manual grant (or an adopted deviation) without an end of its own ends `max_grant_days`
/// after it was made; then what it kept is a deviation again. An explicit end holds.
#[test]
fn a_manual_grant_without_an_end_lapses_after_max_grant_days() {
    let text = MODEL.replacen(
        "[system.ad]\n",
        "[system.ad]\ndeviations = \"revoke\"\nmax_grant_days = 30\n",
        1,
    );
    let model = RoleModel::parse("roles.toml", &text).expect("model");
    let none = HashSet::new();
    for (made, until, expect) in [
        ("2026-11-01T09:00:00Z", None, vec![]),
        ("2026-10-01T09:00:00Z", None, vec!["revoke acc-1 vpn"]),
        ("2026-10-01T09:00:00Z", Some("2026-12-31"), vec![]),
    ] {
        let mut c = case(
            "grant",
            vec![person("ann", "IC", "2026-01-01", None)],
            vec![shadow("acc-1", Some("ann"), true)],
            vec![member("acc-1", "ic"), member("acc-1", "vpn")],
            expect,
        );
        c.grants.push(vpn_grant(made, until));
        let plan = plan_for(&model, &c, &none);
        let got: Vec<String> = plan.operations.iter().map(|p| describe(&p.op)).collect();
        assert_eq!(got, c.expect, "made {made}, until {until:?}");
    }
}

#[test]
fn a_deviation_shows_the_catalogue_name_beside_its_key() {
    let mut d = Deviation {
        system: "ad".into(),
        account: "acc-1".into(),
        username: None,
        person: None,
        entitlement: group_ref("3f2b0c1e-guid"),
        policy: DeviationPolicy::Report,
        review: None,
        name: None,
    };
    assert_eq!(d.shown(), "group/3f2b0c1e-guid");
    d.name = Some("IC nurses".into());
    assert_eq!(d.shown(), "group/3f2b0c1e-guid (IC nurses)");
    d.name = Some("3f2b0c1e-guid".into());
    assert_eq!(
        d.shown(),
        "group/3f2b0c1e-guid",
        "a name that is the key says nothing more"
    );
}

/// A create carries what apply needs when the target has the name already: the person's
/// correlation value for `correlate`, and the next free names in handing-out order.
#[test]
fn a_create_carries_its_correlation_value_and_the_next_free_names() {
    let model = RoleModel::parse("roles.toml", MODEL).expect("model");
    let mut other = shadow("acc-7", Some("bob"), true);
    other.username = Some("ann".into());
    let c = case(
        "ann is taken by bob",
        vec![person("ann", "IC", "2026-11-01", None)],
        vec![other],
        vec![],
        vec![],
    );
    let plan = plan_for(&model, &c, &HashSet::new());
    let create = plan
        .operations
        .iter()
        .find_map(|p| match &p.op {
            Operation::Create {
                username,
                fallbacks,
                correlate,
                ..
            } => Some((username.clone(), fallbacks.clone(), correlate.clone())),
            _ => None,
        })
        .expect("a create");
    assert_eq!(create.0, "ann2");
    assert_eq!(create.1, ["ann3", "ann4", "ann5"]);
    let correlate = create.2.expect("a correlation value");
    assert_eq!(
        (correlate.name.as_str(), correlate.value.as_str()),
        ("employeeId", "ann")
    );
}
