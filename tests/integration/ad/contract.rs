//! The target contract and the change-feed contract every plugin keeps, on the real Samba AD
//! DC.

use tessera_domain::{AttributeChange, EntitlementRef};

use super::{Domain, group_keys, key_of, spec};

/// The target contract every plugin keeps, against the real Samba AD DC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_target_contract() {
    let domain = Domain::new("contract", &["Staff"]);
    let life = domain.lifecycle(&[]);
    let keys = group_keys(&life).await;
    let mut target = life.target().await;
    let case = tessera_testkit::contract::TargetCase {
        spec: spec("keeper", "Keeper One"),
        change: vec![AttributeChange {
            name: "displayName".into(),
            values: vec!["Keeper Two".into()],
        }],
        entitlement: Some(EntitlementRef {
            kind: "group".into(),
            key: key_of(&keys, "Staff"),
        }),
        missing: "00000000-0000-4000-8000-00000000dead".into(),
    };
    let ran = tessera_testkit::contract::target(target.as_mut(), &case).await;
    let all = [
        "create",
        "list",
        "get",
        "not-found",
        "update",
        "grant",
        "revoke",
        "disable",
        "enable",
        "delete",
    ];
    assert_eq!(ran, all);
}

/// The change-feed contract on Samba's DirSync: each write shows once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_shows_each_write_once() {
    let domain = Domain::new("feedcontract", &["Staff"]);
    let life = domain.lifecycle(&[]);
    let keys = group_keys(&life).await;
    let mut target = life.target().await;
    let case = tessera_testkit::contract::TargetCase {
        spec: spec("feeder", "Feeder One"),
        change: vec![AttributeChange {
            name: "displayName".into(),
            values: vec!["Feeder Two".into()],
        }],
        entitlement: Some(EntitlementRef {
            kind: "group".into(),
            key: key_of(&keys, "Staff"),
        }),
        missing: String::new(),
    };
    let ran = tessera_testkit::contract::feed(target.as_mut(), &case).await;
    assert_eq!(ran, ["create", "grant", "revoke", "update", "delete"]);
}
