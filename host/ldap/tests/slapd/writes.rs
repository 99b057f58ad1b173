//! Add, modify, delete, modify-DN and compare against slapd, checked by reading as root.

use tessera_ldap::{Error, Modification, ModifyOp};

use crate::common::*;

fn change(op: ModifyOp, attribute: &str, values: &[&str]) -> Modification {
    Modification {
        op,
        attribute: attribute.into(),
        values: values.iter().map(|v| v.as_bytes().to_vec()).collect(),
    }
}

#[tokio::test]
async fn add_then_delete() {
    let slapd = directory(0);
    let pool = root_pool(&slapd, PEOPLE);
    let dn = format!("uid=new,{PEOPLE}");
    ok(pool.add(&dn, person("new")).await);
    assert!(slapd.exists(&dn));
    assert_ldap_code(pool.add(&dn, person("new")).await, 68);
    ok(pool.delete(&dn).await);
    assert!(!slapd.exists(&dn));
    // The server names the closest entry it found: the parent the entry was deleted from.
    match pool.delete(&dn).await {
        Err(Error::Ldap {
            code: 32, matched, ..
        }) => assert!(matched.eq_ignore_ascii_case(PEOPLE), "{matched}"),
        other => panic!("expected noSuchObject, got {other:?}"),
    }
}

#[tokio::test]
async fn add_without_values_is_refused_before_the_server() {
    let slapd = directory(0);
    let pool = root_pool(&slapd, PEOPLE);
    let dn = format!("uid=empty,{PEOPLE}");
    let mut attributes = person("empty");
    attributes.push(("mail".into(), vec![]));
    let result = pool.add(&dn, attributes).await;
    assert!(
        matches!(result, Err(Error::InvalidRequest(_))),
        "{result:?}"
    );
    assert!(!slapd.exists(&dn));
}

#[tokio::test]
async fn modify_adds_replaces_and_deletes_values() {
    let slapd = directory(1);
    let pool = root_pool(&slapd, PEOPLE);
    let dn = format!("uid=user00000,{PEOPLE}");
    let changes = vec![
        change(ModifyOp::Add, "telephoneNumber", &["+31 1", "+31 2"]),
        change(ModifyOp::Replace, "mail", &["new@example.org"]),
        change(ModifyOp::Delete, "employeeNumber", &[]),
    ];
    ok(pool.modify(&dn, changes).await);
    let ldif = slapd.search(&dn, "base", "(objectClass=*)", &[]);
    assert!(
        ldif.contains("telephoneNumber: +31 1\n") && ldif.contains("telephoneNumber: +31 2\n"),
        "{ldif}"
    );
    assert!(
        ldif.contains("mail: new@example.org\n") && !ldif.contains("user00000@"),
        "{ldif}"
    );
    assert!(!ldif.contains("employeeNumber"), "{ldif}");

    ok(pool
        .modify(
            &dn,
            vec![change(ModifyOp::Delete, "telephoneNumber", &["+31 1"])],
        )
        .await);
    let ldif = slapd.search(&dn, "base", "(objectClass=*)", &["telephoneNumber"]);
    assert!(!ldif.contains("+31 1") && ldif.contains("+31 2"), "{ldif}");

    let again = pool
        .modify(
            &dn,
            vec![change(ModifyOp::Add, "telephoneNumber", &["+31 2"])],
        )
        .await;
    assert_ldap_code(again, 20);
    let missing = format!("uid=nobody,{PEOPLE}");
    assert_ldap_code(
        pool.modify(&missing, vec![change(ModifyOp::Replace, "sn", &["x"])])
            .await,
        32,
    );
}

#[tokio::test]
async fn modify_dn_renames_and_moves() {
    let slapd = directory(2);
    let pool = root_pool(&slapd, "dc=example,dc=org");
    let old = format!("uid=user00000,{PEOPLE}");
    ok(pool.modify_dn(&old, "uid=renamed", true, None).await);
    let renamed = format!("uid=renamed,{PEOPLE}");
    assert!(!slapd.exists(&old) && slapd.exists(&renamed));
    let ldif = slapd.search(&renamed, "base", "(objectClass=*)", &["uid"]);
    assert!(
        ldif.contains("uid: renamed") && !ldif.contains("uid: user00000"),
        "old RDN value deleted: {ldif}"
    );

    ok(pool
        .modify_dn(&renamed, "uid=renamed", true, Some(STAFF))
        .await);
    assert!(!slapd.exists(&renamed) && slapd.exists(&format!("uid=renamed,{STAFF}")));

    let taken = pool
        .modify_dn(
            &format!("uid=user00001,{PEOPLE}"),
            "uid=user00000",
            false,
            Some(STAFF),
        )
        .await;
    assert_ldap_code(taken, 68);
    assert_ldap_code(pool.modify_dn(&old, "uid=x", true, None).await, 32);
}

#[tokio::test]
async fn compare_reports_equality_by_matching_rule() {
    let slapd = directory(1);
    let pool = root_pool(&slapd, PEOPLE);
    let dn = format!("uid=user00000,{PEOPLE}");
    assert!(
        ok(pool.compare(&dn, "cn", b"user 0").await),
        "cn matches case-insensitively"
    );
    assert!(!ok(pool.compare(&dn, "cn", b"User 1").await));
    assert_ldap_code(
        pool.compare(&format!("uid=nobody,{PEOPLE}"), "cn", b"x")
            .await,
        32,
    );
}

#[tokio::test]
async fn wrong_password_is_invalid_credentials_and_never_shown() {
    let slapd = directory(0);
    let secret = "not-the-password-4711";
    let pool = pool_from(spec(&slapd.url(), &slapd.root_dn(), PEOPLE), secret);
    assert!(!format!("{pool:?}").contains(secret));
    let result = pool.delete(&format!("uid=x,{PEOPLE}")).await;
    let shown = format!(
        "{result:?} {}",
        result
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    assert!(!shown.contains(secret), "{shown}");
    assert_ldap_code(result, 49);
}
