//! The SOLL stage: every person's desired state computed once; in an incremental run only that
//! of the persons a change concerns, unless the day, the role model or the manual grants
//! changed since it was last computed, when everyone's is computed again.

use std::collections::BTreeSet;

use tessera_engine::soll::{self, Computed};

use super::{Mode, Stages};
use crate::Result;

/// What the SOLL stage computed.
pub(super) struct Soll {
    /// Everyone's: the person index (and, on a dry run, the desired states in memory).
    pub computed: Option<Computed>,
    /// Some persons' only: theirs, in the store.
    pub persons: BTreeSet<String>,
}

impl Stages<'_> {
    pub(super) fn soll(&self, changed: &BTreeSet<String>) -> Result<Soll> {
        let bar = self.progress.stage("soll", 1);
        let (today, now) = (self.clock.today, self.clock.now);
        let (store, model) = (self.store, self.model);
        let current = soll::basis(store, model, today)?;
        let everyone = self.options.mode == Mode::Full || store.basis()?.as_ref() != Some(&current);
        let soll = if everyone {
            let store_it = !self.options.dry_run;
            let computed = soll::compute_desired(store, model, today, now, store_it)?;
            bar.done();
            bar.finish(&format!(
                "desired state of {} persons",
                computed.index.known.len()
            ));
            Soll {
                computed: Some(computed),
                persons: BTreeSet::new(),
            }
        } else {
            // And those of a run that died before planning for them.
            let mut persons = changed.clone();
            persons.extend(store.pending_persons()?);
            // And those whose grants wait for a follow-up ticket: it may have been closed
            // since, which no change feed reports.
            let waiting = store.tickets(None, true)?.into_iter().filter(|t| t.hold);
            persons.extend(waiting.filter_map(|t| t.person));
            soll::compute_desired_of(store, model, &persons, today, now)?;
            bar.done();
            bar.finish(&format!(
                "desired state of {} changed persons",
                persons.len()
            ));
            Soll {
                computed: None,
                persons,
            }
        };
        Ok(soll)
    }
}
