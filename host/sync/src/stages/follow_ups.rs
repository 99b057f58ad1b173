//! Between plan and save: the follow-up tickets a target's grants ask for, opened in the
//! systems that offer tickets, and the grants that wait for theirs (see
//! `tessera_engine::follow_up`).

use std::collections::BTreeSet;

use tessera_engine::follow_up::{Desks, settle};
use tessera_engine::plan::Plan;

use super::{Stages, SystemRun};
use crate::systems::{Kind, Systems};

impl Stages<'_> {
    /// Opens the tickets `plan` asks for and moves the grants that wait out of it. A ticket
    /// system that cannot be opened is a note on the run, not a failure: the grants that
    /// wait keep waiting, the others go ahead, and a later run opens their tickets.
    pub(super) async fn follow_ups(
        &self,
        run: &mut SystemRun<'_>,
        plan: &mut Plan,
        systems: &Systems,
    ) -> tessera_engine::Result<()> {
        let wanted: BTreeSet<&str> = plan
            .operations
            .iter()
            .filter_map(|p| p.follow_up.as_ref())
            .map(|f| f.system.as_str())
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let dry_run = self.options.dry_run;
        let mut desks = Desks::new();
        // A dry run asks no ticket system anything.
        for name in wanted.into_iter().filter(|_| !dry_run) {
            let system = systems.systems.iter().find(|s| s.name == name);
            match system.filter(|s| s.kind() == Kind::Target) {
                Some(s) => match s.connect.target().await {
                    Ok(desk) => {
                        desks.insert(name.to_owned(), desk);
                    }
                    Err(e) => run.summary.notes.push(format!("follow-ups: {name}: {e}")),
                },
                None => run.summary.notes.push(format!(
                    "follow-ups: {name} is not a target system that loaded, so it opens no tickets"
                )),
            }
        }
        let settled = settle(self.store, plan, &mut desks, self.clock.now, dry_run).await?;
        let notes = &mut run.summary.notes;
        if !settled.opened.is_empty() {
            let numbers: Vec<String> = settled.opened.iter().map(ToString::to_string).collect();
            notes.push(format!("follow-up tickets opened: {}", numbers.join(", ")));
        }
        if settled.waiting > 0 {
            let n = settled.waiting;
            notes.push(format!(
                "{n} grants wait until their follow-up ticket is closed"
            ));
        }
        notes.extend(
            settled
                .problems
                .into_iter()
                .map(|p| format!("follow-ups: {p}")),
        );
        Ok(())
    }
}
