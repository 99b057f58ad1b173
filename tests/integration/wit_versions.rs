use tessera_domain::{
    AccountSpec, Attribute, AttributeChange, ConnectorError, EntitlementRef, FeedInfo, Membership,
    SourceConnector, TargetConnector, values_of,
};
use tessera_manifest::ComponentInfo;
use tessera_testkit::{TestInstall, fixture_bytes, runtime};

const CONFIG: &str = r#"
[systems.before]
plugin = "good-source-wit-0-1"
config = { persons = 5, page_size = 5 }

[systems.after]
plugin = "good-source"
config = { persons = 5, page_size = 5 }

[systems.patch]
plugin = "good-source-wit-0-2-0"
config = { persons = 5, page_size = 5 }

[systems.directory]
plugin = "good-target"
config = { accounts = 2 }
"#;

fn wit_of(fixture: &str) -> String {
    let info = ComponentInfo::parse(&fixture_bytes(fixture)).unwrap();
    info.manifest.wit.to_string()
}

/// The same source code built for WIT 0.1.0, 0.2.0 and 0.2.3: all load into one runtime and
/// read the same persons; only the 0.2 builds reach the 0.2 calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wit_0_1_plugin_runs_beside_wit_0_2_plugins() {
    assert_eq!(wit_of("good-source-wit-0-1"), "0.1.0");
    assert_eq!(wit_of("good-source-wit-0-2-0"), "0.2.0");
    assert_eq!(wit_of("good-source"), "0.2.3");
    assert_eq!(wit_of("good-target"), "0.2.3");
    let rt = runtime();
    let t = TestInstall::new(CONFIG);
    let mut plugins = t.with_plugins(&[
        "good-source-wit-0-1",
        "good-source-wit-0-2-0",
        "good-source",
        "good-target",
    ]);
    let (before, _) = plugins.prepare(&rt, "before").unwrap();
    let (after, _) = plugins.prepare(&rt, "after").unwrap();
    let (patch, _) = plugins.prepare(&rt, "patch").unwrap();
    let (mut old, mut new, mut earlier) = (
        before.source().await.unwrap(),
        after.source().await.unwrap(),
        patch.source().await.unwrap(),
    );

    let (read_old, read_new) = (old.read(None).await.unwrap(), new.read(None).await.unwrap());
    assert_eq!(read_old.persons.len(), 5);
    assert_eq!(
        read_old, read_new,
        "the boundary's shape changed, not the persons"
    );
    // A 0.2.0 plugin imports `…@0.2.0` names; the 0.2.3 bindings serve them.
    assert_eq!(earlier.read(None).await.unwrap(), read_new);
    let Err(ConnectorError::Unsupported(why)) = earlier.read_changes(None).await else {
        panic!("good-source declares no change feed, in 0.2.0 as in 0.2.3");
    };
    assert!(why.contains("does not implement read-changes"), "{why}");
    assert_eq!(old.describe().await.unwrap(), new.describe().await.unwrap());
    assert_eq!(
        old.test_connection().await.unwrap(),
        "hello from good-source"
    );

    // 0.1 has no change feed: the host answers for the plugin; a 0.2 plugin without one says
    // so itself.
    let Err(ConnectorError::Unsupported(why)) = old.read_changes(None).await else {
        panic!("a 0.1 plugin has no change feed");
    };
    assert!(why.contains("WIT version"), "{why}");
    let Err(ConnectorError::Unsupported(why)) = new.read_changes(None).await else {
        panic!("good-source declares no change feed");
    };
    assert!(why.contains("does not implement read-changes"), "{why}");
    target_feed_and_get_account(&rt, &mut plugins).await;
}

/// good-target (0.2): multi-valued attribute changes, `get-account`, and a change feed in
/// pages of two, from a cursor taken before the changes.
async fn target_feed_and_get_account(
    rt: &tessera_runtime::Runtime,
    plugins: &mut tessera_runtime::Plugins,
) {
    let (system, _) = plugins.prepare(rt, "directory").unwrap();
    let mut dir = system.target().await.unwrap();
    assert_eq!(
        dir.describe().await.unwrap().feed,
        Some(FeedInfo::default())
    );
    let start = dir.read_changes(None).await.unwrap();
    assert!(start.accounts.is_empty() && !start.more, "{start:?}");

    let spec = AccountSpec {
        username: "anne".into(),
        enabled: true,
        attributes: vec![Attribute {
            name: "mail".into(),
            value: "anne@example.org".into(),
        }],
    };
    let created = dir.create(&spec).await.unwrap();
    let proxies = AttributeChange {
        name: "proxy".into(),
        values: vec![
            "smtp:anne@example.org".into(),
            "smtp:a.b@example.org".into(),
        ],
    };
    let updated = dir
        .update(&created.key, std::slice::from_ref(&proxies))
        .await
        .unwrap();
    assert_eq!(values_of(&updated.attributes, "proxy"), proxies.values);
    let group = EntitlementRef {
        kind: "group".into(),
        key: "IC-nurses".into(),
    };
    dir.grant(&created.key, &group).await.unwrap();
    assert_eq!(
        dir.get_account(&created.key).await.unwrap(),
        Some(updated.clone())
    );
    assert_eq!(dir.get_account("nobody").await.unwrap(), None);

    let first = dir.read_changes(Some(&start.cursor)).await.unwrap();
    assert!(first.more, "three changes, two per call");
    assert_eq!(first.accounts, [updated.clone(), updated.clone()]);
    let second = dir.read_changes(Some(&first.cursor)).await.unwrap();
    assert!(!second.more);
    let granted = Membership {
        account: created.key.clone(),
        entitlement: group,
    };
    assert_eq!(second.granted, [granted]);
    let stale = dir.read_changes(Some(b"not a cursor")).await;
    assert!(
        matches!(stale, Err(ConnectorError::CursorInvalid(_))),
        "{stale:?}"
    );
}
