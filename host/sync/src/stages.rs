//! The stages of one run, in order; see the crate documentation.

mod follow_ups;
mod record;
mod soll;
mod sources;
mod targets;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tessera_domain::TargetConnector;
use tessera_domain::TargetInfo;
use tessera_engine::apply::Stop;
use tessera_engine::ist::IstChanges;
use tessera_engine::model::RoleModel;
use tessera_engine::plan::Plan;
use tessera_store::{CheckpointKey, RunLease, Store};

use crate::systems::{Kind, System, Systems};
use crate::{Clock, Progress, Result, StageSeconds, SyncOutcome, SystemSummary};

/// How much a run reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Every source read and every target listed in full: the full reconciliation, which also
    /// reports the drift the change feeds missed.
    #[default]
    Full,
    /// Only what changed: sources and targets read through their change feeds, desired state
    /// computed again for the persons concerned, plans made from the shadows around them.
    /// A system without a feed (or with a dead cursor) is read in full.
    Incremental,
}

impl Mode {
    /// `full` or `incremental`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Incremental => "incremental",
        }
    }
}

/// How one system is read in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// Read in full: every source record, every target account.
    Full,
    /// Read through its change feed (in full when it has none to read).
    Changes,
    /// Not read. A source adds no changes; a target is planned from its shadows for the
    /// persons the sources changed, so a new worker's accounts need not wait for it.
    Skip,
}

impl Reading {
    /// `full`, `changes` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Changes => "changes",
            Self::Skip => "skip",
        }
    }
}

/// Switches for one run.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Read and plan only: commit no import, store and apply no plan, finish no journal. A dry
    /// run is always full.
    pub dry_run: bool,
    /// Accept an import a source threshold blocked.
    pub force: bool,
    /// Full or incremental.
    pub mode: Mode,
    /// Systems read otherwise than `mode` says, by name: the daemon reads each system on its
    /// own schedule.
    pub reading: BTreeMap<String, Reading>,
    /// Asked to stop: the run finishes the operation in hand, journals it, and applies no
    /// further one; the rest of the plan waits in the journal for the next run.
    pub stop: Stop,
    /// Signs the audit chain's head after the run (see `tessera_store::Checkpoint`); `None`
    /// when no vault key is at hand.
    pub checkpoint: Option<Arc<CheckpointKey>>,
}

impl SyncOptions {
    /// How `system` is read in this run.
    pub fn reading_of(&self, system: &str) -> Reading {
        match (self.dry_run, self.mode, self.reading.get(system)) {
            (true, ..) => Reading::Full,
            (false, _, Some(reading)) => *reading,
            (false, Mode::Full, None) => Reading::Full,
            (false, Mode::Incremental, None) => Reading::Changes,
        }
    }
}

/// Runs every stage over `systems` against `store` and `model`, holding the store's run lock
/// throughout. A system that fails is reported in its summary and the others go on; an error
/// is returned only when the run as a whole cannot go on (the lock is held by another run,
/// the desired state cannot be computed).
pub async fn sync(
    store: &dyn Store,
    model: &RoleModel,
    systems: &Systems,
    options: SyncOptions,
    clock: Clock,
    progress: &dyn Progress,
) -> Result<SyncOutcome> {
    let what = if options.dry_run {
        "tessera plan (a dry run)"
    } else {
        "tessera sync"
    };
    let lock = Lock {
        store,
        lease: Some(store.lock_runs(what, clock.now)?),
    };
    let mut options = options;
    if options.dry_run {
        options.mode = Mode::Full;
    }
    let stages = Stages {
        store,
        model,
        clock,
        options: &options,
        progress,
    };
    let outcome = stages.run(systems).await?;
    if !options.dry_run {
        record::runs(store, &outcome, clock)?;
        if let Some(key) = &options.checkpoint {
            store.checkpoint_audit(key, clock.now)?;
        }
    }
    lock.release()?;
    Ok(outcome)
}

/// The store's run lock while a run holds it. A run that ends early (an error, a panic, its
/// future dropped) still gives it back; a process that dies leaves it to the next run, which
/// sees the holder gone.
struct Lock<'a> {
    store: &'a dyn Store,
    lease: Option<RunLease>,
}

impl Lock<'_> {
    fn release(mut self) -> Result<()> {
        match self.lease.take() {
            Some(lease) => Ok(self.store.unlock_runs(&lease)?),
            None => Ok(()),
        }
    }
}

impl Drop for Lock<'_> {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take()
            && let Err(e) = self.store.unlock_runs(&lease)
        {
            tracing::warn!("could not release the run lock: {e}");
        }
    }
}

/// One configured system on its way through the stages.
struct SystemRun<'s> {
    /// `None` once it failed: it takes part in no later stage.
    system: Option<&'s System>,
    /// One target connector per concurrent writer, opened by recover and used by apply.
    pool: Vec<Box<dyn TargetConnector>>,
    info: Option<TargetInfo>,
    /// Whether the target was listed in full this run (so its plan covers everyone).
    full_read: bool,
    /// What its change feed touched, in an incremental run.
    changes: Option<IstChanges>,
    plan: Option<Plan>,
    summary: SystemSummary,
}

impl<'s> SystemRun<'s> {
    fn new(system: &'s System) -> Self {
        let mut summary = SystemSummary::new(&system.name);
        summary.kind = system.kind().as_str();
        summary.plugin = Some(system.connect.plugin().to_owned());
        Self {
            system: Some(system),
            pool: Vec::new(),
            info: None,
            full_read: false,
            changes: None,
            plan: None,
            summary,
        }
    }

