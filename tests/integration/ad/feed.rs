//! The active-directory plugin's DirSync feed against the Samba DC: each change appears once,
//! a change made in AD behind Tessera's back is found by the next incremental run, and a
//! cursor the DC will not honour makes the engine read in full.

use tessera_domain::{ConnectorError, EntitlementRef, Membership};
use tessera_store::Feeds;
use tessera_sync::Mode;
use tessera_testkit::lifecycle::ops;
use tessera_testkit::{day, employment, noon, person};

use super::{Domain, group_keys, key_of, model, spec};

fn count(keys: impl IntoIterator<Item = String>, key: &str) -> usize {
    keys.into_iter().filter(|k| k == key).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_modify_group_changes_and_delete_each_appear_once() {
    let domain = Domain::new("feed", &["Nurses"]);
    let life = domain.lifecycle(&[]);
    let nurses = key_of(&group_keys(&life).await, "Nurses");
    let mut target = life.target().await;
    let start = target.read_changes(None).await.unwrap();
    assert!(start.accounts.is_empty() && start.removed.is_empty());

    let account = target.create(&spec("feeda", "Feed A")).await.unwrap();
    let created = target.read_changes(Some(&start.cursor)).await.unwrap();
    let keys = created.accounts.iter().map(|a| a.key.clone());
    assert_eq!(count(keys, &account.key), 1, "{created:?}");

    // Behind Tessera's back: disabled in AD, and a group membership added there.
    let (dn, _) = domain.user("feeda", "cn").unwrap();
    domain.dc.modify(&format!(
        "dn: {dn}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n"
    ));
    let group_dn = format!("CN=Nurses,{}", domain.sub("Groups"));
    domain.dc.modify(&format!(
        "dn: {group_dn}\nchangetype: modify\nadd: member\nmember: {dn}\n"
    ));
    let membership = Membership {
        account: account.key.clone(),
        entitlement: EntitlementRef {
            kind: "group".into(),
            key: nurses,
        },
    };
    let changed = target.read_changes(Some(&created.cursor)).await.unwrap();
    let mine: Vec<_> = changed
        .accounts
        .iter()
        .filter(|a| a.key == account.key)
        .collect();
    assert!(mine.len() == 1 && !mine[0].enabled, "{changed:?}");
    assert_eq!(changed.granted, std::slice::from_ref(&membership));
    assert!(changed.revoked.is_empty());

    domain.dc.modify(&format!(
        "dn: {group_dn}\nchangetype: modify\ndelete: member\nmember: {dn}\n"
    ));
    let revoked = target.read_changes(Some(&changed.cursor)).await.unwrap();
    assert_eq!(revoked.revoked, [membership]);
    assert!(revoked.granted.is_empty());

    target.delete(&account.key).await.unwrap();
    let deleted = target.read_changes(Some(&revoked.cursor)).await.unwrap();
    assert_eq!(
        count(deleted.removed.clone(), &account.key),
        1,
        "{deleted:?}"
    );

    let quiet = target.read_changes(Some(&deleted.cursor)).await.unwrap();
    assert!(
        quiet.accounts.is_empty() && quiet.removed.is_empty() && quiet.granted.is_empty(),
        "nothing happened since: {quiet:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursors_the_plugin_or_the_dc_cannot_follow_are_invalid() {
    let domain = Domain::new("badcursor", &[]);
    let life = domain.lifecycle(&[]);
    let mut target = life.target().await;
    let forged = b"dirsync:MSDS\x03\x00\x00\x00garbage";
    for cursor in [
        &b"not ours"[..],
        b"dirsync:",
        b"dirsync:\x01\x02garbage",
        forged,
    ] {
        match target.read_changes(Some(cursor)).await {
            Err(ConnectorError::CursorInvalid(_)) => {}
            other => panic!("{cursor:?}: expected cursor-invalid, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_behind_tesseras_back_is_undone_by_the_next_incremental_run() {
    let domain = Domain::new("drift", &["IC Nurses", "Emergency"]);
    let mut life = domain.lifecycle(&[]);
    let keys = group_keys(&life).await;
    life.model(&model(
        &key_of(&keys, "IC Nurses"),
        &key_of(&keys, "Emergency"),
    ));
    let ann = person(
        "p1",
        "Ann",
        "Drift",
        vec![employment("c1", ("IC", "Intensive Care"), day(0), None)],
    );
    life.import(vec![ann], day(0)).await;
    let (plan, _) = life.cycle(day(0)).await;
    assert_eq!(ops(&plan), ["create", "grant"]);

    life.mode = Mode::Incremental;
    let (dn, _) = domain.user("adrift", "cn").unwrap();
    domain.dc.modify(&format!(
        "dn: {dn}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n"
    ));
    let outcome = life.sync(day(1), false).await;
    let ad = outcome.systems.iter().find(|s| s.system == "ad").unwrap();
    let feed = ad.feed.as_ref().expect("read by its feed");
    assert!(feed.reset.is_none() && feed.changes >= 1, "{feed:?}");
    let plan = outcome.plans.first().expect("a plan");
    assert_eq!(ops(plan), ["enable"], "the drift found and undone");
    assert_eq!(
        domain.user("adrift", "userAccountControl").unwrap().1,
        ["512"]
    );

    // A cursor the DC will not honour: the run reads AD in full and starts a new feed.
    life.store
        .set_cursor(
            "ad",
            tessera_engine::ist::ACCOUNTS,
            b"dirsync:bad",
            noon(day(1)),
        )
        .unwrap();
    let outcome = life.sync(day(2), false).await;
    let ad = outcome.systems.iter().find(|s| s.system == "ad").unwrap();
    let reset = ad.feed.as_ref().and_then(|f| f.reset.clone());
    assert!(reset.is_some(), "{:?} {:?}", ad.feed, ad.notes);
    let cursor = life
        .store
        .cursor("ad", tessera_engine::ist::ACCOUNTS)
        .unwrap();
    assert!(cursor.is_some_and(|c| c.starts_with(b"dirsync:") && c != b"dirsync:bad"));
}
