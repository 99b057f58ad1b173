//! The import stage: every source read and committed, one after another.

use std::time::Instant;

use tessera_engine::import::{ImportOptions, commit_read, read_source};

use super::{Stages, SystemRun};
use crate::systems::{ConnectError, Kind, System};

impl Stages<'_> {
    pub(super) async fn import(&self, runs: &mut [SystemRun<'_>]) {
        let count = runs
            .iter()
            .filter(|r| r.live(Kind::Source).is_some())
            .count();
        let bar = self.progress.stage("import", count);
        let options = ImportOptions {
            force: self.options.force,
            dry_run: self.options.dry_run,
        };
        for run in runs.iter_mut() {
            let Some(system) = run.live(Kind::Source) else {
                continue;
            };
            bar.start(&system.name);
            let started = Instant::now();
            if let Err(e) = self.import_one(run, system, options).await {
                run.fail("import", e.as_ref());
            }
            run.summary.time("import", started);
            bar.done();
        }
        bar.finish("sources read");
    }

    async fn import_one(
        &self,
        run: &mut SystemRun<'_>,
        system: &System,
        options: ImportOptions,
    ) -> Result<(), ConnectError> {
        let read = {
            let mut source = system.connect.source().await?;
            read_source(source.as_mut(), &system.name, &system.source).await?
            // The connector, and a plugin's memory with it, goes here: the commit needs
            // neither.
        };
        let report = commit_read(self.store, read, &system.source, options, self.clock.now)?;
        if let Some(why) = &report.blocked {
            run.summary.block(format!(
                "import blocked: {why}; rerun with --force to accept"
            ));
        }
        run.summary.import = Some(report);
        Ok(())
    }
}
