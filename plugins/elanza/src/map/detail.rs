//! The detail window's shifts, gathered a week at a time and kept compact.
//!
//! A hospital's detail window is some 200,000 shifts: as one answer, some 60 MB of JSON, and
//! as much again parsed. A WebAssembly instance never gives memory back, so the plugin asks for
//! the window a slice at a time and keeps of each shift only its text (uuid, start, end), in its
//! worker's one string, and its department, product and skills as numbers into one table of
//! uuids. Each slice's answer is gone before the next is asked for.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::{DateTime, Utc};

use super::{owned, remade};
use crate::model::{Planned, PlannedWorkers, Shift, Worker};

/// Part of the detail window: shifts that start in `[from, to)`; `to` is `None` for the last
/// slice, which keeps every later start the answer has (the API includes both ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailSlice {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
}

impl DetailSlice {
    fn holds(&self, start: DateTime<Utc>) -> bool {
        start >= self.from && self.to.is_none_or(|to| start < to)
    }
}

/// The detail window's workers in the order first met, each with its shifts.
#[derive(Default)]
pub struct Detail {
    workers: Vec<Kept>,
    /// Worker number → index in `workers`.
    by_number: HashMap<String, usize, Fold>,
    /// Workers without a number, by e-mail address: kept once, to be reported once.
    numberless: HashSet<String>,
    /// Shifts without a valid start, kept once, to be reported once.
    startless: HashSet<String>,
    uuids: Uuids,
    /// Every shift's skills, one run after another.
    skills: Vec<u32>,
}

type Fold = foldhash::fast::RandomState;

struct Kept {
    worker: Worker<'static>,
    /// The text of all its shifts, one after another.
    text: String,
    shifts: Vec<Slot>,
}

/// One shift: where its text is in its worker's, and the uuids it names as numbers.
struct Slot {
    /// Where its uuid, start and end begin in the worker's text, and where its end ends.
    cuts: [u32; 4],
    /// Whether its start is a valid instant in its slice (one that is not is reported, not
    /// mapped, and is lent without a start).
    dated: bool,
    has_end: bool,
    product: Option<u32>,
    department: Option<u32>,
    /// Where its skills begin in [`Detail::skills`] and how many; `None` without a list.
    skills: Option<(u32, u32)>,
}

/// Department, product and skill uuids, each text once: a hospital has a few thousand of
/// them behind hundreds of thousands of shifts.
#[derive(Default)]
struct Uuids {
    texts: Vec<Box<str>>,
    numbers: HashMap<Box<str>, u32, Fold>,
}

impl Uuids {
    fn number(&mut self, text: &str) -> u32 {
        if let Some(n) = self.numbers.get(text) {
            return *n;
        }
        let n = count(self.texts.len());
        self.texts.push(text.into());
        self.numbers.insert(text.into(), n);
        n
    }

    fn text(&self, number: u32) -> &str {
        self.texts.get(number as usize).map_or("", |t| t)
    }
}

/// A length or position as kept; wasm32's memory is 4 GiB, so it always fits there.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Detail {
    /// Adds the shifts of one slice's answer that start in `slice`, and those without a valid
    /// start the first time they come.
    pub fn add(&mut self, planned: &PlannedWorkers<'_>, slice: DetailSlice) {
        for entry in &planned.workers {
            let Some(at) = self.worker(&entry.worker) else {
                continue;
            };
            for shift in &entry.shifts {
                let start = shift.start_at.as_deref().map(DateTime::parse_from_rfc3339);
                let (keep, dated) = match start {
                    Some(Ok(t)) => (slice.holds(t.to_utc()), true),
                    _ => (self.startless.insert(shift.uuid.to_string()), false),
                };
                if keep {
                    self.keep(at, shift, dated);
                }
            }
        }
    }

    /// The index of `worker`, added when first met; `None` for a worker without a number,
    /// kept the first time only so that it is reported once, and without shifts.
    fn worker(&mut self, worker: &Worker<'_>) -> Option<usize> {
        let at = self.workers.len();
        let numbered = match &worker.worker_number {
            Some(number) => match self.by_number.get(number) {
                Some(known) => return Some(*known),
                None => self.by_number.insert(number.clone(), at).is_none(),
            },
            None => {
                let who = worker.email.as_deref().unwrap_or_default();
                if !self.numberless.insert(who.to_owned()) {
                    return None;
                }
                false
            }
        };
        self.workers.push(Kept {
            worker: owned(worker),
            text: String::new(),
            shifts: Vec::new(),
        });
        numbered.then_some(at)
    }

    fn keep(&mut self, at: usize, shift: &Shift<'_>, dated: bool) {
        let skills = shift.skill_uuids.as_ref().map(|all| {
            let from = count(self.skills.len());
            for skill in all {
                let n = self.uuids.number(skill);
                self.skills.push(n);
            }
            (from, count(all.len()))
        });
        let product = shift.product_uuid.as_deref().map(|u| self.uuids.number(u));
        let department = shift
            .department_uuid
            .as_deref()
            .map(|u| self.uuids.number(u));
        let kept = &mut self.workers[at];
        let text = &mut kept.text;
        let mut cut = |part: &str| {
            let at = count(text.len());
            text.push_str(part);
            at
        };
        let (start, end) = (shift.start_at.as_deref(), shift.end_at.as_deref());
        let cuts = [
            cut(&shift.uuid),
            cut(start.unwrap_or_default()),
            cut(end.unwrap_or_default()),
            cut(""),
        ];
        kept.shifts.push(Slot {
            cuts,
            dated,
            has_end: end.is_some(),
            product,
            department,
            skills,
        });
    }

    /// How many workers it holds.
    pub fn len(&self) -> usize {
        self.workers.len()
    }

    /// Products the contracts need, each once (uuids compare without case), in the spelling
    /// first seen.
    pub fn products_needed(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.workers
            .iter()
            .flat_map(|w| &w.shifts)
            .filter(|s| s.dated)
            .filter_map(|s| s.product.map(|p| self.uuids.text(p)))
            .filter(|u| !u.is_empty() && seen.insert(u.to_ascii_lowercase()))
            .collect()
    }

    /// The workers in `range` as the API sent them, borrowing from this.
    pub fn planned(&self, range: Range<usize>) -> Vec<Planned<'_>> {
        let workers = self.workers.get(range).unwrap_or_default();
        workers
            .iter()
            .map(|kept| Planned {
                worker: remade(&kept.worker, Cow::Borrowed),
                shifts: kept
                    .shifts
                    .iter()
                    .map(|s| self.shift(&kept.text, s))
                    .collect(),
            })
            .collect()
    }

    fn shift<'s>(&'s self, text: &'s str, slot: &Slot) -> Shift<'s> {
        let [a, b, c, d] = slot.cuts.map(|n| n as usize);
        let part = |from: usize, to: usize| Cow::Borrowed(text.get(from..to).unwrap_or_default());
        let uuid = |n: u32| Cow::Borrowed(self.uuids.text(n));
        let skills = slot.skills.map(|(from, n)| {
            let from = from as usize;
            let all = self.skills.get(from..from + n as usize).unwrap_or_default();
            all.iter().map(|n| uuid(*n)).collect()
        });
        Shift {
            uuid: part(a, b),
            start_at: slot.dated.then(|| part(b, c)),
            end_at: slot.has_end.then(|| part(c, d)),
            product_uuid: slot.product.map(uuid),
            department_uuid: slot.department.map(uuid),
            skill_uuids: skills,
        }
    }
}
