use chrono::NaiveDate;
use tessera_domain::{CodeName, Contract, ContractKind};
use tessera_testkit::people::{self, ContractExt, date};

use super::*;

pub(crate) const MODEL: &str = r#"
[system.ad]
deviations = "revoke"
correlation = { account_attribute = "employeeId", person_field = "id" }

[system.ad.account]
when = { kind = ["employment", "shift"] }
create_days_before = 5
disable_after_days = 1
delete_after_days = 30
username = ["{given:1}{prefix}{family}", "{given}.{family}{n}"]
attributes = { displayName = "{given} {family}", department = "{primary.department}" }

[system.ad.thresholds]
delete = { count = 10, percent = 50 }

[[rule]]
name = "IC nurses"
days_before_start = 2
when = { department = ["IC", "SEH"], title = { prefix = "VPK" } }
grants = [{ system = "ad", kind = "group", key = "ic-nurses" }]

[[rule]]
name = "Everyone"
status = "any"
grants = [{ system = "ad", kind = "group", key = "staff" }]
"#;

fn contract(id: &str, dept: &str, title: &str, start: &str, end: Option<&str>) -> Contract {
    let (start, end) = (date(start), end.map(date));
    people::contract(ContractKind::Shift, id, (dept, dept), start, end).titled((title, title))
}

fn day(s: &str) -> NaiveDate {
    date(s)
}

#[test]
fn a_valid_file_parses_into_systems_and_rules() {
    let model = RoleModel::parse("roles.toml", MODEL).expect("valid");
    let ad = &model.systems["ad"];
    assert_eq!(ad.deviations, DeviationPolicy::Revoke);
    assert_eq!(ad.account.create_days_before, 5);
    assert_eq!(ad.account.delete_after_days, Some(30));
    assert_eq!(ad.thresholds[&ActionType::Delete].count, Some(10));
    assert_eq!(model.rules.len(), 2);
    assert_eq!(model.rules[0].conditions.fields.len(), 2);
}

#[test]
fn conditions_or_within_a_field_and_across_fields() {
    let model = RoleModel::parse("roles.toml", MODEL).expect("valid");
    let rule = &model.rules[0];
    let today = day("2026-11-22");
    let table = [
        (contract("a", "IC", "VPK-1", "2026-11-01", None), true),
        (contract("b", "SEH", "VPK", "2026-11-01", None), true),
        (contract("c", "OK", "VPK", "2026-11-01", None), false),
        (contract("d", "IC", "ARTS", "2026-11-01", None), false),
        // Starts in two days: inside the rule's two days before start.
        (contract("e", "IC", "VPK", "2026-11-24", None), true),
        (contract("f", "IC", "VPK", "2026-11-25", None), false),
        (
            contract("g", "IC", "VPK", "2026-10-01", Some("2026-11-21")),
            false,
        ),
    ];
    for (c, want) in table {
        let got = rule
            .in_conditions(std::slice::from_ref(&c), (today, tessera_domain::Zone::UTC))
            .is_some();
        assert_eq!(got, want, "contract {}", c.id);
    }
}

#[test]
fn regex_and_attribute_matchers() {
    let text = r#"
[system.x.account]
username = ["{id}"]

[[rule]]
name = "r"
status = "any"
when = { location = { regex = "^AMC-[0-9]+$" }, "attr.badge" = { equals = "yes" } }
grants = [{ system = "x", kind = "role", key = "k" }]
"#;
    let model = RoleModel::parse("r.toml", text).expect("valid");
    let mut c = contract("c", "IC", "VPK", "2026-01-01", None);
    c.location = Some(CodeName {
        code: "AMC-12".into(),
        name: String::new(),
    });
    c.attributes.push(tessera_domain::Attribute {
        name: "badge".into(),
        value: "yes".into(),
    });
    assert!(model.rules[0].conditions.matches(&c));
    c.location = Some(CodeName {
        code: "AMC-x".into(),
        name: String::new(),
    });
    assert!(!model.rules[0].conditions.matches(&c));
}

