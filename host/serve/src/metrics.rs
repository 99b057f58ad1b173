//! What the daemon did, in Prometheus' terms: runs, operations by system, kind and outcome,
//! stage durations, threshold blocks, plugin faults, drift, and each system's last success.

use std::sync::atomic::AtomicU64;

use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tessera_engine::apply::ApplyReport;
use tessera_sync::{Status, SyncOutcome, SystemSummary};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    mode: String,
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageLabels {
    stage: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SystemLabels {
    system: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SystemRunLabels {
    system: String,
    reading: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    system: String,
    kind: String,
    outcome: String,
}

type Seconds = Family<StageLabels, Histogram, fn() -> Histogram>;

fn seconds() -> Histogram {
    // 5 ms to about 20 minutes.
    Histogram::new(exponential_buckets(0.005, 2.0, 18))
}

/// Every metric the daemon keeps, and the registry that writes them out.
pub struct Metrics {
    registry: Registry,
    runs: Family<RunLabels, Counter>,
    run_seconds: Family<RunLabels, Histogram, fn() -> Histogram>,
    stage_seconds: Seconds,
    system_runs: Family<SystemRunLabels, Counter>,
    operations: Family<OperationLabels, Counter>,
    blocks: Family<SystemLabels, Counter>,
    faults: Family<SystemLabels, Counter>,
    drift: Family<SystemLabels, Counter>,
    feed_changes: Family<SystemLabels, Counter>,
    last_success: Family<SystemLabels, Gauge<f64, AtomicU64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric registered, at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tessera");
        let m = Self {
            runs: Family::default(),
            run_seconds: Family::new_with_constructor(seconds),
            stage_seconds: Family::new_with_constructor(seconds),
            system_runs: Family::default(),
            operations: Family::default(),
            blocks: Family::default(),
            faults: Family::default(),
            drift: Family::default(),
            feed_changes: Family::default(),
            last_success: Family::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "runs",
            "Runs, by mode and outcome (ok, blocked, failed, error)",
            m.runs.clone(),
        );
        r.register(
            "run_duration_seconds",
            "How long runs took",
            m.run_seconds.clone(),
        );
        r.register(
            "stage_duration_seconds",
            "How long each stage of a run took",
            m.stage_seconds.clone(),
        );
        r.register(
            "system_runs",
            "Each system's part in runs, by how it was read and how it ended",
            m.system_runs.clone(),
        );
        r.register(
            "operations",
            "Target operations, by system, kind and outcome (done, failed)",
            m.operations.clone(),
        );
        r.register(
            "threshold_blocks",
            "Runs in which a threshold held something back, by system",
            m.blocks.clone(),
        );
        r.register(
            "plugin_faults",
            "Plugin calls that trapped, panicked, timed out or ran out of memory",
            m.faults.clone(),
        );
        r.register(
            "drift",
            "Changes a full read found that Tessera did not know of, by system",
            m.drift.clone(),
        );
        r.register(
            "feed_changes",
            "Changes read from change feeds, by system",
            m.feed_changes.clone(),
        );
        r.register(
            "last_success_timestamp_seconds",
            "When each system's last good run ended",
            m.last_success.clone(),
        );
        Self { registry, ..m }
    }

    /// The metrics in the text exposition format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// A run that could not start or failed as a whole.
    pub fn run_error(&self, mode: &str) {
        let labels = RunLabels {
            mode: mode.to_owned(),
            outcome: "error".to_owned(),
        };
        self.runs.get_or_create(&labels).inc();
    }

    /// A run's outcome; `seconds` it took from start to end.
    pub fn observe(&self, outcome: &SyncOutcome, seconds: f64) {
        let verdict = if outcome.failed().next().is_some() {
            "failed"
        } else if outcome.blocked().next().is_some() {
            "blocked"
        } else {
            "ok"
        };
        let labels = RunLabels {
            mode: outcome.mode.as_str().to_owned(),
            outcome: verdict.to_owned(),
        };
        self.runs.get_or_create(&labels).inc();
        self.run_seconds.get_or_create(&labels).observe(seconds);
        for (stage, secs) in outcome.seconds.stages() {
            let labels = StageLabels {
                stage: stage.to_owned(),
            };
            self.stage_seconds.get_or_create(&labels).observe(secs);
        }
        for system in &outcome.systems {
            self.observe_system(system);
        }
    }

    fn observe_system(&self, s: &SystemSummary) {
        let system = || SystemLabels {
            system: s.system.clone(),
        };
        let reading = s.reading.map_or("none", |r| r.as_str());
        self.system_runs
            .get_or_create(&SystemRunLabels {
                system: s.system.clone(),
                reading: reading.to_owned(),
                status: s.status.as_str().to_owned(),
            })
            .inc();
        if s.status == Status::Blocked {
            self.blocks.get_or_create(&system()).inc();
        }
        if let Some(d) = s.drift {
            let found = d.appeared + d.changed + d.gone + d.granted + d.revoked;
            self.drift.get_or_create(&system()).inc_by(found as u64);
        }
        if let Some(feed) = &s.feed {
            self.feed_changes
                .get_or_create(&system())
                .inc_by(feed.changes as u64);
        }
        for report in s.resumed.iter().chain(&s.apply) {
            self.observe_apply(&s.system, report);
        }
    }

    fn observe_apply(&self, system: &str, report: &ApplyReport) {
        let labels = |kind: &str, outcome: &str| OperationLabels {
            system: system.to_owned(),
            kind: kind.to_owned(),
            outcome: outcome.to_owned(),
        };
        for (kind, n) in &report.done_by_kind {
            self.operations
                .get_or_create(&labels(kind, "done"))
                .inc_by(*n as u64);
        }
        for failed in &report.failed {
            self.operations
                .get_or_create(&labels(failed.kind, "failed"))
                .inc();
        }
    }

    /// Plugin faults since the last call, by system.
    pub fn faults(&self, system: &str, new: u64) {
        if new > 0 {
            let labels = SystemLabels {
                system: system.to_owned(),
            };
            self.faults.get_or_create(&labels).inc_by(new);
        }
    }

    /// When a system's last good run ended.
    pub fn last_success(&self, system: &str, at: DateTime<Utc>) {
        let labels = SystemLabels {
            system: system.to_owned(),
        };
        let seconds = at.timestamp_millis() as f64 / 1000.0;
        self.last_success.get_or_create(&labels).set(seconds);
    }
}
