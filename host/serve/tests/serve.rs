//! The daemon in this process against fakes, its endpoints read over HTTP on loopback, and
//! its metrics read with a Prometheus text parser: counts by system, kind and outcome; a
//! source change reaching a target between the target's own turns; readiness lost while a
//! system's runs fail and won back when they work again.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use prometheus_parse::{Scrape, Value};
use tessera_config::{ApplySettings, Settings, SourceSettings};
use tessera_engine::model::RoleModel;
use tessera_serve::{Daemon, Health, Stopper};
use tessera_store::SqliteStore;
use tessera_sync::{System, Systems};
use tessera_testkit::fakes::{FakeSource, FakeTarget, Fixed};
use tessera_testkit::models::IC_NURSES;
use tessera_testkit::{person, shift};

/// Everything one daemon needs, in a directory of its own.
struct Setup {
    dir: tempfile::TempDir,
    store: SqliteStore,
    model: RoleModel,
    source: FakeSource,
    target: FakeTarget,
    settings: Settings,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn nurse(id: &str, given: &str) -> tessera_domain::Person {
    let (from, to) = (today().pred_opt().unwrap(), today().succ_opt().unwrap());
    person(
        id,
        given,
        "Test",
        vec![shift(&format!("{id}-s"), "IC", from, to)],
    )
}

impl Setup {
    fn new(settings: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("tessera.db")).unwrap();
        let source = FakeSource::new(vec![nurse("p1", "Ann"), nurse("p2", "Bob")], 10).with_feed();
        Self {
            store,
            model: RoleModel::parse("roles.toml", IC_NURSES).unwrap(),
            source,
            target: FakeTarget::new(true).with_feed(),
            settings: Settings::parse(settings, &dir.path().join("tessera.toml")).unwrap(),
            dir,
        }
    }

    fn systems(&self) -> Systems {
        let system = |name: &str, connect| System {
            name: name.into(),
            source: SourceSettings::default(),
            apply: ApplySettings::default(),
            connect,
        };
        Systems {
            systems: vec![
                system("hr", Box::new(Fixed::source(self.source.clone()))),
                system("ad", Box::new(Fixed::target(self.target.clone()))),
            ],
            ..Systems::default()
        }
    }

    fn health(&self, daemon: &Daemon<'_>) -> Health {
        let history = SqliteStore::open(self.dir.path().join("tessera.db")).unwrap();
        Health {
            history: std::sync::Mutex::new(Box::new(history)),
            bounds: daemon.bounds(),
            unloaded: vec![],
        }
    }

    /// Serves until `client` is done with the daemon's address and its stopper, which it
    /// must call.
    async fn serve<F: std::future::Future<Output = ()>>(
        &self,
        client: impl FnOnce(String, Stopper) -> F,
    ) {
        let systems = self.systems();
        let daemon = Daemon::new(&self.store, &self.model, &systems, &self.settings).unwrap();
        let health = self.health(&daemon);
        let listener = tessera_serve::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let stopper = daemon.stopper();
        let (served, ()) = tokio::join!(
            tessera_serve::serve(daemon, listener, health),
            client(base, stopper)
        );
        served.unwrap();
    }
}

async fn get(url: &str) -> (u16, String) {
    // Plain HTTP on loopback; the client still wants a TLS provider chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The value of the sample `name` whose labels include every pair; 0 when there is none.
fn sample(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    let found = scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)));
    match found.map(|s| &s.value) {
        Some(Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v)) => *v,
        Some(Value::Histogram(buckets)) => buckets.last().map_or(0.0, |b| b.count),
        Some(Value::Summary(_)) | None => 0.0,
    }
}