#[test]
fn every_error_is_listed_with_file_and_line() {
    let text = r#"[system.ad.account]
username = ["{given}.{familyy}"]
delete_after_days = -1

[[rule]]
name = "one"
when = { department = { regex = "([" } }
grants = [{ system = "nowhere", kind = "group", key = "g" }]

[[rule]]
name = "one"
when = { shoe = "x" }
grants = []

[[rule]]
nme = "typo"
grants = []
"#;
    let errors = RoleModel::parse("roles.toml", text).expect_err("invalid").0;
    let found: Vec<(usize, &str)> = errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    let expect = [
        (2, "familyy"),
        (3, "negative"),
        (7, "bad regex"),
        (8, "unknown system `nowhere`"),
        (11, "unique"),
        (12, "unknown contract field `shoe`"),
        (16, "nme"),
    ];
    for (line, text) in expect {
        assert!(
            found.iter().any(|(l, m)| *l == line && m.contains(text)),
            "missing {line}: {text} in {found:#?}"
        );
    }
    assert!(
        errors
            .iter()
            .all(|e| e.to_string().starts_with("roles.toml:"))
    );
}

#[test]
fn a_syntax_error_names_its_line() {
    let errors = RoleModel::parse(
        "r.toml",
        "[system.x.account]\nusername = [\"a\"\n\n[[rule]]\n",
    )
    .expect_err("invalid")
    .0;
    assert_eq!(errors.len(), 1);
    assert!(errors[0].line >= 2, "{:?}", errors[0]);
}

#[test]
fn several_files_make_one_model_and_every_file_names_its_problems() {
    let systems = "[system.ad.account]\nusername = [\"{given}\"]\n";
    let rules =
        "[[rule]]\nname = \"IC\"\ngrants = [{ system = \"ad\", kind = \"group\", key = \"ic\" }]\n";
    let model = RoleModel::parse_files(&[("systems.toml", systems), ("rules.toml", rules)])
        .expect("a rule may grant in a system another file defines");
    assert_eq!(model.rules[0].entitlements[0].0, "ad");
    let broken =
        "[[rule]]\nname = \"IC\"\ngrants = [{ system = \"hix\", kind = \"g\", key = \"k\" }]\n";
    let errors = RoleModel::parse_files(&[
        ("a.toml", systems),
        ("b.toml", systems),
        ("c.toml", broken),
        ("d.toml", "not toml"),
    ])
    .expect_err("invalid")
    .to_string();
    for want in [
        "b.toml:1: system `ad` is defined twice",
        "c.toml:3: rule `IC`: grants in unknown system `hix`",
        "d.toml:1:",
    ] {
        assert!(errors.contains(want), "{want} missing in:\n{errors}");
    }
}

#[test]
fn a_follow_up_names_a_known_system_and_a_template_that_parses() {
    let systems = "[system.hix.account]\nusername = [\"{given}\"]\n\
                   [system.topdesk.account]\nusername = [\"{given}\"]\n";
    let rule = |follow_up: &str| {
        format!(
            "{systems}[[rule]]\nname = \"IC\"\ngrants = [{{ system = \"hix\", kind = \"group\", \
             key = \"IC\", follow_up = {{ {follow_up} }} }}]\n"
        )
    };
    let good = rule(
        "system = \"topdesk\", template = \"Training {given}: {entitlement}\", hold_until_resolved = true",
    );
    let model = RoleModel::parse("roles.toml", &good).expect("valid");
    let f = &model.rules[0].follow_ups[0];
    assert_eq!((f.system.as_str(), f.hold), ("topdesk", true));
    assert_eq!(f.entitlement.key, "IC");

    for (follow_up, want) in [
        (
            "system = \"desk\", template = \"x\"",
            "rule `IC`: follow_up in unknown system `desk`",
        ),
        (
            "system = \"topdesk\", template = \"{nobody}\"",
            "unknown placeholder `{nobody}`",
        ),
        (
            "system = \"topdesk\", template = \"\"",
            "a follow-up needs a template",
        ),
        (
            "system = \"topdesk\", template = \"x\", hold = true",
            "unknown field `hold`",
        ),
    ] {
        let errors = RoleModel::parse("roles.toml", &rule(follow_up))
            .expect_err("invalid")
            .to_string();
        assert!(errors.contains(want), "{want} missing in:\n{errors}");
        assert!(errors.contains("roles.toml:"), "{errors}");
    }
}

