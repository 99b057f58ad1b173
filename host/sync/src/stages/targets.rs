//! The target stages: recover, read, plan and apply. Reads and applies run for every target
//! at once, since each mostly waits for its own far side.

use std::time::Instant;

use futures_util::future::join_all;
use tessera_engine::apply::{Applier, ApplyReport, apply_saved, resume};
use tessera_engine::ist::{self, FeedRead, read_target, read_target_changes};
use tessera_engine::plan::{Desired, Scope, plan_scope, plan_system, save_plan};
use tessera_engine::soll::PersonIndex;
use tessera_store::PlanStatus;

use super::soll::Soll;
use super::{Reading, Stages, SystemRun};
use crate::Status;
use crate::outcome::FeedSummary;
use crate::systems::{ConnectError, Kind, System, Systems};

impl Stages<'_> {
    fn targets(&self, runs: &[SystemRun<'_>]) -> usize {
        runs.iter()
            .filter(|r| r.live(Kind::Target).is_some())
            .count()
    }

    fn applier<'s>(&'s self, system: &'s System) -> Applier<'s> {
        Applier {
            settings: &system.apply,
            plugin: Some(system.connect.plugin()),
            stop: &self.options.stop,
        }
    }

    /// Opens each target's connectors and finishes the plans a crashed run left.
    pub(super) async fn recover(&self, runs: &mut [SystemRun<'_>]) {
        let bar = self.progress.stage("recover", self.targets(runs));
        for run in runs.iter_mut() {
            let Some(system) = run.live(Kind::Target) else {
                continue;
            };
            bar.start(&system.name);
            let started = Instant::now();
            if let Err(e) = self.recover_one(run, system).await {
                run.fail("recover", e.as_ref());
            }
            run.summary.time("recover", started);
            bar.done();
        }
        bar.finish("journals finished");
    }

    async fn recover_one(
        &self,
        run: &mut SystemRun<'_>,
        system: &System,
    ) -> Result<(), ConnectError> {
        // One instance per concurrent writer; apply uses the same ones.
        for _ in 0..system.apply.concurrency {
            run.pool.push(system.connect.target().await?);
        }
        let now = self.clock.now;
        let store = self.store;
        let applier = self.applier(system);
        run.summary.resumed = resume(store, &system.name, &mut run.pool, applier, now).await?;
        Ok(())
    }

    /// Reads every target: listed in full, or in an incremental run through its change feed.
    pub(super) async fn read(&self, runs: &mut [SystemRun<'_>]) {
        let bar = self.progress.stage("read", self.targets(runs));
        let reads = runs.iter_mut().map(|run| async {
            let Some(system) = run.live(Kind::Target) else {
                return;
            };
            bar.start(&system.name);
            let started = Instant::now();
            if let Err(e) = self.read_one(run, system).await {
                run.fail("read", e.as_ref());
            }
            run.summary.time("read", started);
            bar.done();
        });
        join_all(reads).await;
        bar.finish("targets read");
    }

    async fn read_one(&self, run: &mut SystemRun<'_>, system: &System) -> Result<(), ConnectError> {
        // A fresh instance reads, and goes with what it holds before plan and apply.
        let mut reader = system.connect.target().await?;
        let reading = self.reading(system);
        if reading == Reading::Skip && self.was_read(&system.name)? {
            run.info = Some(ist::describe(&system.name, reader.as_mut()).await?);
            run.summary.reading = Some(Reading::Skip);
            return Ok(());
        }
        if reading != Reading::Full && self.read_changes(run, system, reader.as_mut()).await? {
            run.summary.reading = Some(Reading::Changes);
            return Ok(());
        }
        let now = self.clock.now;
        let ist = read_target(self.store, &system.name, reader.as_mut(), now).await?;
        drop(reader);
        run.summary.ist(&ist);
        run.summary.reading = Some(Reading::Full);
        run.info = Some(ist.info);
        run.full_read = true;
        Ok(())
    }

    /// Whether an earlier run read the target, so its shadows can stand in for it.
    fn was_read(&self, system: &str) -> tessera_store::Result<bool> {
        Ok(self.store.cursor(system, ist::ACCOUNTS)?.is_some()
            || self.store.shadow_counts(system)?.0 > 0)
    }

    /// Reads a target's change feed; `false` when it must be listed in full instead: its
    /// feed was never started or its cursor is dead, or it has no feed and was never read.
    async fn read_changes(
        &self,
        run: &mut SystemRun<'_>,
        system: &System,
        reader: &mut dyn tessera_domain::TargetConnector,
    ) -> Result<bool, ConnectError> {
        let (store, name, now) = (self.store, &system.name, self.clock.now);
        let info = ist::describe(name, reader).await?;
        let done = match read_target_changes(store, name, reader, &info, now).await? {
            FeedRead::Changes(changes) => {
                run.summary.feed = Some(FeedSummary::read(changes.accounts.len()));
                run.changes = Some(changes);
                true
            }
            // Without a feed the shadows are the IST: kept current by Tessera's own writes,
            // and by the full reconciliation for changes made behind its back.
            FeedRead::NoFeed => info.feed.is_none() && store.shadow_counts(name)?.0 > 0,
            FeedRead::Reset(why) => {
                run.summary.feed = Some(FeedSummary::reset(why));
                false
            }
        };
        if done {
            run.info = Some(info);
        }
        Ok(done)
    }

    /// Plans every target: in full from its shadows and everyone's desired state, or around
    /// the persons and accounts that changed.
    pub(super) async fn plan(&self, runs: &mut [SystemRun<'_>], soll: &Soll, systems: &Systems) {
        let bar = self.progress.stage("plan", self.targets(runs));
        let mut index = None;
        for run in runs.iter_mut() {
            let Some(system) = run.live(Kind::Target) else {
                continue;
            };
            bar.start(&system.name);
            let started = Instant::now();
            if let Err(e) = self.plan_one(run, system, soll, &mut index, systems).await {
                run.fail("plan", &e);
            }
            run.summary.time("plan", started);
            bar.done();
        }
        bar.finish("plans made");
        if !self.options.dry_run && runs.iter().all(|r| r.summary.status != Status::Failed) {
            // Every target has planned for them (failed sources do not plan).
            let persons = soll.computed.is_none().then_some(&soll.persons);
            if let Err(e) = self.store.clear_pending_persons(persons) {
                tracing::warn!("could not clear the pending persons: {e}");
            }
        }
    }

    async fn plan_one(
        &self,
        run: &mut SystemRun<'_>,
        system: &System,
        soll: &Soll,
        index: &mut Option<PersonIndex>,
        systems: &Systems,
    ) -> tessera_engine::Result<()> {
        let Some(info) = &run.info else {
            return Ok(());
        };
        let (store, model, today) = (self.store, self.model, self.clock.today);
        // The accounts a narrow plan covered; `None` when it covered every account.
        let mut scoped = None;
        let mut plan = match (&soll.computed, run.full_read) {
            (Some(computed), _) => {
                let empty = Default::default();
                let desired = match computed.desired.as_ref() {
                    // A dry run's, held in memory.
                    Some(all) => Desired::Held(all.get(&system.name).unwrap_or(&empty)),
                    None => Desired::Stored(store),
                };
                plan_system(
                    store,
                    model,
                    &system.name,
                    info,
                    (desired, &computed.index),
                    today,
                )?
            }
            (None, true) => {
                // Listed in full while only some persons' desired state was computed: the plan
                // still covers everyone, so it needs everyone's index.
                if index.is_none() {
                    *index = Some(PersonIndex::load(store, model)?);
                }
                let empty = PersonIndex::default();
                let index = index.as_ref().unwrap_or(&empty);
                let desired = Desired::Stored(store);
                plan_system(store, model, &system.name, info, (desired, index), today)?
            }
            (None, false) => {
                let mut accounts = run.changes.take().map(|c| c.accounts).unwrap_or_default();
                // And those a run that died before planning left.
                accounts.extend(store.pending_accounts(&system.name)?);
                let scope = Scope {
                    persons: soll.persons.clone(),
                    accounts,
                };
                let plan = plan_scope(store, model, &system.name, info, &scope, today)?;
                scoped = Some(scope.accounts);
                plan
            }
        };
        self.follow_ups(run, &mut plan, systems).await?;
        if !self.options.dry_run {
            store.atomically(|| {
                let id = save_plan(store, &mut plan, self.clock.now)?;
                if plan.operations.is_empty() {
                    // Nothing to apply: it is finished as it is saved, in the same commit.
                    store.set_plan_status(id, PlanStatus::Finished)?;
                }
                store.clear_pending_accounts(&system.name, scoped.as_ref())?;
                Ok::<_, tessera_engine::Error>(())
            })?;
        }
        run.summary.plan(&plan);
        if !plan.blocked.is_empty() {
            let n = plan.blocked.len();
            run.summary.block(format!(
                "{n} actions held back by a threshold; see `tessera approve --list`"
            ));
        }
        if self.options.dry_run {
            run.summary.planned = Some(plan.clone());
        }
        run.plan = Some(plan);
        Ok(())
    }

    /// Applies every target's plan at once; each plan is journalled on its own.
    pub(super) async fn apply(&self, runs: &mut [SystemRun<'_>]) {
        let bar = self.progress.stage("apply", self.targets(runs));
        let applies = runs.iter_mut().map(|run| async {
            let Some(system) = run.live(Kind::Target) else {
                return;
            };
            bar.start(&system.name);
            let started = Instant::now();
            if let Err(e) = self.apply_one(run, system).await {
                run.fail("apply", &e);
            }
            run.summary.time("apply", started);
            bar.done();
        });
        join_all(applies).await;
        bar.finish("plans applied");
    }

    async fn apply_one(
        &self,
        run: &mut SystemRun<'_>,
        system: &System,
    ) -> tessera_engine::Result<()> {
        let Some((id, plan)) = run.plan.as_ref().and_then(|p| Some((p.id?, p))) else {
            return Ok(());
        };
        if plan.operations.is_empty() {
            // Saved finished already.
            run.summary.apply = Some(ApplyReport {
                plan_id: id,
                system: system.name.clone(),
                ..ApplyReport::default()
            });
            return Ok(());
        }
        let (store, now) = (self.store, self.clock.now);
        let applier = self.applier(system);
        let report = apply_saved(store, id, plan, &mut run.pool, applier, now).await?;
        if let Some(first) = report.failed.first() {
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
