//! The loop: sleep until something is due, run it, note what it did; until asked to stop.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveDate, Utc};
use tessera_config::Settings;
use tessera_engine::model::RoleModel;
use tessera_store::{CheckpointKey, Store};
use tessera_sync::{Clock, NoProgress, Stop, SyncOptions, SyncOutcome, Systems};
use tokio::sync::Notify;

use crate::Result;
use crate::metrics::Metrics;
use crate::timetable::{Due, Timetable};

/// What the daemon works with, and its state between runs.
pub struct Daemon<'a> {
    store: &'a dyn Store,
    model: &'a RoleModel,
    systems: &'a Systems,
    /// When each system is read next.
    pub timetable: Timetable,
    /// What it did, for `/metrics`.
    pub metrics: Arc<Metrics>,
    stop: Stop,
    wake: Arc<Notify>,
    keep_runs: Duration,
    faults_seen: BTreeMap<String, u64>,
    today: Option<NaiveDate>,
    checkpoint: Option<Arc<CheckpointKey>>,
}

impl<'a> Daemon<'a> {
    /// A daemon over `systems`, each on its schedule from `settings` (the daemon's defaults
    /// for a system the settings do not name).
    pub fn new(
        store: &'a dyn Store,
        model: &'a RoleModel,
        systems: &'a Systems,
        settings: &Settings,
    ) -> Result<Self> {
        let now = Local::now();
        let metrics = Arc::new(Metrics::new());
        let mut timetable = Timetable::default();
        let default = tessera_config::Schedule::default();
        for system in &systems.systems {
            let name = &system.name;
            let schedule = settings.systems.get(name).map_or(&default, |s| &s.schedule);
            let last_full = store.last_success(name, Some("full"))?;
            let last_full = last_full.map(|at| at.with_timezone(&Local));
            let kind = system.kind();
            timetable.add(name, kind, schedule, &settings.serve, last_full, now);
            if let Some(at) = store.last_success(name, None)? {
                metrics.last_success(name, at);
            }
        }
        Ok(Self {
            store,
            model,
            systems,
            timetable,
            metrics,
            stop: Stop::default(),
            wake: Arc::new(Notify::new()),
            keep_runs: settings.serve.keep_runs,
            faults_seen: BTreeMap::new(),
            today: None,
            checkpoint: None,
        })
    }

    /// Plans for a simulated day instead of the real one (demos and tests).
    pub fn with_today(mut self, today: Option<NaiveDate>) -> Self {
        self.today = today;
        self
    }

    /// Signs the audit chain's head after each run with `key`.
    pub fn with_checkpoints(mut self, key: Option<Arc<CheckpointKey>>) -> Self {
        self.checkpoint = key;
        self
    }

    /// What asks this daemon to stop.
    pub fn stopper(&self) -> crate::Stopper {
        crate::Stopper {
            stop: self.stop.clone(),
            wake: self.wake.clone(),
        }
    }

    /// How old each system's last good run may be.
    pub fn bounds(&self) -> BTreeMap<String, Duration> {
        let slots = &self.timetable.slots;
        slots
            .iter()
            .map(|(name, slot)| (name.clone(), slot.ready_within))
            .collect()
    }

    /// Runs what is due, as it comes due, until a stop is asked for; the run in hand then
    /// finishes its operation in hand, journals it, and the loop ends.
    pub async fn run(mut self) -> Result<()> {
        while !self.stop.requested() {
            let Some(next) = self.timetable.next_due() else {
                // Nothing to run: wait for the stop.
                self.wake.notified().await;
                continue;
            };
            let wait = (next - Local::now()).to_std().unwrap_or(Duration::ZERO);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => continue,
            }
            let now = Local::now();
            if let Some(due) = self.timetable.due(now) {
                self.once(&due).await;
                self.timetable.ran(&due, now);
            }
        }
        tracing::info!("stopped");
        Ok(())
    }

    /// One run of what is due.
    async fn once(&mut self, due: &Due) {
        let options = SyncOptions {
            mode: due.mode,
            reading: due.reading.clone(),
            stop: self.stop.clone(),
            checkpoint: self.checkpoint.clone(),
            ..SyncOptions::default()
        };
        let clock = Clock::new(self.today, self.model.zone);
        let started = Instant::now();
        let run = tessera_sync::sync(
            self.store,
            self.model,
            self.systems,
            options,
            clock,
            &NoProgress,
        );
        match run.await {
            Ok(outcome) => {
                let seconds = started.elapsed().as_secs_f64();
                self.metrics.observe(&outcome, seconds);
                log(&outcome, seconds);
                self.note_successes(&outcome);
            }
            Err(e) => {
                self.metrics.run_error(due.mode.as_str());
                tracing::warn!(mode = due.mode.as_str(), "the run did not start: {e}");
            }
        }
        self.note_faults();
        if due.mode == tessera_sync::Mode::Full {
            self.forget_old_runs(clock.now);
        }
    }

    fn note_successes(&self, outcome: &SyncOutcome) {
        for system in &outcome.systems {
            match self.store.last_success(&system.system, None) {
                Ok(Some(at)) => self.metrics.last_success(&system.system, at),
                Ok(None) => {}
                Err(e) => tracing::warn!(system = %system.system, "reading run history: {e}"),
            }
        }
    }

    fn note_faults(&mut self) {
        for system in &self.systems.systems {
            let total = system.connect.faults();
            let seen = self.faults_seen.entry(system.name.clone()).or_default();
            self.metrics
                .faults(&system.name, total.saturating_sub(*seen));
            *seen = total;
        }
    }

    fn forget_old_runs(&self, now: DateTime<Utc>) {
        let keep = chrono::Duration::from_std(self.keep_runs).unwrap_or(chrono::Duration::MAX);
        let before = now
            .checked_sub_signed(keep)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        match self.store.forget_runs_before(before) {
            Ok(0) => {}
            Ok(n) => tracing::info!(runs = n, "forgot old run history"),
            Err(e) => tracing::warn!("forgetting old run history: {e}"),
        }
    }
}

/// One line per run; quiet runs (a poll that found nothing) only at debug level, so a source
/// polled every second does not flood the log.
fn log(outcome: &SyncOutcome, seconds: f64) {
    let operations: usize = outcome
        .systems
        .iter()
        .flat_map(|s| s.resumed.iter().chain(&s.apply))
        .map(|a| a.done + a.failed.len())
        .sum();
    let changes: usize = outcome
        .systems
        .iter()
        .filter_map(|s| s.feed.as_ref())
        .map(|f| f.changes)
        .sum();
    let mode = outcome.mode.as_str();
    let quiet = operations == 0 && changes == 0 && outcome.mode == tessera_sync::Mode::Incremental;
    if quiet {
        tracing::debug!(mode, seconds, "run finished; nothing changed");
    } else {
        tracing::info!(mode, seconds, changes, operations, "run finished");
    }
    for s in outcome.systems.iter().filter(|s| !s.notes.is_empty()) {
        let notes = s.notes.join("; ");
        tracing::warn!(system = %s.system, status = s.status.as_str(), "{notes}");
    }
}
