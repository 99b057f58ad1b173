//! The hsa plugin's content-sync feed against slapd with syncprov: a created person, a
//! change, a commission grant and Tessera's own delete each appear once; a deletion by
//! someone else or a foreign cursor make the engine read in full.

use tessera_domain::{AccountSpec, Attribute, ConnectorError, EntitlementRef, Membership};
use tessera_test_servers::hsa;

use super::{COMMISSION, inactive, lifecycle};

fn spec() -> AccountSpec {
    let attribute = |name: &str, value: &str| Attribute {
        name: name.into(),
        value: value.into(),
    };
    AccountSpec {
        username: "fheed".into(),
        enabled: true,
        attributes: vec![
            attribute("givenName", "Fia"),
            attribute("sn", "Heed"),
            attribute("ou", "Intensive Care"),
            attribute("departmentNumber", "IC"),
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_change_appears_once_and_foreign_deletes_force_a_full_read() {
    let slapd = hsa::start();
    let life = lifecycle(&slapd, &inactive());
    let mut target = life.target().await;
    let start = target.read_changes(None).await.unwrap();
    assert!(start.accounts.is_empty());

    let created = target.create(&spec()).await.unwrap();
    let first = target.read_changes(Some(&start.cursor)).await.unwrap();
    let keys: Vec<&str> = first.accounts.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, [created.key.as_str()]);

    let commission = EntitlementRef {
        kind: "commission".into(),
        key: COMMISSION.into(),
    };
    target.grant(&created.key, &commission).await.unwrap();
    let granted = target.read_changes(Some(&first.cursor)).await.unwrap();
    let membership = Membership {
        account: created.key.clone(),
        entitlement: commission,
    };
    assert_eq!(granted.granted, [membership]);
    assert!(granted.accounts.is_empty());

    target.delete(&created.key).await.unwrap();
    let deleted = target.read_changes(Some(&granted.cursor)).await.unwrap();
    assert_eq!(
        deleted.removed,
        std::slice::from_ref(&created.key),
        "Tessera's own delete, named"
    );

    let quiet = target.read_changes(Some(&deleted.cursor)).await.unwrap();
    assert!(quiet.accounts.is_empty() && quiet.removed.is_empty() && quiet.granted.is_empty());

    // Someone else deletes a person: the plugin cannot name it, so the engine reads in full.
    let other_spec = AccountSpec {
        username: "oother".into(),
        ..spec()
    };
    let other = target.create(&other_spec).await.unwrap();
    let seen = target.read_changes(Some(&quiet.cursor)).await.unwrap();
    let dn = super::dn_of(&slapd, &other.key).unwrap();
    slapd.delete(&dn);
    let foreign = target.read_changes(Some(&seen.cursor)).await;
    assert!(
        matches!(foreign, Err(ConnectorError::CursorInvalid(_))),
        "{foreign:?}"
    );
    for cursor in [&b"contentsync:"[..], b"elsewhere"] {
        let result = target.read_changes(Some(cursor)).await;
        assert!(
            matches!(result, Err(ConnectorError::CursorInvalid(_))),
            "{result:?}"
        );
    }
}
