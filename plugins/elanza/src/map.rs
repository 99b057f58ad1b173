//! Elanza workers and shifts to Tessera persons and contracts. Pure: no host calls, so the
//! benchmark compiles this same file natively to compare against the plugin.

// By path, so the benchmark that compiles this file natively finds it too. The tests are
// declared in lib.rs for the same reason: the benchmark must not compile them.
#[path = "map/catalogue.rs"]
pub(crate) mod catalogue;
#[path = "map/detail.rs"]
pub(crate) mod detail;
#[path = "map/earlier.rs"]
pub(crate) mod earlier;

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, Days, NaiveTime, Utc};
use tessera_sdk::types::{Attribute, Contract, ContractKind, Person, PersonName, Warning};

use crate::model::{Planned, Shift, Worker};
pub use catalogue::{Catalogue, Products};
use catalogue::{Dept, lookup};
pub use detail::{Detail, DetailSlice};
pub use earlier::{Earlier, Fold};
use earlier::{NUMBERLESS, said, warn_once};

/// The instants one run works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The run's now.
    pub now: DateTime<Utc>,
    /// now − historical_days: plannedWorkers `from`.
    pub from: DateTime<Utc>,
    /// now + future_days: plannedWorkers `to`.
    pub to: DateTime<Utc>,
    /// Midnight UTC, shift_details_start days before today: shifts from here on are contracts.
    pub detail_start: DateTime<Utc>,
}

impl Window {
    /// None when the arithmetic leaves chrono's range.
    pub fn new(now: DateTime<Utc>, historical: u32, future: u32, details: u32) -> Option<Self> {
        let midnight = now.date_naive().and_time(NaiveTime::MIN).and_utc();
        Some(Self {
            now,
            from: now.checked_sub_days(Days::new(historical.into()))?,
            to: now.checked_add_days(Days::new(future.into()))?,
            detail_start: midnight.checked_sub_days(Days::new(details.into()))?,
        })
    }

    /// The part before the detail window in slices of [`SLICE_DAYS`], oldest first, as
    /// `[from, to)` pairs on whole seconds; each is asked for on its own, so only a slice of
    /// old shifts is in memory at a time, and only counted.
    ///
    /// The slices are counted back from `detail_start` (a midnight), so all but the oldest,
    /// which ends at the window's moving edge, ask the same questions all day: their answers
    /// can be recognised and their fold remembered.
    pub fn slices(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let from = whole_seconds(self.from);
        let mut out = Vec::new();
        let mut to = self.detail_start;
        while from < to {
            let start = to
                .checked_sub_days(Days::new(SLICE_DAYS))
                .map_or(from, |t| t.max(from));
            out.push((start, to));
            to = start;
        }
        out.reverse();
        out
    }

    /// The detail window (from `detail_start`, or from `from` when that is later) in slices
    /// of [`SLICE_DAYS`], each with its plannedWorkers query. A rest of less than a day (the
    /// window ends at the hour of `now`) joins the last slice.
    pub fn detail_slices(&self) -> Vec<(DetailSlice, String)> {
        let mut out = Vec::new();
        let mut from = self.detail_start.max(whole_seconds(self.from));
        loop {
            let next = from.checked_add_days(Days::new(SLICE_DAYS));
            let to = next.filter(|t| t.checked_add_days(Days::new(1)) < Some(self.to));
            out.push((DetailSlice { from, to }, query(from, to.unwrap_or(self.to))));
            match to {
                Some(to) => from = to,
                None => return out,
            }
        }
    }
}

/// Days per slice of the part before the detail window.
pub const SLICE_DAYS: u64 = 7;

