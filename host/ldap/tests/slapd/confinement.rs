//! Every DN must lie under the base DN; attempts to leave it fail before reaching the server
//! and change nothing, which is checked by reading as root.

use tessera_ldap::{Error, Modification, ModifyOp, Scope, SearchRequest};

use crate::common::*;

fn replace_sn() -> Vec<Modification> {
    vec![Modification {
        op: ModifyOp::Replace,
        attribute: "sn".into(),
        values: vec![b"changed".to_vec()],
    }]
}

#[tokio::test]
async fn differently_cased_dn_inside_the_base_is_allowed() {
    let slapd = directory(2);
    let pool = root_pool(&slapd, PEOPLE);
    ok(pool
        .modify("UID=User00001, OU=People, DC=Example, DC=ORG", replace_sn())
        .await);
    let ldif = slapd.search(
        &format!("uid=user00001,{PEOPLE}"),
        "base",
        "(objectClass=*)",
        &["sn"],
    );
    assert!(ldif.contains("sn: changed"), "{ldif}");
    assert!(ok(pool
        .compare(
            "uid=user00001,ou=PEOPLE,dc=example,dc=org",
            "sn",
            b"changed"
        )
        .await));
}

#[tokio::test]
async fn escaped_comma_cannot_reach_the_parent() {
    let slapd = directory(0);
    let pool = root_pool(&slapd, PEOPLE);
    // As a string this ends with the base DN, but its first RDN swallows `ou=people`, so the
    // entry would be created directly under dc=example,dc=org.
    let sneaky = r"cn=x\,ou=people,dc=example,dc=org";
    assert_outside(pool.add(sneaky, person("x")).await);
    assert!(!slapd.exists(sneaky));
    assert_eq!(slapd.count("dc=example,dc=org", "one", "(cn=x*)"), 0);
}

#[tokio::test]
async fn sibling_trees_are_outside() {
    let slapd = directory(1);
    let pool = root_pool(&slapd, PEOPLE);
    let victim = format!("uid=user00000,{STAFF}");
    let before = slapd.search(&victim, "base", "(objectClass=*)", &[]);
    assert_outside(pool.delete(&victim).await);
    assert_outside(pool.modify(&victim, replace_sn()).await);
    assert_outside(pool.compare(&victim, "sn", b"0").await);
    assert_outside(pool.add(&format!("uid=new,{STAFF}"), person("new")).await);
    assert_outside(
        pool.modify_dn(&victim, "uid=moved", true, Some(PEOPLE))
            .await,
    );
    assert_outside(pool.delete("dc=example,dc=org").await);
    assert_eq!(
        slapd.search(&victim, "base", "(objectClass=*)", &[]),
        before
    );
    assert!(!slapd.exists(&format!("uid=new,{STAFF}")));
    assert!(!slapd.exists(&format!("uid=moved,{PEOPLE}")));
}

#[tokio::test]
async fn searches_outside_the_base_are_refused() {
    let slapd = directory(1);
    let pool = root_pool(&slapd, PEOPLE);
    for base in [
        STAFF,
        "dc=example,dc=org",
        "",
        r"ou=people\,dc=example,dc=org",
    ] {
        let req = SearchRequest {
            base: base.into(),
            scope: Scope::Subtree,
            filter: "(objectClass=*)".into(),
            attributes: vec![],
            page_size: 0,
        };
        assert_outside(pool.search(req).await.map(|_| ()));
    }
}

#[tokio::test]
async fn modify_dn_cannot_move_or_rename_out_of_the_base() {
    let slapd = directory(2);
    let pool = root_pool(&slapd, PEOPLE);
    let entry = format!("uid=user00000,{PEOPLE}");
    assert_outside(
        pool.modify_dn(&entry, "uid=user00000", true, Some(STAFF))
            .await,
    );
    assert_outside(
        pool.modify_dn(&entry, "uid=x", true, Some("dc=example,dc=org"))
            .await,
    );
    // Renaming the base itself would put it beside the base.
    assert_outside(pool.modify_dn(PEOPLE, "ou=elsewhere", true, None).await);
    let smuggled = pool.modify_dn(&entry, "uid=x,ou=staff", true, None).await;
    assert!(
        matches!(smuggled, Err(Error::InvalidDn { .. })),
        "{smuggled:?}"
    );
    assert!(slapd.exists(&entry) && slapd.exists(PEOPLE));
    assert_eq!(slapd.count(STAFF, "one", "(objectClass=*)"), 3);
    assert!(!slapd.exists("ou=elsewhere,dc=example,dc=org"));
}

#[tokio::test]
async fn malformed_dns_are_invalid_not_sent() {
    let slapd = directory(0);
    let pool = root_pool(&slapd, PEOPLE);
    let result = pool
        .add("cn=a;b,ou=people,dc=example,dc=org", person("a"))
        .await;
    assert!(matches!(result, Err(Error::InvalidDn { .. })), "{result:?}");
    assert_eq!(slapd.count(PEOPLE, "one", "(objectClass=*)"), 0);
}
