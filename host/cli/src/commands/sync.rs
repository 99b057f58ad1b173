//! `tessera sync`: every source imported, then every target read (all at once), what everyone
//! should have computed, and every target planned and applied (all at once), one stage after
//! another with a progress bar each, and a summary per system.
//!
//! A system that fails (its plugin cannot load, its far side is down) is marked failed and
//! left out of the later stages; the others go on. A blocked import leaves the vault as it
//! was, so the targets are still planned against the last good import.

mod progress;
mod session;
mod summary;

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use futures_util::future::join_all;
use tessera_domain::{Person, TargetConnector, TargetInfo};
use tessera_engine::apply::{ApplySettings, apply_plan, resume};
use tessera_engine::import::{ImportOptions, SourceSettings, commit_read, read_source};
use tessera_engine::model::RoleModel;
use tessera_engine::plan::{Plan, plan_system_for, save_plan};
use tessera_engine::reconcile::read_target;
use tessera_engine::soll;
use tessera_runtime::{Installation, PreparedSystem, Runtime};
use tessera_store::Store;

use super::context::Clock;
use super::exit::ConfigError;
use crate::args::SyncArgs;
use progress::Bars;
use session::open_session;
pub use summary::{StageSeconds, Status, SystemSummary, report};

/// One configured system on its way through the stages.
struct SystemRun {
    prepared: Option<PreparedSystem>,
    source: SourceSettings,
    apply: ApplySettings,
    pool: Vec<Box<dyn TargetConnector>>,
    info: Option<TargetInfo>,
    plan: Option<Plan>,
    summary: SystemSummary,
}

impl SystemRun {
    fn is(&self, source: bool) -> bool {
        self.prepared
            .as_ref()
            .is_some_and(|p| p.is_source() == source)
    }

    /// Marks the system failed and drops it from the later stages.
    fn fail(&mut self, stage: &str, e: &anyhow::Error) {
        self.summary.fail(format!("{stage}: {e:#}"));
        self.prepared = None;
        self.pool.clear();
    }
}

/// Everything the stages share.
struct Sync<'a> {
    store: &'a Store,
    model: &'a RoleModel,
    clock: Clock,
    args: &'a SyncArgs,
    bars: Bars,
}

/// What one sync did: each system's summary, the plans it made and how long each stage took.
pub struct Outcome {
    pub summaries: Vec<SystemSummary>,
    pub plans: Vec<Plan>,
    pub seconds: StageSeconds,
}

pub fn run(config: &Path, clock: Clock, args: &SyncArgs) -> Result<()> {
    let outcome = execute(config, clock, args)?;
    summary::report(clock, args, outcome.summaries, &outcome.seconds)
}

/// Runs every stage and returns what happened without printing the summary.
pub fn execute(config: &Path, clock: Clock, args: &SyncArgs) -> Result<Outcome> {
    let mut s = open_session(config, None)?;
    let sync = Sync {
        store: &s.store,
        model: &s.model,
        clock,
        args,
        bars: Bars::new(args.json),
    };
    let started = Instant::now();
    sync.prepare(&mut s.inst, &s.runtime, &mut s.runs);
    let load = started.elapsed().as_secs_f64();
    let mut seconds = super::block_on(sync.stages(&mut s.runs))??;
    seconds.load = load;
    let (mut summaries, mut plans) = (Vec::new(), Vec::new());
    for run in s.runs {
        summaries.push(run.summary);
        plans.extend(run.plan);
    }
    Ok(Outcome {
        summaries,
        plans,
        seconds,
    })
}

