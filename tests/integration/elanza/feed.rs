//! The digest feed: after a full read, `read-changes` returns exactly the workers whose
//! mapped record changed and those gone, nothing when nothing changed, and refuses cursors
//! that do not match its stored digests; a full read in pages counts only once it is whole.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::TimeDelta;
use tessera_domain::{ConnectorError, Person, SourceChanges};
use tessera_runtime::{CallError, HostServices, MemoryServices, StateScope, WasmSource};
use tessera_test_servers::elanza::{Dataset, Generate, at};
use tessera_testkit::{TestInstall, plugin, runtime};

use super::{KEY, WORKED, config, generated, mock, today};

/// An installation whose plugin state (kept by the host's services) lasts across the runs of
/// a test.
pub(super) struct Installed {
    install: TestInstall,
    services: Arc<MemoryServices>,
}

impl Installed {
    pub(super) fn new(config_text: &str) -> Self {
        let services = Arc::new(MemoryServices::with_secrets([("elanza-api-key", KEY)]));
        Self::with_services(config_text, services)
    }

    /// The same system under another configuration, its plugin state kept.
    pub(super) fn reconfigured(&self, config_text: &str) -> Self {
        Self::with_services(config_text, self.services.clone())
    }

    fn with_services(config_text: &str, services: Arc<MemoryServices>) -> Self {
        let install = TestInstall::new(config_text);
        install
            .open()
            .store
            .install(&plugin("elanza"), None)
            .expect("elanza installs");
        Self { install, services }
    }

    /// The size of what the plugin keeps under `key` in its state.
    pub(super) fn state_bytes(&self, key: &str) -> usize {
        let scope = StateScope {
            plugin: "elanza".into(),
            system: "elanza".into(),
        };
        let value = self.services.state_get(&scope, key).expect("state");
        value.map_or(0, |v| v.len())
    }

    pub(super) async fn source(&self) -> WasmSource {
        let mut inst = self.install.open();
        inst.set_services(self.services.clone());
        let (system, _) = inst.prepare(&runtime(), "elanza").expect("prepares");
        system.source().await.expect("instance")
    }

    /// One incremental run from `cursor` on a fresh instance, which must succeed.
    pub(super) async fn changes(&self, cursor: Option<&[u8]>) -> SourceChanges {
        let changes = self.source().await.call_read_changes(cursor).await;
        changes.expect("read-changes")
    }
}

pub(super) async fn full_read(source: &mut WasmSource) -> BTreeMap<String, Person> {
    let (mut out, mut cursor) = (BTreeMap::new(), None);
    loop {
        let page = source.call_read(cursor).await.expect("read");
        out.extend(page.persons.into_iter().map(|p| (p.id.clone(), p)));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

fn invalid<T: std::fmt::Debug>(result: Result<T, CallError>) -> bool {
    matches!(
        result,
        Err(CallError::Connector(ConnectorError::CursorInvalid(_)))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_changed_and_removed_workers_cross() {
    let m = mock(generated(25)).await;
    let installed = Installed::new(&config(&m.url(), &WORKED));
    let mut first = installed.source().await;
    let before = full_read(&mut first).await;
    let start = first.call_read_changes(None).await.expect("start");
    assert!(start.persons.is_empty() && start.removed.is_empty());

    let quiet = installed
        .source()
        .await
        .call_read_changes(Some(&start.cursor))
        .await;
    let quiet = quiet.expect("no change");
    assert!(
        quiet.persons.is_empty() && quiet.removed.is_empty(),
        "{quiet:?}"
    );

    let (from, to) = (
        at(today() - TimeDelta::days(6), 0, 0),
        at(today() + TimeDelta::days(10), 0, 0),
    );
    m.update(|d| d.mutate(5, 3, from, to));
    let after = full_read(&mut installed.source().await).await;
    let changed: BTreeSet<&String> = after
        .iter()
        .filter(|(id, p)| before.get(*id) != Some(*p))
        .map(|(id, _)| id)
        .collect();
    let gone: BTreeSet<&String> = before
        .keys()
        .filter(|id| !after.contains_key(*id))
        .collect();
    assert!(!changed.is_empty());

    let mut next = installed.source().await;
    let changes = next
        .call_read_changes(Some(&quiet.cursor))
        .await
        .expect("changes");
    let ids: BTreeSet<&String> = changes.persons.iter().map(|p| &p.id).collect();
    assert_eq!(ids, changed, "exactly the changed workers, each once");
    assert_eq!(changes.persons.len(), changed.len());
    assert_eq!(changes.removed.iter().collect::<BTreeSet<_>>(), gone);
    for p in &changes.persons {
        assert_eq!(
            Some(p),
            after.get(&p.id),
            "each whole, as a full read maps it"
        );
    }

    // The cursor before this one, a foreign one: the plugin cannot go on from them.
    assert!(invalid(next.call_read_changes(Some(&quiet.cursor)).await));
    assert!(invalid(next.call_read_changes(Some(b"other")).await));
    let again = next
        .call_read_changes(Some(&changes.cursor))
        .await
        .expect("again");
    assert!(again.persons.is_empty() && again.removed.is_empty());
}

/// A full read of more than one page maps a page at a time (the plugin holds one page of
/// persons, not all of them); its digests must still stand for the whole source, workers of
/// the earlier slices alone included, and only once its last page is out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_in_pages_stands_for_the_source_only_when_whole() {
    let m = mock(Dataset::generate(&Generate {
        seed: 7,
        workers: 6_000,
        shifts_per_worker: 4,
        anchor: today(),
        days_before: 60,
        days_after: 14,
    }))
    .await;
    let installed = Installed::new(&config(&m.url(), &WORKED));
    let mut first = installed.source().await;
    let (mut pages, mut ids, mut cursor) = (Vec::new(), BTreeSet::new(), None);
    loop {
        let page = first.call_read(cursor).await.expect("read");
        pages.push(page.persons.len());
        for p in &page.persons {
            assert!(ids.insert(p.id.clone()), "{} handed out twice", p.id);
        }
        let only_earlier = page.persons.iter().filter(|p| {
            !p.contracts.is_empty() && p.contracts.iter().all(|c| c.id.ends_with("-historical"))
        });
        if page.next_cursor.is_none() {
            assert!(
                only_earlier.count() > 0,
                "the last page has the earlier-only workers"
            );
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages[0], 2_000, "{pages:?}");
    assert_eq!(pages.iter().sum::<usize>(), ids.len());
    assert!(ids.len() > 2_000, "{pages:?}");

    // The feed starts from the paged read's digests, without a read of its own.
    let reads = m.hits("/rest-api/v1/plannedWorkers");
    let start = first.call_read_changes(None).await.expect("start");
    assert_eq!(m.hits("/rest-api/v1/plannedWorkers"), reads);
    // Mapping all at once (the feed) finds every worker as the pages had them.
    let quiet = installed
        .source()
        .await
        .call_read_changes(Some(&start.cursor))
        .await
        .expect("no change");
    assert!(
        quiet.persons.is_empty() && quiet.removed.is_empty(),
        "{} changed, {} removed",
        quiet.persons.len(),
        quiet.removed.len()
    );

    // A read left after its first page does not stand for the source: the feed reads again.
    let mut half = installed.source().await;
    let page = half.call_read(None).await.expect("first page");
    assert!(page.next_cursor.is_some());
    let reads = m.hits("/rest-api/v1/plannedWorkers");
    half.call_read_changes(None).await.expect("start");
    assert!(m.hits("/rest-api/v1/plannedWorkers") > reads);
}
