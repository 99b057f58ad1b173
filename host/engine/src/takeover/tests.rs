//! Which grants a rule covers, and their withdrawal.

use tessera_domain::{EntitlementRef, Person};
use tessera_store::prelude::*;
use tessera_store::{NewGrant, SqliteStore};
use tessera_testkit::fakes::FakeSource;
use tessera_testkit::models::IC_NURSES;
use tessera_testkit::{day, noon, person, shift};

use super::*;
use crate::decisions;
use crate::import::{ImportOptions, SourceSettings, import};

fn group(key: &str) -> EntitlementRef {
    EntitlementRef {
        kind: "group".into(),
        key: key.into(),
    }
}

async fn store_with(persons: Vec<Person>) -> SqliteStore {
    let store = SqliteStore::open_in_memory().expect("store");
    let mut source = FakeSource::new(persons, 10);
    let settings = SourceSettings::default();
    let report = import(
        &store,
        &mut source,
        "hr",
        &settings,
        ImportOptions::default(),
        noon(day(0)),
    )
    .await
    .expect("import");
    assert!(report.committed);
    store
}

fn grant(store: &SqliteStore, person: &str, key: &str) -> i64 {
    let grant = NewGrant {
        person: person.into(),
        system: "ad".into(),
        entitlement: group(key),
        reason: "adopted at take-over".into(),
        author: "ops".into(),
        until: None,
        needs_approval: false,
    };
    decisions::add_grant(store, &grant, noon(day(0))).expect("grant")
}

/// An IC nurse on shift from day 5 to day 60 and an emergency nurse; four grants.
async fn setup() -> (SqliteStore, RoleModel, [i64; 4]) {
    let store = store_with(vec![
        person(
            "ic",
            "Ida",
            "Visser",
            vec![shift("s1", "IC", day(5), day(60))],
        ),
        person(
            "seh",
            "Sem",
            "Bakker",
            vec![shift("s2", "SEH", day(0), day(60))],
        ),
    ])
    .await;
    let model = RoleModel::parse("roles.toml", IC_NURSES).expect("model");
    let ids = [
        grant(&store, "ic", "ic"),
        grant(&store, "ic", "vpn"),
        grant(&store, "seh", "ic"),
        grant(&store, "ic", "ic"),
    ];
    decisions::revoke_grant(&store, ids[3], "ops", noon(day(0))).expect("withdrawn");
    (store, model, ids)
}

#[tokio::test]
async fn only_grants_a_rule_gives_today_are_covered() {
    let (store, model, ids) = setup().await;
    let before = covered(&store, &model, "ad", day(1)).expect("covered");
    assert!(
        before.is_empty(),
        "the rule gives nothing before the shift: {before:?}"
    );
    let found = covered(&store, &model, "ad", day(10)).expect("covered");
    let got: Vec<(i64, Vec<String>)> = found
        .iter()
        .map(|c| (c.grant.id, c.rules.clone()))
        .collect();
    assert_eq!(got, vec![(ids[0], vec!["IC nurses".to_owned()])]);
    assert!(found[0].rules_until.is_some_and(|u| u >= day(60)));
    assert!(
        covered(&store, &model, "hix", day(10))
            .expect("covered")
            .is_empty()
    );
}

#[tokio::test]
async fn withdrawing_covered_grants_leaves_the_rest_and_is_audited() {
    let (store, model, ids) = setup().await;
    let done = withdraw(
        &store,
        &model,
        "ad",
        ("role model covers it", "olga"),
        noon(day(10)),
    )
    .expect("withdraw");
    assert_eq!(done.len(), 1);
    let left: Vec<i64> = store
        .grants(false)
        .expect("grants")
        .iter()
        .filter(|g| g.holds_on(day(10)))
        .map(|g| g.id)
        .collect();
    assert_eq!(left, vec![ids[1], ids[2]]);
    let trail = store.audit_entries(None).expect("trail");
    let record = &trail.last().expect("a record").record;
    assert_eq!(record.action, "takeover-withdraw");
    assert_eq!(record.actor.as_deref(), Some("olga"));
    assert!(
        record
            .why
            .as_deref()
            .is_some_and(|w| w.contains("IC nurses")),
        "{record:?}"
    );
    let again = withdraw(&store, &model, "ad", ("again", "olga"), noon(day(10))).expect("again");
    assert!(again.is_empty(), "nothing is withdrawn twice");
}
