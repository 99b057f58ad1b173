//! The import stage: every source read and committed, one after another: in full, or in an
//! incremental run through its change feed.

use std::collections::BTreeSet;
use std::time::Instant;

use tessera_engine::import::{
    ImportOptions, ImportReport, SourceFeedRead, commit_read, import_changes, read_source,
    start_feed,
};

use super::{Reading, Stages, SystemRun};
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
        let mut changed = BTreeSet::new();
        for run in runs.iter_mut() {
            let Some(system) = run.live(Kind::Source) else {
                continue;
            };
            if self.reading(system) == Reading::Skip {
                run.summary.reading = Some(Reading::Skip);
                bar.done();
                continue;
            }
            bar.start(&system.name);
            let started = Instant::now();
            match self.import_one(run, system, options).await {
                Ok(report) => {
                    changed.extend(report.affected.iter().cloned());
                    note_block(run, &report);
                    run.summary.import = Some(report);
                }
                Err(e) => run.fail("import", e.as_ref()),
            }
            run.summary.time("import", started);
            bar.done();
        }
        bar.finish("sources read");
        changed
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
            let read = read_source(source.as_mut(), &system.name, &system.source).await?;
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
