//! Paged searches, entry decoding and filter escaping against slapd.

use std::collections::HashSet;

use tessera_ldap::{AttributeValue, Dn, Entry, Error, Scope, SearchRequest, SearchStream};
use tessera_sdk::ldap::{child_dn, eq_filter};
use tessera_test_servers::slapd::{Slapd, SlapdOptions};

use crate::common::*;

fn request(base: &str, filter: &str, page_size: u32) -> SearchRequest {
    SearchRequest {
        base: base.into(),
        scope: Scope::Subtree,
        filter: filter.into(),
        attributes: vec![],
        page_size,
    }
}

/// Every batch, bounded so a broken stream cannot loop forever.
async fn all_batches(mut stream: SearchStream) -> Vec<Vec<Entry>> {
    let mut batches = Vec::new();
    for _ in 0..1_000 {
        match ok(stream.next_batch().await) {
            Some(batch) => batches.push(batch),
            None => return batches,
        }
    }
    panic!("search did not end after 1,000 batches");
}

#[tokio::test]
async fn paged_search_returns_every_entry_in_full_batches() {
    let slapd = directory(2_500);
    let pool = root_pool(&slapd, PEOPLE);
    let stream = ok(pool
        .search(request(PEOPLE, "(objectClass=inetOrgPerson)", 500))
        .await);
    let batches = all_batches(stream).await;
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![500; 5]);
    let dns: HashSet<String> = batches
        .iter()
        .flatten()
        .map(|e| e.dn.to_lowercase())
        .collect();
    assert_eq!(dns.len(), 2_500);
    assert!(dns.contains(&format!("uid=user02499,{PEOPLE}")));
}

/// A user limited to 1,000 entries, like an AD account: only paging gets all 2,500, which
/// shows the paged-results control is really sent.
#[tokio::test]
async fn paging_gets_past_the_server_size_limit() {
    let reader = "cn=reader,dc=example,dc=org";
    let ldif = format!(
        "dn: {reader}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n\
         cn: reader\nuserPassword: reader-secret\n"
    );
    let options = SlapdOptions {
        ldif: Some(ldif),
        user_size_limit: Some(1_000),
        ..Default::default()
    };
    let slapd = Slapd::start(options);
    slapd.add_people("people", 2_500);
    let pool = pool_from(spec(&slapd.url(), reader, PEOPLE), "reader-secret");
    let stream = ok(pool.search(request(PEOPLE, "(uid=*)", 0)).await);
    let batches = all_batches(stream).await;
    assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 2_500);
    assert_eq!(batches.len(), 5, "default page size is 500");
    // Pages larger than the limit are refused outright (slapd: adminLimitExceeded).
    let too_big = pool.search(request(PEOPLE, "(uid=*)", 2_000)).await;
    let result = match too_big {
        Ok(stream) => all_batches_result(stream).await,
        Err(err) => Err(err),
    };
    assert_ldap_code(result, 11);
}

async fn all_batches_result(mut stream: SearchStream) -> Result<usize, Error> {
    let mut total = 0;
    for _ in 0..1_000 {
        match stream.next_batch().await? {
            Some(batch) => total += batch.len(),
            None => return Ok(total),
        }
    }
    panic!("search did not end");
}

#[tokio::test]
async fn entries_keep_requested_attributes_and_binary_values() {
    let slapd = directory(3);
    let pool = root_pool(&slapd, PEOPLE);
    let dn = format!("uid=photo,{PEOPLE}");
    let mut attributes = person("photo");
    let jpeg = vec![0xff, 0xd8, 0xff, 0x00, 0x80, 0xfe];
    attributes.push(("jpegPhoto".into(), vec![jpeg.clone()]));
    ok(pool.add(&dn, attributes).await);
    let mut req = request(PEOPLE, "(uid=photo)", 0);
    req.attributes = vec!["cn".into(), "jpegPhoto".into()];
    let batches = all_batches(ok(pool.search(req).await)).await;
    let entry = &batches[0][0];
    assert_eq!(entry.first("cn"), Some("photo"));
    assert!(entry.values("uid").is_empty(), "uid was not requested");
    assert_eq!(
        entry.binary_attributes,
        vec![("jpegPhoto".to_string(), vec![jpeg])]
    );
}

#[tokio::test]
async fn scopes_limit_the_search() {
    let slapd = directory(4);
    let pool = root_pool(&slapd, PEOPLE);
    let count = |scope| {
        let mut req = request(PEOPLE, "(objectClass=*)", 0);
        req.scope = scope;
        let pool = &pool;
        async move { all_batches(ok(pool.search(req).await)).await.concat().len() }
    };
    assert_eq!(count(Scope::Base).await, 1);
    assert_eq!(count(Scope::OneLevel).await, 4);
    assert_eq!(count(Scope::Subtree).await, 5);
}

#[tokio::test]
async fn missing_base_is_no_such_object_and_bad_filters_are_refused() {
    let slapd = directory(1);
    let pool = root_pool(&slapd, PEOPLE);
    let missing = pool
        .search(request(&format!("ou=gone,{PEOPLE}"), "(uid=*)", 0))
        .await;
    assert_ldap_code(missing.map(|_| ()), 32);
    let bad = pool.search(request(PEOPLE, "(cn=a", 0)).await;
    assert!(
        matches!(bad, Err(Error::InvalidFilter { .. })),
        "{:?}",
        bad.map(|_| ())
    );
}

#[tokio::test]
async fn awkward_value_round_trips_through_filter_and_dn() {
    let value = "O'Brien, Jr. (IC)*";
    let slapd = directory(0);
    let pool = root_pool(&slapd, PEOPLE);
    for cn in [value, "O'Brien, Jr. (IC)x", "O'Brien"] {
        let mut attributes = person("obrien");
        attributes[2] = attribute("cn", &[cn]);
        ok(pool.add(&child_dn("cn", cn, PEOPLE), attributes).await);
    }
    let unescaped = pool
        .search(request(PEOPLE, &format!("(cn={value})"), 0))
        .await;
    assert!(matches!(unescaped, Err(Error::InvalidFilter { .. })));
    let found = all_batches(ok(pool
        .search(request(PEOPLE, &eq_filter("cn", value), 0))
        .await))
    .await;
    let found: Vec<Entry> = found.concat();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].first("cn"), Some(value));
    let dn = ok(Dn::parse(&found[0].dn));
    assert_eq!(
        dn.rdns()[0].avas()[0].value(),
        &AttributeValue::Text(value.into())
    );
    assert_eq!(dn, ok(Dn::parse(&child_dn("cn", value, PEOPLE))));
}