/// A shift whose start and end are instants (as Elanza gives them).
fn night(id: &str, start: &str, end: &str) -> Contract {
    let at = |t: &str| t.parse::<tessera_domain::Timestamp>().expect("instant");
    let mut c = contract(id, "IC", "VPK", "2026-01-01", None);
    (c.start, c.end) = (Some(at(start)), Some(at(end)));
    c
}

/// Days are counted in the configured zone, on both sides of both daylight-saving changes:
/// a shift starting at 00:30 in Amsterdam starts that day, not the UTC day before, and the
/// rule's window, the account dates and the grace days all follow.
#[test]
fn contract_days_follow_the_zone_around_daylight_saving() {
    let utc = RoleModel::parse("roles.toml", MODEL).expect("valid");
    let ams = utc
        .clone()
        .in_zone(tessera_domain::Zone::named("Europe/Amsterdam").expect("zone"));
    assert_ne!(
        utc.digest, ams.digest,
        "a zone change recomputes the desired state"
    );
    let soll = |model: &RoleModel, c: Contract, today: &str| {
        let p = people::person("p1", "Ada", "Jansen", vec![c]);
        let mut s = crate::soll::person_soll(model, &p, &[], day(today));
        s.accounts.pop().expect("an AD account")
    };
    let has = |a: &crate::soll::AccountSoll, key: &str| {
        a.entitlements.iter().any(|e| e.entitlement.key == key)
    };
    // Before summer time: 23:30 UTC on the 28th is 00:30 CET on 29 March.
    let spring = night("s1", "2026-03-28T23:30:00Z", "2026-03-29T06:30:00Z");
    let (u, a) = (
        soll(&utc, spring.clone(), "2026-03-26"),
        soll(&ams, spring, "2026-03-26"),
    );
    assert_eq!(u.dates.enable_on, Some(day("2026-03-28")));
    assert_eq!(a.dates.enable_on, Some(day("2026-03-29")));
    assert_eq!(a.dates.create_on, Some(day("2026-03-24")));
    // Two days before the start: in UTC the rule already holds on the 26th, in Amsterdam not.
    assert!(has(&u, "ic-nurses") && !has(&a, "ic-nurses"));
    // Before winter time: 22:30 UTC on 24 October is 00:30 CEST on the 25th, so the account
    // is disabled a day later (end + 1 day grace + 1).
    let autumn = night("s2", "2026-10-24T20:00:00Z", "2026-10-24T22:30:00Z");
    let (u, a) = (
        soll(&utc, autumn.clone(), "2026-10-25"),
        soll(&ams, autumn, "2026-10-25"),
    );
    assert_eq!(u.dates.disable_on, Some(day("2026-10-26")));
    assert_eq!(a.dates.disable_on, Some(day("2026-10-27")));
    // On the 26th (after the change, UTC+1), the Amsterdam grace day still holds.
    let after = night("s3", "2026-10-24T20:00:00Z", "2026-10-24T22:30:00Z");
    assert_eq!(
        soll(&ams, after.clone(), "2026-10-26").state,
        crate::soll::AccountState::Enabled
    );
    assert_eq!(
        soll(&utc, after, "2026-10-26").state,
        crate::soll::AccountState::Retained
    );
}
