//! What the slices before the detail window leave of each worker: who they are and how many
//! shifts they had there, folded into one historical contract.
//!
//! The fold of several slices can be made in parts and joined ([`Earlier::absorb`]), so the
//! weeks that do not change from run to run can be remembered instead of parsed again
//! (`history.rs`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use tessera_sdk::types::Warning;

use super::owned;
use crate::model::{SliceWorkers, Worker};

/// What the slices before the detail window leave of each worker, by worker number.
#[derive(Default)]
pub struct Earlier {
    pub(crate) workers: HashMap<String, (Worker<'static>, Fold)>,
    /// What was already warned about ([`said`]), so each warning is given once.
    pub(crate) warned: HashSet<String>,
}

/// The shifts folded into one historical contract: how many, and the first and last day they
/// start on (UTC). Only the shifts decide it, never the window's moving edge, so the contract
/// stays the same from day to day until a shift joins or leaves it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fold {
    pub(crate) count: u32,
    pub(crate) first: Option<NaiveDate>,
    pub(crate) last: Option<NaiveDate>,
}

impl Fold {
    fn add(&mut self, start: DateTime<FixedOffset>) {
        let day = start.with_timezone(&Utc).date_naive();
        self.count += 1;
        self.first = Some(self.first.map_or(day, |d| d.min(day)));
        self.last = Some(self.last.map_or(day, |d| d.max(day)));
    }

    /// Adds another slice's fold of the same worker.
    fn merge(&mut self, other: Fold) {
        self.count += other.count;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // None orders before any day.
        self.last = self.last.max(other.last);
    }
}

/// What a warning is known by: the same subject with the same message is said once per run,
/// however many answers repeat it.
pub(crate) fn said(subject: Option<&str>, message: &str) -> String {
    format!("{}\u{0}{message}", subject.unwrap_or_default())
}

/// Warns about `shift` once per run.
pub(crate) fn warn_once(
    warned: &mut HashSet<String>,
    warnings: &mut Vec<Warning>,
    shift: &str,
    message: String,
) {
    if warned.insert(said(Some(shift), &message)) {
        warnings.push(Warning {
            subject: Some(shift.to_owned()),
            message,
        });
    }
}

/// What Elanza's answers say of a worker without a number, who cannot become a person.
pub(crate) const NUMBERLESS: &str = "worker without workerNumber skipped";

impl Earlier {
    /// Counts the shifts of one slice that start in `[from, to)`; the API's window includes
    /// both ends, so a shift on a boundary is counted in one slice only.
    pub fn add(
        &mut self,
        planned: &SliceWorkers<'_>,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        warnings: &mut Vec<Warning>,
    ) {
        for entry in &planned.workers {
            let Some(number) = &entry.worker.worker_number else {
                let who = entry.worker.email.as_deref().filter(|w| !w.is_empty());
                if self.warned.insert(said(who, NUMBERLESS)) {
                    warnings.push(Warning {
                        subject: who.map(str::to_owned),
                        message: NUMBERLESS.into(),
                    });
                }
                continue;
            };
            let mut fold = Fold::default();
            for shift in &entry.shifts {
                let start = shift.start_at.as_deref().map(DateTime::parse_from_rfc3339);
                match start {
                    Some(Ok(t)) if t >= from && t < to => fold.add(t),
                    Some(Ok(_)) => {}
                    _ => warn_once(
                        &mut self.warned,
                        warnings,
                        &shift.uuid,
                        format!("shift of worker {number} without a valid startAt skipped"),
                    ),
                }
            }
            let slot = self
                .workers
                .entry(number.clone())
                .or_insert_with(|| (owned(&entry.worker), Fold::default()));
            slot.1.merge(fold);
        }
    }

    /// Joins the fold of later slices, made apart from this one, with the warnings it gave:
    /// the same as if those slices had been added here after the ones before. A worker keeps
    /// the details of the oldest slice that has them, and a warning said already is not said
    /// again.
    pub fn absorb(
        &mut self,
        later: Earlier,
        said_later: Vec<Warning>,
        warnings: &mut Vec<Warning>,
    ) {
        for (number, (worker, fold)) in later.workers {
            let slot = self
                .workers
                .entry(number)
                .or_insert_with(|| (worker, Fold::default()));
            slot.1.merge(fold);
        }
        for w in said_later {
            if self.warned.insert(said(w.subject.as_deref(), &w.message)) {
                warnings.push(w);
            }
        }
    }

    /// Every worker with its fold, for remembering.
    pub fn workers(&self) -> impl Iterator<Item = (&String, &Worker<'static>, Fold)> {
        self.workers.iter().map(|(n, (w, f))| (n, w, *f))
    }

    /// The fold remembered as [`Earlier::workers`] gave it, with the warnings it gave.
    pub fn remembered(
        workers: impl IntoIterator<Item = (String, Worker<'static>, Fold)>,
        warnings: &[Warning],
    ) -> Self {
        Self {
            workers: workers.into_iter().map(|(n, w, f)| (n, (w, f))).collect(),
            warned: warnings
                .iter()
                .map(|w| said(w.subject.as_deref(), &w.message))
                .collect(),
        }
    }
}
