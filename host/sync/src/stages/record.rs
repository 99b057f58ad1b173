//! Each system's part in a run, recorded for health checks and the console.

use tessera_store::{RunRecord, Store};

use crate::{Clock, Mode, Reading, Result, Status, SyncOutcome};

/// Records every system's part in `outcome`, which started at `clock`.
pub(super) fn runs(store: &dyn Store, outcome: &SyncOutcome, clock: Clock) -> Result<()> {
    let finished = chrono::Utc::now().max(clock.now);
    for s in &outcome.systems {
        // A system left unread that did nothing amiss says nothing about its health.
        if s.reading == Some(Reading::Skip) && s.status != Status::Failed {
            continue;
        }
        let mode = match s.reading {
            Some(Reading::Full) => Mode::Full,
            _ => outcome.mode,
        };
        store.record_run(&RunRecord {
            system: s.system.clone(),
            mode: mode.as_str().to_owned(),
            started_at: clock.now,
            finished_at: finished,
            status: s.status.as_str().to_owned(),
            notes: s.notes.clone(),
        })?;
    }
    Ok(())
}
