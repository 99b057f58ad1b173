//! The target contract and the change-feed contract every plugin keeps, on the real Samba AD
//! DC.

use tessera_testkit::contract::{self, TargetCase};

use super::{Domain, group_keys, key_of};

/// A case for a new user `username` in a fresh OU whose group `Staff` is granted.
async fn case(domain: &Domain, username: &str) -> (tessera_testkit::Lifecycle, TargetCase) {
    let life = domain.lifecycle(&[]);
    let keys = group_keys(&life).await;
    let person = [("displayName", "One"), ("sn", "One")];
    let case = TargetCase::new(username, &person, ("displayName", "Two"))
        .entitlement("group", &key_of(&keys, "Staff"));
    (life, case)
}

/// The target contract every plugin keeps, against the real Samba AD DC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_keeps_the_target_contract() {
    let domain = Domain::new("contract", &["Staff"]);
    let (life, case) = case(&domain, "keeper").await;
    let mut target = life.target().await;
    assert_eq!(
        contract::target(target.as_mut(), &case).await,
        contract::EVERY_STEP
    );
}

/// The change-feed contract on Samba's DirSync: each write shows once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_shows_each_write_once() {
    let domain = Domain::new("feedcontract", &["Staff"]);
    let (life, case) = case(&domain, "feeder").await;
    let mut target = life.target().await;
    let ran = contract::feed(target.as_mut(), &case).await;
    assert_eq!(ran, ["create", "grant", "revoke", "update", "delete"]);
}