    /// The system, while it has not failed and is of `kind`.
    fn live(&self, kind: Kind) -> Option<&'s System> {
        self.system.filter(|s| s.kind() == kind)
    }

    /// Marks the system failed and drops it from the later stages.
    fn fail(&mut self, stage: &str, error: &dyn std::error::Error) {
        // The summary is the system's row: its name is said there, not again in the note.
        let text = chain(error);
        let own = format!("{}: ", self.summary.system);
        let text = text.strip_prefix(&own).unwrap_or(&text);
        self.summary.fail(format!("{stage}: {text}"));
        self.system = None;
        self.pool.clear();
    }
}

/// An error with its causes, `outer: inner: innermost`, each said once.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// What every stage shares.
struct Stages<'a> {
    store: &'a dyn Store,
    model: &'a RoleModel,
    clock: Clock,
    options: &'a SyncOptions,
    progress: &'a dyn Progress,
}

/// Seconds since the last lap, and since the run began.
struct Lap {
    last: Instant,
    begun: Instant,
}

impl Lap {
    fn start() -> Self {
        let now = Instant::now();
        Self {
            last: now,
            begun: now,
        }
    }

    fn next(&mut self) -> f64 {
        let seconds = self.last.elapsed().as_secs_f64();
        self.last = Instant::now();
        seconds
    }

    /// `seconds` with the whole run's wall time set.
    fn end(&self, seconds: StageSeconds) -> StageSeconds {
        let wall = seconds.load + self.begun.elapsed().as_secs_f64();
        StageSeconds { wall, ..seconds }
    }
}

impl Stages<'_> {
    async fn run(&self, systems: &Systems) -> Result<SyncOutcome> {
        let mut runs: Vec<SystemRun<'_>> = systems.systems.iter().map(SystemRun::new).collect();
        let mut seconds = StageSeconds {
            load: systems.load_seconds,
            ..StageSeconds::default()
        };
        let mut lap = Lap::start();
        if !self.options.dry_run {
            self.recover(&mut runs).await;
        }
        seconds.recover = lap.next();
        let Some(soll) = self.gather(&mut runs, &mut seconds, &mut lap).await? else {
            // What was imported is marked pending: the next run plans for it.
            return Ok(self.outcome(systems, runs, lap.end(seconds)));
        };
        self.plan(&mut runs, &soll, systems).await;
        drop(soll);
        seconds.plan = lap.next();
        if !self.options.dry_run {
            self.apply(&mut runs).await;
        }
        seconds.apply = lap.next();
        Ok(self.outcome(systems, runs, lap.end(seconds)))
    }

    /// Imports the sources, computes the desired state and reads the targets; `None` when the
    /// run was asked to stop after the import.
    async fn gather(
        &self,
        runs: &mut [SystemRun<'_>],
        seconds: &mut StageSeconds,
        lap: &mut Lap,
    ) -> Result<Option<soll::Soll>> {
        let at_once = self.at_once();
        let changed = match at_once {
            true => {
                let (changed, import, read) = self.import_and_read(runs).await;
                (seconds.import, seconds.read) = (import, read);
                lap.next();
                changed
            }
            false => {
                let changed = self.import(runs).await;
                seconds.import = lap.next();
                changed
            }
        };
        if self.options.stop.requested() {
            return Ok(None);
        }
        let soll = self.soll(&changed)?;
        seconds.soll = lap.next();
        if !at_once {
            // The desired state is out of memory (in the store) before the listings come in.
            self.read(runs).await;
            seconds.read = lap.next();
        }
        Ok(Some(soll))
    }

    /// Whether sources import at once, and targets are read while they do: in an incremental
    /// run, which holds only changes. A full run reads one thing after another, to keep its
    /// peak memory down.
    fn at_once(&self) -> bool {
        self.options.mode == Mode::Incremental && !self.options.dry_run
    }

    /// Imports the sources and reads the targets at the same time; returns the persons whose
    /// merged record changed, and each stage's own seconds (together more than the wall time
    /// they took).
    async fn import_and_read(&self, runs: &mut [SystemRun<'_>]) -> (BTreeSet<String>, f64, f64) {
        runs.sort_by_key(|r| r.live(Kind::Source).is_none());
        let sources = runs.iter().filter(|r| r.live(Kind::Source).is_some());
        let (sources, targets) = runs.split_at_mut(sources.count());
        let import = async {
            let started = Instant::now();
            (self.import(sources).await, started.elapsed().as_secs_f64())
        };
        let read = async {
            let started = Instant::now();
            self.read(targets).await;
            started.elapsed().as_secs_f64()
        };
        let ((changed, import), read) = futures_util::join!(import, read);
        (changed, import, read)
    }

    fn reading(&self, system: &System) -> Reading {
        self.options.reading_of(&system.name)
    }

    fn outcome(
        &self,
        systems: &Systems,
        runs: Vec<SystemRun<'_>>,
        seconds: StageSeconds,
    ) -> SyncOutcome {
        let mut summaries = Vec::new();
        let mut plans = Vec::new();
        for (name, why) in &systems.failed {
            let mut summary = SystemSummary::new(name);
            summary.fail(why.clone());
            summaries.push(summary);
        }
        for mut run in runs {
            run.summary.warnings = systems
                .warnings
                .iter()
                .filter(|(s, _)| *s == run.summary.system)
                .map(|(_, w)| w.clone())
                .collect();
            plans.extend(run.plan);
            summaries.push(run.summary);
        }
        // Sources first, as they ran.
        summaries.sort_by_key(|s| s.kind != Kind::Source.as_str());
        SyncOutcome {
            today: self.clock.today,
            mode: self.options.mode,
            dry_run: self.options.dry_run,
            seconds,
            systems: summaries,
            plans,
        }
    }
}