async fn scrape(base: &str) -> Scrape {
    let (status, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap()
}

/// Waits, up to a bound, until `done` holds for the metrics; the last scrape.
async fn until(base: &str, what: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let scrape = scrape(base).await;
        if done(&scrape) {
            return scrape;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn done(scrape: &Scrape, kind: &str) -> f64 {
    let labels = [("system", "ad"), ("kind", kind), ("outcome", "done")];
    sample(scrape, "tessera_operations_total", &labels)
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_runs_and_operations_by_system_kind_and_outcome() {
    let setup = Setup::new("[serve]\npoll = 1\ninterval = 1\n");
    setup
        .serve(|base, stopper| async move {
            let scrape = until(&base, "the first run's operations", |s| {
                done(s, "grant") >= 2.0
            })
            .await;
            assert_eq!(done(&scrape, "create"), 2.0);
            assert_eq!(done(&scrape, "grant"), 2.0);
            let full = [("mode", "full"), ("outcome", "ok")];
            assert_eq!(
                sample(&scrape, "tessera_runs_total", &full),
                1.0,
                "one full run first"
            );
            let read = [("system", "ad"), ("reading", "full"), ("status", "ok")];
            assert_eq!(sample(&scrape, "tessera_system_runs_total", &read), 1.0);
            let apply = [("stage", "apply")];
            assert!(sample(&scrape, "tessera_stage_duration_seconds", &apply) >= 1.0);
            let last = sample(
                &scrape,
                "tessera_last_success_timestamp_seconds",
                &[("system", "ad")],
            );
            assert!(
                (last - Utc::now().timestamp() as f64).abs() < 600.0,
                "{last}"
            );
            assert_eq!(
                sample(&scrape, "tessera_plugin_faults_total", &[("system", "ad")]),
                0.0
            );
            // Later runs read the feeds; nothing is written twice.
            let later = until(&base, "an incremental run", |s| {
                sample(
                    s,
                    "tessera_runs_total",
                    &[("mode", "incremental"), ("outcome", "ok")],
                ) >= 1.0
            })
            .await;
            assert_eq!(done(&later, "create"), 2.0);
            assert_eq!(get(&format!("{base}/healthz")).await, (200, "ok\n".into()));
            let (status, body) = get(&format!("{base}/readyz")).await;
            assert_eq!(status, 200, "{body}");
            assert!(
                body.contains("ad: last good run") && body.contains("hr: last good run"),
                "{body}"
            );
            stopper.stop();
        })
        .await;
    assert_eq!(setup.target.state().accounts.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_worker_reaches_the_target_through_the_source_s_poll() {
    // The target's own turn is an hour away: only the source's poll can bring the worker in.
    let setup = Setup::new(
        "[serve]\npoll = 1\n[systems.ad]\nplugin = \"fake\"\nschedule = { interval = 3600 }\n",
    );
    let shared = &setup;
    shared
        .serve(|base, stopper| async move {
            let setup = shared;
            until(&base, "the first run", |s| done(s, "create") >= 2.0).await;
            setup.source.set(vec![
                nurse("p1", "Ann"),
                nurse("p2", "Bob"),
                nurse("p3", "Cem"),
            ]);
            let scrape = until(&base, "Cem's account", |s| done(s, "grant") >= 3.0).await;
            let skipped = [("system", "ad"), ("reading", "skip")];
            assert!(sample(&scrape, "tessera_system_runs_total", &skipped) >= 1.0);
            let read = [("system", "ad"), ("reading", "changes")];
            assert_eq!(
                sample(&scrape, "tessera_system_runs_total", &read),
                0.0,
                "not its turn"
            );
            let changes = sample(&scrape, "tessera_feed_changes_total", &[("system", "hr")]);
            assert_eq!(changes, 1.0);
            stopper.stop();
        })
        .await;
    assert_eq!(setup.target.state().accounts.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_is_lost_while_a_system_s_runs_keep_failing_and_won_back() {
    let setup = Setup::new(
        "[serve]\npoll = 1\ninterval = 1\n[systems.ad]\nplugin = \"fake\"\n\
         schedule = { ready_within = 2 }\n",
    );
    let shared = &setup;
    shared
        .serve(|base, stopper| async move {
            let setup = shared;
            let readyz = format!("{base}/readyz");
            until(&base, "the first run", |s| done(s, "create") >= 2.0).await;
            assert_eq!(get(&readyz).await.0, 200);
            setup.target.down(true);
            let deadline = Instant::now() + Duration::from_secs(30);
            let body = loop {
                let (status, body) = get(&readyz).await;
                if status == 503 {
                    break body;
                }
                assert!(Instant::now() < deadline, "still ready: {body}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            assert!(body.starts_with("not ready\n"), "{body}");
            assert!(
                body.contains("ad: last good run") && body.contains("(bound 2 s)"),
                "{body}"
            );
            let failed = [("system", "ad"), ("status", "failed")];
            assert!(sample(&scrape(&base).await, "tessera_system_runs_total", &failed) >= 1.0);
            setup.target.down(false);
            let deadline = Instant::now() + Duration::from_secs(30);
            while get(&readyz).await.0 != 200 {
                assert!(Instant::now() < deadline, "not ready again");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            stopper.stop();
        })
        .await;
}
