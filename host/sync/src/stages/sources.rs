//! The import stage: every source read and committed: in full, one after another, or in an
//! incremental run through its change feed, all at once (each mostly waits for its own far
//! side, and each commit is a transaction of its own).

use std::collections::BTreeSet;
use std::time::Instant;

use futures_util::future::join_all;

use tessera_engine::import::{
    ImportOptions, ImportReport, SourceFeedRead, commit_read, import_changes, read_source,
    start_feed,
};

use super::{Reading, Stages, SystemRun};
use crate::StageProgress;
use crate::outcome::FeedSummary;
use crate::systems::{ConnectError, Kind, System};

impl Stages<'_> {
    /// Imports every source; returns the persons whose merged record changed.
    pub(super) async fn import(&self, runs: &mut [SystemRun<'_>]) -> BTreeSet<String> {
        let count = runs
            .iter()
            .filter(|r| r.live(Kind::Source).is_some())
            .count();
        let bar = self.progress.stage("import", count);
        let options = ImportOptions {
            force: self.options.force,
            dry_run: self.options.dry_run,
            zone: self.model.zone,
        };
        let imports = runs
            .iter_mut()
            .map(|run| self.import_run(run, options, bar.as_ref()));
        let affected = match self.at_once() {
            true => join_all(imports).await,
            false => {
                let mut each = Vec::new();
                for import in imports {
                    each.push(import.await);
                }
                each
            }
        };
        let changed = affected.into_iter().flatten().flatten().collect();
        bar.finish("sources read");
        changed
    }

    /// Imports one source, when it is one and is read; returns the persons it changed.
    async fn import_run(
        &self,
        run: &mut SystemRun<'_>,
        options: ImportOptions,
        bar: &dyn StageProgress,
    ) -> Option<Vec<String>> {
        let system = run.live(Kind::Source)?;
        if self.reading(system) == Reading::Skip {
            run.summary.reading = Some(Reading::Skip);
            bar.done();
            return None;
        }
        bar.start(&system.name);
        let started = Instant::now();
        let affected = match self.import_one(run, system, options).await {
            Ok(report) => {
                note_block(run, &report);
                let affected = report.affected.clone();
                run.summary.import = Some(report);
                Some(affected)
            }
            Err(e) => {
                run.fail("import", e.as_ref());
                None
            }
        };
        run.summary.time("import", started);
        bar.done();
        affected
    }

    async fn import_one(
        &self,
        run: &mut SystemRun<'_>,
        system: &System,
        options: ImportOptions,
    ) -> Result<ImportReport, ConnectError> {
        if self.reading(system) == Reading::Changes {
            let mut source = system.connect.source().await?;
            let (store, now) = (self.store, self.clock.now);
            let name = &system.name;
            let read =
                import_changes(store, source.as_mut(), name, &system.source, options, now).await?;
            match read {
                SourceFeedRead::Changes(report) => {
                    run.summary.reading = Some(Reading::Changes);
                    run.summary.feed = Some(FeedSummary::read(
                        report.counts.added + report.counts.changed + report.counts.removed,
                    ));
                    return Ok(report);
                }
                SourceFeedRead::NoFeed => {}
                SourceFeedRead::Reset(why) => run.summary.feed = Some(FeedSummary::reset(why)),
            }
        }
        run.summary.reading = Some(Reading::Full);
        self.import_full(system, options).await
    }

    async fn import_full(
        &self,
        system: &System,
        options: ImportOptions,
    ) -> Result<ImportReport, ConnectError> {
        let (read, cursor) = {
            let mut source = system.connect.source().await?;
            let (store, name) = (self.store, &system.name);
            let read = read_source(store, source.as_mut(), name, &system.source).await?;
            let cursor = match options.dry_run {
                true => None,
                false => start_feed(&system.name, source.as_mut()).await?,
            };
            (read, cursor)
            // The connector, and a plugin's memory with it, goes here: the commit needs
            // neither.
        };
        let now = self.clock.now;
        Ok(commit_read(
            self.store,
            (read, cursor),
            &system.source,
            options,
            now,
        )?)
    }
}

fn note_block(run: &mut SystemRun<'_>, report: &ImportReport) {
    if let Some(why) = &report.blocked {
        run.summary.block(format!(
            "import blocked: {why}; rerun with --force to accept"
        ));
    }
}