/// Reads and plans the targets (all, or `only`) without storing or applying a plan; returns
/// each target's summary with its plan, and the store for what else the caller shows.
pub fn dry_plans(
    config: &Path,
    clock: Clock,
    only: Option<&str>,
    json: bool,
) -> Result<(Store, Vec<SystemSummary>)> {
    let mut s = open_session(config, only)?;
    let args = SyncArgs {
        dry_run: true,
        force: false,
        json,
    };
    let sync = Sync {
        store: &s.store,
        model: &s.model,
        clock,
        args: &args,
        bars: Bars::new(json),
    };
    sync.prepare(&mut s.inst, &s.runtime, &mut s.runs);
    if let (Some(name), Some(run)) = (only, s.runs.first())
        && run.is(true)
    {
        anyhow::bail!(ConfigError(format!(
            "`{name}` is a source; plans are made for targets"
        )));
    }
    // As in a sync: the targets first, then the vault, so their memory does not overlap.
    super::block_on(sync.read_all(&mut s.runs))?;
    let persons = s.store.persons().context("reading the vault")?;
    sync.plan_all(&mut s.runs, &persons);
    let targets = s.runs.into_iter().filter(|r| r.summary.kind != "source");
    Ok((s.store, targets.map(|r| r.summary).collect()))
}

