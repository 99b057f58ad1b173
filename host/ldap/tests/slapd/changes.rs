//! RFC 4533 content synchronisation (refreshOnly) against slapd with `syncprov`: every
//! create, modify and delete since a cookie shows exactly once, and a cookie slapd cannot go
//! on from is an error that says so.

use tessera_ldap::{ChangeRequest, Changes, Feed, Modification, ModifyOp, Pool};
use tessera_test_servers::slapd::{Slapd, SlapdOptions};

use crate::common::*;

fn synced_directory() -> Slapd {
    synced_with_log(1000)
}

fn synced_with_log(log: u32) -> Slapd {
    let slapd = Slapd::start(SlapdOptions {
        content_sync: Some(log),
        ..SlapdOptions::default()
    });
    slapd.add_people("people", 5);
    slapd.add_people("staff", 3);
    slapd
}

async fn changes(pool: &Pool, cookie: Option<Vec<u8>>) -> Changes {
    ok(pool
        .search_changes(ChangeRequest {
            feed: Feed::ContentSync,
            base: PEOPLE.into(),
            filter: "(objectClass=inetOrgPerson)".into(),
            attributes: vec!["uid".into(), "mail".into()],
            cookie,
        })
        .await)
}

fn uids(changes: &Changes) -> Vec<String> {
    let mut uids: Vec<String> = changes
        .entries
        .iter()
        .filter_map(|e| e.first("uid").map(str::to_string))
        .collect();
    uids.sort();
    uids
}

#[tokio::test]
async fn creates_modifies_and_deletes_appear_once_each() {
    let slapd = synced_directory();
    let pool = root_pool(&slapd, PEOPLE);
    let start = changes(&pool, None).await;
    assert!(start.entries.is_empty(), "a new feed starts from now");
    assert!(!start.cookie.is_empty());
    let nothing = changes(&pool, Some(start.cookie.clone())).await;
    assert!(nothing.entries.is_empty() && nothing.deleted.is_empty());

    let new = format!("uid=new,{PEOPLE}");
    ok(pool.add(&new, person("new")).await);
    let first = uid_dn(&slapd, 0);
    let mail = Modification {
        op: ModifyOp::Replace,
        attribute: "mail".into(),
        values: vec![b"changed@example.org".to_vec()],
    };
    ok(pool.modify(&first, vec![mail]).await);
    let gone = uid_dn(&slapd, 1);
    let gone_uuid = entry_uuid(&slapd, &gone);
    ok(pool.delete(&gone).await);
    // A change outside the base is not this feed's.
    ok(root_pool(&slapd, STAFF)
        .delete(&format!("uid=user00000,{STAFF}"))
        .await);

    let since = changes(&pool, Some(nothing.cookie.clone())).await;
    assert_eq!(uids(&since), ["new", "user00000"]);
    let changed = since
        .entries
        .iter()
        .find(|e| e.first("uid") == Some("user00000"));
    assert_eq!(
        changed.and_then(|e| e.first("mail")),
        Some("changed@example.org")
    );
    assert!(since.deletes_complete, "the session log reaches back");
    // slapd lists the deletion outside the base as well: it cannot place a deleted entry.
    assert_eq!(since.deleted.iter().filter(|d| **d == gone_uuid).count(), 1);

    let again = changes(&pool, Some(since.cookie.clone())).await;
    assert!(
        again.entries.is_empty() && again.deleted.is_empty(),
        "{again:?}"
    );
}

#[tokio::test]
async fn deletions_older_than_the_session_log_are_not_claimed_complete() {
    let slapd = synced_with_log(2);
    let pool = root_pool(&slapd, PEOPLE);
    let start = changes(&pool, None).await;
    for n in 0..5 {
        ok(pool.delete(&uid_dn(&slapd, n)).await);
    }
    let since = changes(&pool, Some(start.cookie)).await;
    assert!(
        !since.deletes_complete,
        "five deletions, a log of two: {since:?}"
    );
}

#[tokio::test]
async fn a_feed_outside_the_base_is_refused_before_the_server() {
    let slapd = synced_directory();
    let pool = root_pool(&slapd, PEOPLE);
    let result = pool
        .search_changes(ChangeRequest {
            feed: Feed::ContentSync,
            base: STAFF.into(),
            filter: "(objectClass=*)".into(),
            attributes: vec![],
            cookie: None,
        })
        .await;
    assert_outside(result);
}

fn uid_dn(_slapd: &Slapd, n: usize) -> String {
    format!("uid=user{n:05},{PEOPLE}")
}

fn entry_uuid(slapd: &Slapd, dn: &str) -> Vec<u8> {
    let ldif = slapd.search(dn, "base", "(objectClass=*)", &["entryUUID"]);
    let text = ldif
        .lines()
        .find_map(|l| l.strip_prefix("entryUUID: "))
        .expect("entryUUID");
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}
