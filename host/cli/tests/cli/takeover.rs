//! Taking over a system Tessera did not build: `tessera adopt` keeps the rights the last full
//! run listed as deviations, `tessera takeover report` finds the grants a rule now also gives,
//! and `tessera takeover withdraw` withdraws those, audited.

use chrono::Utc;
use serde_json::{Value, json};
use tessera_engine::plan::{Plan, save_plan};
use tessera_store::SqliteStore;
use tessera_testkit::command::text;

use super::engine::{Install, ROLES};

/// A full run's plan of `directory` as it was before the role model had its rule: the first
/// nurse's account holds `IC-nurses` (which the rule gives now) and `HiX-users`, and an
/// account nobody owns holds `old-share`.
fn store_listed_deviations(install: &Install) {
    let deviation = |account: &str, person: Option<&str>, key: &str| {
        json!({
            "system": "directory", "account": account, "username": null, "person": person,
            "entitlement": {"kind": "group", "key": key}, "policy": "report"
        })
    };
    let plan: Plan = serde_json::from_value(json!({
        "system": "directory", "today": "2026-11-22", "serial_writes": false,
        "operations": [], "blocked": [], "deferred": [], "situations": [],
        "deviations": [
            deviation("A0", Some("P000001"), "IC-nurses"),
            deviation("A0", Some("P000001"), "HiX-users"),
            deviation("X9", None, "old-share"),
        ],
    }))
    .unwrap();
    let store = SqliteStore::open(install.path("tessera.db")).unwrap();
    save_plan(&store, &mut plan.clone(), Utc::now()).unwrap();
}

#[test]
fn adopted_rights_a_rule_now_gives_are_reported_and_withdrawn() {
    let install = Install::with_plugins("", ROLES);
    install.json(0, &["sync", "--json", "--full"]);
    store_listed_deviations(&install);
    let adopt = [
        "adopt",
        "--system",
        "directory",
        "--all",
        "--by",
        "ops",
        "--reason",
        "kept at take-over",
    ];
    let out = install.run(&adopt);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 deviations on directory adopted"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("1 deviations left alone"),
        "{}",
        text(&out.stderr)
    );
    let again = install.run(&adopt);
    assert!(!again.status.success(), "nothing is adopted twice");
    assert!(
        text(&again.stderr).contains("no deviation"),
        "{}",
        text(&again.stderr)
    );

    let report = install.json(
        0,
        &["takeover", "report", "--system", "directory", "--json"],
    );
    let covered = report.as_array().unwrap();
    assert_eq!(covered.len(), 1, "{report}");
    assert_eq!(covered[0]["grant"]["entitlement"]["key"], "IC-nurses");
    assert_eq!(covered[0]["rules"], json!(["IC nurses"]));

    let withdraw = [
        "takeover",
        "withdraw",
        "--system",
        "directory",
        "--by",
        "ops",
        "--reason",
        "the role model gives it",
    ];
    let done = install.expect(0, &withdraw);
    assert!(
        done.contains("1 manual grants on directory withdrawn"),
        "{done}"
    );
    let grants = install.json(0, &["grants", "--json"]);
    let keys: Vec<&Value> = grants
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["entitlement"]["key"])
        .collect();
    assert_eq!(
        keys,
        vec!["HiX-users"],
        "only the right no rule gives stays a grant"
    );
    let audit = install.expect(0, &["audit", "export", "--format", "csv"]);
    assert!(audit.contains("takeover-withdraw"), "{audit}");
    assert!(audit.contains("the role model gives it"), "{audit}");
}