/// A plannedWorkers query: UTC, whole seconds, `yyyy-MM-ddTHH:mm:ssZ` as the API demands.
pub fn query(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    const F: &str = "%Y-%m-%dT%H:%M:%SZ";
    format!("from={}&to={}", from.format(F), to.format(F))
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

fn owned(w: &Worker<'_>) -> Worker<'static> {
    remade(w, |s| Cow::Owned(s.to_owned()))
}

/// `w` with each text made again by `text`: owned, to outlive the answer it came in, or
/// borrowed, to lend it out.
fn remade<'w, 'b>(w: &'w Worker<'_>, text: impl Fn(&'w str) -> Cow<'b, str>) -> Worker<'b> {
    let field = |t: &'w Option<Cow<'_, str>>| t.as_deref().map(&text);
    Worker {
        worker_number: w.worker_number.clone(),
        first_name: field(&w.first_name),
        last_name: field(&w.last_name),
        email: field(&w.email),
        phone_number: field(&w.phone_number),
    }
}

/// Every worker of the detail window with a number as a person (the others are reported),
/// with the workers and shift counts of the slices before it: a worker seen only there becomes
/// a person with the historical contract alone. Each person goes to `each` as it is mapped, so
/// a caller that keeps only some (the digest feed keeps the changed ones) never holds them all.
pub fn persons_each(
    detail: &Detail,
    catalogue: &Catalogue,
    earlier: Earlier,
    each: &mut dyn FnMut(Person),
) -> Vec<Warning> {
    let mut mapper = Mapper::new(earlier);
    let mut next = 0;
    while next < detail.len() {
        next = mapper.step(detail, next, catalogue, each);
    }
    mapper.finish(each)
}

/// Workers mapped at a time: their shifts are lent out of the compact detail for the step.
const STEP: usize = 256;

/// The mapping of one run's detail answer, a run of workers at a time: a full read maps one
/// page's worth per call, so the persons of the whole answer are never held at once.
pub struct Mapper {
    /// The workers of the slices before the detail window not met in it yet.
    earlier: Earlier,
    warnings: Vec<Warning>,
}

impl Mapper {
    pub fn new(earlier: Earlier) -> Self {
        Self {
            earlier,
            warnings: Vec::new(),
        }
    }

    /// Maps the [`STEP`] workers of `detail` from `from` on (fewer at its end), each to
    /// `each`; returns where the next step begins.
    pub fn step(
        &mut self,
        detail: &Detail,
        from: usize,
        catalogue: &Catalogue,
        each: &mut dyn FnMut(Person),
    ) -> usize {
        let end = detail.len().min(from + STEP);
        self.workers(&detail.planned(from..end), catalogue, each);
        end
    }

    /// Maps `workers` of the detail answer, each to `each`.
    fn workers(
        &mut self,
        workers: &[Planned<'_>],
        catalogue: &Catalogue,
        each: &mut dyn FnMut(Person),
    ) {
        for entry in workers {
            let Some(number) = &entry.worker.worker_number else {
                self.numberless(&entry.worker);
                continue;
            };
            let before = self
                .earlier
                .workers
                .remove(number)
                .map(|(_, f)| f)
                .unwrap_or_default();
            let shifts = (&entry.shifts[..], before);
            let mut notes = (&mut self.earlier.warned, &mut self.warnings);
            let contracts = contracts(number, shifts, catalogue, &mut notes);
            each(person(number, &entry.worker, contracts));
        }
    }

    /// The warnings found since the last call.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// After the whole detail answer: the workers only the earlier slices had, in number
    /// order; returns the warnings not taken yet.
    pub fn finish(&mut self, each: &mut dyn FnMut(Person)) -> Vec<Warning> {
        let mut rest: Vec<_> = std::mem::take(&mut self.earlier.workers)
            .into_iter()
            .collect();
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        for (number, (worker, fold)) in rest {
            let contracts = historical(&number, fold).into_iter().collect();
            each(person(&number, &worker, contracts));
        }
        std::mem::take(&mut self.warnings)
    }

    fn numberless(&mut self, worker: &Worker<'_>) {
        let who = worker.email.as_deref();
        if !self.earlier.warned.contains(&said(who, NUMBERLESS)) {
            self.warnings.push(Warning {
                subject: who.map(str::to_owned),
                message: NUMBERLESS.into(),
            });
        }
    }
}

fn person(number: &str, w: &Worker<'_>, contracts: Vec<Contract>) -> Person {
    let (prefix, family) = split_family(w.last_name.as_deref().unwrap_or_default());
    Person {
        id: number.to_owned(),
        name: PersonName {
            given: w
                .first_name
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            family,
            prefix,
            initials: None,
            // Elanza keeps one name; HelloID's mapping fixes the convention to "B" (birth name).
            convention: Some("B".into()),
        },
        email: w
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
        phone: w.phone_number.as_deref().and_then(phone),
        contracts,
        attributes: Vec::new(),
    }
}

/// Where warnings go: the run's set of what was already said, and the list.
type Notes<'n> = (&'n mut HashSet<String>, &'n mut Vec<Warning>);

/// The contracts of one worker's `shifts` from the detail answer, with the `older` shifts the
/// slices before it folded. The detail lends a start only where it is an instant in the window
/// (it sorted them while keeping them), so a shift without one is reported, not mapped.
fn contracts(
    number: &str,
    (shifts, older): (&[Shift<'_>], Fold),
    catalogue: &Catalogue,
    notes: &mut Notes<'_>,
) -> Vec<Contract> {
    let mut out = Vec::with_capacity(shifts.len());
    for shift in shifts {
        match shift.start_at {
            Some(_) => out.push(active(shift, catalogue, notes)),
            None => warn_once(
                notes.0,
                notes.1,
                &shift.uuid,
                format!("shift of worker {number} without a valid startAt skipped"),
            ),
        }
    }
    out.extend(historical(number, older));
    out
}

fn attr(name: &str, value: impl Into<String>) -> Attribute {
    Attribute {
        name: name.into(),
        value: value.into(),
    }
}

fn active(shift: &Shift<'_>, catalogue: &Catalogue, notes: &mut Notes<'_>) -> Contract {
    let dept = shift
        .department_uuid
        .as_deref()
        .and_then(|u| lookup(&catalogue.departments, u));
    if dept.is_none() {
        let message = "shift without a known department".to_owned();
        warn_once(notes.0, notes.1, &shift.uuid, message);
    }
    // Looked up per shift: a shift without a product has no title, whatever came before it.
    let title = shift
        .product_uuid
        .as_deref()
        .and_then(|u| lookup(&catalogue.products, u).cloned().flatten());
    let attributes = shift_attributes(shift, catalogue, dept);
    Contract {
        id: shift.uuid.to_string(),
        kind: ContractKind::Shift,
        start: shift.start_at.as_deref().map(str::to_owned),
        end: end(shift.end_at.as_deref()),
        department: dept.map(|d| d.code_name.clone()),
        title,
        location: None,
        cost_centre: None,
        employer: None,
        fte: None,
        hours_per_week: None,
        sequence: None,
        attributes,
    }
}

/// The HelloID connector's extra contract fields, as attributes.
fn shift_attributes(
    shift: &Shift<'_>,
    catalogue: &Catalogue,
    dept: Option<&Dept>,
) -> Vec<Attribute> {
    let mut attributes = vec![attr("type", "ActiveShift")];
    let skills: Vec<&str> = shift
        .skill_uuids
        .iter()
        .flatten()
        .filter_map(|u| lookup(&catalogue.skills, u).map(String::as_str))
        .collect();
    if !skills.is_empty() {
        attributes.push(attr("skills", skills.join(";")));
    }
    if let Some(brand) = dept.and_then(|d| d.brand.clone()) {
        attributes.push(attr("brand", brand));
    }
    attributes
}

/// An empty, unparseable or `9999-12-31` end is open-ended.
fn end(text: Option<&str>) -> Option<String> {
    let t = text?.trim();
    let ok = !t.starts_with("9999-12-31") && DateTime::parse_from_rfc3339(t).is_ok();
    ok.then(|| t.to_owned())
}

/// Shifts before the detail window, as one contract from the first to the last day they
/// start on: dates always set, because an empty end would read as a contract that never ends.
/// `None` when nothing was folded.
fn historical(number: &str, fold: Fold) -> Option<Contract> {
    let (Some(first), Some(last)) = (fold.first, fold.last) else {
        return None;
    };
    Some(Contract {
        id: format!("{number}-historical"),
        kind: ContractKind::Shift,
        start: Some(first.format("%Y-%m-%d").to_string()),
        end: Some(last.format("%Y-%m-%d").to_string()),
        department: None,
        title: None,
        location: None,
        cost_centre: None,
        employer: None,
        fte: None,
        hours_per_week: None,
        sequence: None,
        attributes: vec![
            attr("type", "HistoricalShift"),
            attr("shifts", fold.count.to_string()),
        ],
    })
}

/// Dutch prefixes as written after a given name (lower case), longest first.
const PREFIXES: &[&str] = &[
    "van der", "van den", "van de", "van 't", "in 't", "in de", "in het", "uit de", "uit den",
    "op de", "op den", "aan de", "aan den", "van", "den", "der", "de", "ter", "ten", "te", "het",
    "'t",
];

/// Elanza has no prefix field; `van der Berg` arrives whole and is split here. A capitalised
/// `Van Dijk` is left alone: written that way it is the family name itself.
pub fn split_family(last: &str) -> (Option<String>, String) {
    let last = last.trim();
    for p in PREFIXES {
        if let Some(rest) = last.strip_prefix(p).and_then(|r| r.strip_prefix(' ')) {
            let rest = rest.trim();
            if !rest.is_empty() {
                return (Some((*p).to_owned()), rest.to_owned());
            }
        }
    }
    (None, last.to_owned())
}

/// Digits and `+` kept; a Dutch mobile `06…` becomes `+316…`.
pub fn phone(text: &str) -> Option<String> {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    match kept.strip_prefix("06") {
        Some(rest) => Some(format!("+316{rest}")),
        None => (!kept.is_empty()).then_some(kept),
    }
}