impl Sync<'_> {
    fn prepare(&self, inst: &mut Installation, runtime: &Runtime, runs: &mut [SystemRun]) {
        let bar = self.bars.stage("load", runs.len());
        for run in runs.iter_mut() {
            bar.set_message(run.summary.system.clone());
            match inst.prepare(runtime, &run.summary.system) {
                Ok((prepared, warnings)) => {
                    for w in warnings {
                        bar.suspend(|| eprintln!("warning: {}: {w}", run.summary.system));
                    }
                    run.summary.kind = if prepared.is_source() {
                        "source"
                    } else {
                        "target"
                    };
                    run.summary.plugin = Some(prepared.plugin().to_owned());
                    run.apply.plugin = Some(prepared.plugin().to_owned());
                    run.prepared = Some(prepared);
                }
                Err(e) => run.summary.fail(format!("load: {e:#}")),
            }
            bar.inc(1);
        }
        bar.finish_with_message("plugins ready");
    }

    /// The stages after loading, timed.
    async fn stages(&self, runs: &mut [SystemRun]) -> Result<StageSeconds> {
        let mut seconds = StageSeconds::default();
        let mut clock = Instant::now();
        let mut lap = || {
            let s = clock.elapsed().as_secs_f64();
            clock = Instant::now();
            s
        };
        self.import_all(runs).await;
        seconds.import = lap();
        // Targets are read before the vault is loaded, so the listings in flight and the
        // persons are never in memory together.
        self.read_all(runs).await;
        seconds.read = lap();
        // One load of the vault serves SOLL and every target's plan.
        let persons = self.store.persons().context("reading the vault")?;
        if !self.args.dry_run {
            let bar = self.bars.stage("soll", 1);
            let (today, now) = (self.clock.today, self.clock.now);
            soll::compute_for(self.store, self.model, &persons, today, now)
                .context("computing what everyone should have")?;
            bar.inc(1);
            bar.finish_with_message("desired state stored");
        }
        seconds.soll = lap();
        self.plan_all(runs, &persons);
        drop(persons);
        seconds.plan = lap();
        if !self.args.dry_run {
            self.apply_all(runs).await;
        }
        seconds.apply = lap();
        Ok(seconds)
    }

    async fn import_all(&self, runs: &mut [SystemRun]) {
        let bar = self
            .bars
            .stage("import", runs.iter().filter(|r| r.is(true)).count());
        let options = ImportOptions {
            force: self.args.force,
            dry_run: self.args.dry_run,
        };
        for run in runs.iter_mut().filter(|r| r.is(true)) {
            bar.set_message(run.summary.system.clone());
            let started = Instant::now();
            if let Err(e) = self.import_one(run, options).await {
                run.fail("import", &e);
            }
            run.summary.time("import", started);
            bar.inc(1);
        }
        bar.finish_with_message("sources read");
    }

    async fn import_one(&self, run: &mut SystemRun, options: ImportOptions) -> Result<()> {
        let Some(prepared) = &run.prepared else {
            return Ok(());
        };
        let read = {
            let mut source = prepared.source().await?;
            read_source(&mut source, &run.source).await?
            // The plugin instance, and its memory, go here: the commit does not need them.
        };
        let report = commit_read(self.store, read, &run.source, options, self.clock.now)?;
        if let Some(why) = &report.blocked {
            run.summary.block(format!(
                "import blocked: {why}; rerun with --force to accept"
            ));
        }
        run.summary.import = Some(report);
        Ok(())
    }

    /// Reads every target at once: each mostly waits for its own far side.
    async fn read_all(&self, runs: &mut [SystemRun]) {
        let bar = self
            .bars
            .stage("read", runs.iter().filter(|r| r.is(false)).count());
        let reads = runs.iter_mut().filter(|r| r.is(false)).map(|run| async {
            let started = Instant::now();
            if let Err(e) = self.read_one(run).await {
                run.fail("read", &e);
            }
            run.summary.time("read", started);
            bar.inc(1);
        });
        join_all(reads).await;
        bar.finish_with_message("targets read");
    }

    /// Opens the connectors, finishes what a crashed run left, and reads the target.
    async fn read_one(&self, run: &mut SystemRun) -> Result<()> {
        let Some(prepared) = &run.prepared else {
            return Ok(());
        };
        let system = prepared.system().to_owned();
        // One instance per concurrent writer.
        for _ in 0..run.apply.concurrency {
            run.pool.push(Box::new(prepared.target().await?));
        }
        let now = self.clock.now;
        if !self.args.dry_run {
            run.summary.resumed =
                resume(self.store, &system, &mut run.pool, &run.apply, now).await?;
        }
        // A fresh instance reads, and goes with the listing it holds before plan and apply.
        let mut reader = prepared.target().await?;
        let ist = read_target(self.store, &system, &mut reader, now).await?;
        drop(reader);
        run.summary.ist(&ist);
        run.info = Some(ist.info);
        Ok(())
    }

    fn plan_all(&self, runs: &mut [SystemRun], persons: &[Person]) {
        let bar = self
            .bars
            .stage("plan", runs.iter().filter(|r| r.is(false)).count());
        for run in runs.iter_mut().filter(|r| r.is(false)) {
            bar.set_message(run.summary.system.clone());
            let started = Instant::now();
            if let Err(e) = self.plan_one(run, persons) {
                run.fail("plan", &e);
            }
            run.summary.time("plan", started);
            bar.inc(1);
        }
        bar.finish_with_message("plans made");
    }

    fn plan_one(&self, run: &mut SystemRun, persons: &[Person]) -> Result<()> {
        let (Some(prepared), Some(info)) = (&run.prepared, &run.info) else {
            return Ok(());
        };
        let (system, clock) = (prepared.system(), self.clock);
        let mut plan = plan_system_for(self.store, self.model, persons, system, info, clock.today)?;
        if !self.args.dry_run {
            save_plan(self.store, &mut plan, clock.now)?;
        }
        run.summary.plan(&plan);
        if !plan.blocked.is_empty() {
            let n = plan.blocked.len();
            run.summary.block(format!(
                "{n} actions held back by a threshold; see `tessera approve --list`"
            ));
        }
        if self.args.dry_run {
            run.summary.planned = Some(plan.clone());
        }
        run.plan = Some(plan);
        Ok(())
    }

    /// Applies every target's plan at once; each plan is journalled on its own.
    async fn apply_all(&self, runs: &mut [SystemRun]) {
        let bar = self
            .bars
            .stage("apply", runs.iter().filter(|r| r.is(false)).count());
        let applies = runs.iter_mut().filter(|r| r.is(false)).map(|run| async {
            let started = Instant::now();
            if let Err(e) = self.apply_one(run).await {
                run.fail("apply", &e);
            }
            run.summary.time("apply", started);
            bar.inc(1);
        });
        join_all(applies).await;
        bar.finish_with_message("plans applied");
    }

    async fn apply_one(&self, run: &mut SystemRun) -> Result<()> {
        let Some(id) = run.plan.as_ref().and_then(|p| p.id) else {
            return Ok(());
        };
        let report = apply_plan(self.store, id, &mut run.pool, &run.apply, self.clock.now).await?;
        if !report.failed.is_empty() {
            let first = &report.failed[0];
            run.summary.fail(format!(
                "{} operations failed; first: {}: {}",
                report.failed.len(),
                first.key,
                first.error
            ));
        }
        run.summary.apply = Some(report);
        Ok(())
    }
}
