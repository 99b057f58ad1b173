//! Shifts added, moved and cancelled between two runs: as contract changes, and through the
//! engine's import into a store, where a failed read must change nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeDelta;
use tessera_domain::{Person, Timestamp};
use tessera_engine::import::{ImportOptions, SourceSettings, SourceThresholds, import};
use tessera_engine::model::Threshold;
use tessera_store::SqliteStore;
use tessera_store::prelude::*;
use tessera_test_servers::elanza::{Endpoint, Faults, at};

use super::{
    KEY, NOW, WORKED, attr, config, daily_in, generated, instant, mock, read_ok, start, start_with,
    today,
};

type Contracts = BTreeMap<String, (Option<Timestamp>, Option<Timestamp>)>;

fn contracts(persons: &[Person]) -> Contracts {
    persons
        .iter()
        .flat_map(|p| &p.contracts)
        .filter(|c| attr(c, "type") == Some("ActiveShift"))
        .map(|c| (c.id.clone(), (c.start, c.end)))
        .collect()
}

/// One import of `run`'s read into `store` as of `now`.
async fn import_run(
    store: &SqliteStore,
    run: &mut super::Run,
    settings: &SourceSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> tessera_engine::Result<tessera_engine::import::ImportReport> {
    let options = ImportOptions::default();
    import(store, &mut run.source, "elanza", settings, options, now).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_between_runs_become_contract_changes() {
    let m = mock(generated(25)).await;
    let (first, _) = read_ok(&m, &WORKED).await;
    let (from, to) = (
        at(today() - TimeDelta::days(6), 0, 0),
        at(today() + TimeDelta::days(10), 0, 0),
    );
    let changes = m.update(|d| d.mutate(5, 3, from, to));
    let (second, _) = read_ok(&m, &WORKED).await;
    let (a, b) = (contracts(&first), contracts(&second));
    let ids = |c: &Contracts| c.keys().cloned().collect::<BTreeSet<_>>();
    let added: Vec<_> = ids(&b).difference(&ids(&a)).cloned().collect();
    let gone: Vec<_> = ids(&a).difference(&ids(&b)).cloned().collect();
    let moved: Vec<_> = a
        .iter()
        .filter(|(id, v)| b.get(*id).is_some_and(|w| w != *v))
        .map(|(id, _)| id.clone())
        .collect();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(sorted(added), sorted(changes.added.clone()));
    assert_eq!(sorted(gone), sorted(changes.cancelled.clone()));
    assert_eq!(sorted(moved), sorted(changes.moved.clone()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_imports_changes_and_a_failed_read_changes_nothing() {
    let m = mock(generated(25)).await;
    let store = SqliteStore::open_in_memory().unwrap();
    let settings = SourceSettings::default();
    let now = instant(NOW);
    let mut run = start(&m, &WORKED, KEY).await;
    let report = import_run(&store, &mut run, &settings, now).await.unwrap();
    assert_eq!(
        (report.counts.added, report.counts.total, report.committed),
        (25, 25, true)
    );
    let (from, to) = (
        at(today() - TimeDelta::days(6), 0, 0),
        at(today() + TimeDelta::days(10), 0, 0),
    );
    let changes = m.update(|d| d.mutate(9, 2, from, to));
    let touched: BTreeSet<String> = m.with_data(|d| {
        let all: BTreeSet<&String> = changes.added.iter().chain(&changes.moved).collect();
        d.workers
            .iter()
            .filter(|w| w.shifts.iter().any(|s| all.contains(&s.uuid)))
            .map(|w| w.worker.worker_number.unwrap().to_string())
            .collect()
    });
    let cancelled_owners: BTreeSet<String> = store
        .persons()
        .unwrap()
        .into_iter()
        .filter(|p| {
            p.contracts
                .iter()
                .any(|c| changes.cancelled.contains(&c.id))
        })
        .map(|p| p.id)
        .collect();
    let expected = touched.union(&cancelled_owners).count();
    assert!(expected > 0);
    let mut run = start(&m, &WORKED, KEY).await;
    let report = import_run(&store, &mut run, &settings, now).await.unwrap();
    assert_eq!(
        (
            report.counts.added,
            report.counts.removed,
            report.counts.changed
        ),
        (0, 0, expected)
    );
    let persons_before = store.persons().unwrap();
    let runs_before = store.source_runs("elanza", 100).unwrap().len();
    m.update(|d| d.mutate(10, 2, from, to));
    m.set_faults(Faults {
        status_500: Some(Endpoint::Product),
        ..Faults::default()
    });
    let mut run = start(&m, &WORKED, KEY).await;
    let err = import_run(&store, &mut run, &settings, now)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
    assert_eq!(
        store.persons().unwrap(),
        persons_before,
        "a failed read changes nothing"
    );
    assert_eq!(store.source_runs("elanza", 100).unwrap().len(), runs_before);
}

/// Issue 15's first point through the engine: the historical contract depends on its shifts
/// only. Six days pass, each run with the window at a new `now`; a worker whose shifts all lie
/// deep in the history is changed by none of the imports (so the README's
/// `changed = { percent = 50 }` never trips) and gains no history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_historical_contract_is_stable_through_the_engine_as_days_pass() {
    let (data, _) = daily_in(-40..=-20);
    let m = mock(data).await;
    let store = SqliteStore::open_in_memory().unwrap();
    let settings = SourceSettings {
        thresholds: SourceThresholds {
            changed: Some(Threshold {
                count: None,
                percent: Some(50.0),
            }),
            ..SourceThresholds::default()
        },
        ..SourceSettings::default()
    };
    let mut history = 0;
    for day in 0..6 {
        let now = instant(NOW) + TimeDelta::days(day);
        let at_now = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let text = config(&m.url(), &WORKED).replace(NOW, &at_now);
        let mut run = start_with(&text, KEY).await;
        let report = import_run(&store, &mut run, &settings, now).await.unwrap();
        assert!(report.blocked.is_none(), "day {day}: {:?}", report.blocked);
        if day == 0 {
            assert_eq!(report.counts.added, 1);
            history = store.person_history("4711").unwrap().len();
        } else {
            assert_eq!(report.counts.changed, 0, "day {day}");
        }
    }
    assert!(history > 0);
    assert_eq!(store.person_history("4711").unwrap().len(), history);
}
