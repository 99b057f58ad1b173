//! Elanza workers and shifts to Tessera persons and contracts. Pure: no host calls, so the
//! benchmark compiles this same file natively to compare against the plugin.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Days, NaiveTime, TimeDelta, Utc};
use tessera_sdk::types::{
    Attribute, CodeName, Contract, ContractKind, Person, PersonName, Warning,
};

use crate::model::{Department, PlannedWorkers, Product, Shift, Skill, Worker};

/// The instants one run works with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
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
            from: now.checked_sub_days(Days::new(historical.into()))?,
            to: now.checked_add_days(Days::new(future.into()))?,
            detail_start: midnight.checked_sub_days(Days::new(details.into()))?,
        })
    }

    /// The part before the detail window in slices of [`SLICE_DAYS`], as `[from, to)` pairs
    /// on whole seconds; each is asked for on its own, so only a slice of old shifts is in
    /// memory at a time, and only counted.
    pub fn slices(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut from = whole_seconds(self.from);
        while from < self.detail_start {
            let to = from
                .checked_add_days(Days::new(SLICE_DAYS))
                .map_or(self.detail_start, |t| t.min(self.detail_start));
            out.push((from, to));
            from = to;
        }
        out
    }

    /// The plannedWorkers query for the detail window (from `detail_start`, or from `from`
    /// when that is later).
    pub fn detail_query(&self) -> String {
        query(self.detail_start.max(whole_seconds(self.from)), self.to)
    }

    /// A start at or after `detail_start` gets its own contract.
    fn detailed(&self, start: &str) -> Option<bool> {
        let t = DateTime::parse_from_rfc3339(start).ok()?;
        Some(t >= self.detail_start)
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

/// What the slices before the detail window leave of each worker: who they are and how many
/// shifts they had there.
#[derive(Default)]
pub struct Earlier {
    workers: HashMap<String, (Worker<'static>, u32)>,
    /// Shifts and numberless workers already warned about, so each is reported once.
    warned: std::collections::HashSet<String>,
}

impl Earlier {
    /// Counts the shifts of one slice that start in `[from, to)`; the API's window includes
    /// both ends, so a shift on a boundary is counted in one slice only.
    pub fn add(
        &mut self,
        planned: &PlannedWorkers<'_>,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        warnings: &mut Vec<Warning>,
    ) {
        for entry in &planned.workers {
            let Some(number) = &entry.worker.worker_number else {
                let who = entry.worker.email.as_deref().unwrap_or_default().to_owned();
                if self.warned.insert(format!("worker:{who}")) {
                    warnings.push(Warning {
                        subject: Some(who).filter(|w| !w.is_empty()),
                        message: "worker without workerNumber skipped".into(),
                    });
                }
                continue;
            };
            let mut count = 0;
            for shift in &entry.shifts {
                let start = shift.start_at.as_deref().map(DateTime::parse_from_rfc3339);
                match start {
                    Some(Ok(t)) if t >= from && t < to => count += 1,
                    Some(Ok(_)) => {}
                    _ if !self.warned.insert(shift.uuid.to_string()) => {}
                    _ => warnings.push(Warning {
                        subject: Some(shift.uuid.to_string()),
                        message: format!(
                            "shift of worker {number} without a valid startAt skipped"
                        ),
                    }),
                }
            }
            let slot = self
                .workers
                .entry(number.clone())
                .or_insert_with(|| (owned(&entry.worker), 0));
            slot.1 += count;
        }
    }
}

fn owned(w: &Worker<'_>) -> Worker<'static> {
    let own = |t: &Option<std::borrow::Cow<'_, str>>| {
        t.as_deref().map(|s| std::borrow::Cow::Owned(s.to_owned()))
    };
    Worker {
        worker_number: w.worker_number.clone(),
        first_name: own(&w.first_name),
        last_name: own(&w.last_name),
        email: own(&w.email),
        phone_number: own(&w.phone_number),
    }
}

/// Products by uuid; None: the product answered 404.
pub type Products = HashMap<String, Option<Product>>;

/// Departments, skills and products by uuid, shaped for the contracts.
pub struct Catalogue<'a> {
    departments: HashMap<&'a str, Dept>,
    skills: HashMap<&'a str, &'a str>,
    /// None: the product answered 404.
    products: HashMap<String, Option<CodeName>>,
}

struct Dept {
    code_name: CodeName,
    brand: Option<String>,
}

impl<'a> Catalogue<'a> {
    pub fn new(
        departments: &'a [Department<'a>],
        skills: &'a [Skill<'a>],
        products: Products,
    ) -> Self {
        let departments = departments
            .iter()
            .map(|d| (d.uuid.as_ref(), department(d)))
            .collect();
        let skills = skills
            .iter()
            .filter_map(|s| Some((s.uuid.as_ref(), s.name.as_deref()?)))
            .collect();
        let products = products
            .into_iter()
            .map(|(uuid, p)| (uuid, p.map(title)))
            .collect();
        Self {
            departments,
            skills,
            products,
        }
    }
}

fn department(d: &Department<'_>) -> Dept {
    let name = d.name.as_deref().unwrap_or_default();
    // Customers prefix names with a site code: `UMC_Intensive Care` shows as `Intensive Care`.
    let display = name.split_once('_').map_or(name, |(_, rest)| rest);
    Dept {
        code_name: CodeName {
            code: d.code.as_deref().unwrap_or(&d.uuid).to_owned(),
            name: display.to_owned(),
        },
        brand: d.brand_name.as_deref().map(str::to_owned),
    }
}

fn title(p: Product) -> CodeName {
    CodeName {
        code: p.hr_function_code.unwrap_or_default(),
        name: p.name.unwrap_or_default(),
    }
}

/// Products the contracts need: those of shifts in the detail window, each once, in order.
pub fn products_needed<'b>(planned: &'b PlannedWorkers<'_>, window: &Window) -> BTreeSet<&'b str> {
    planned
        .workers
        .iter()
        .flat_map(|p| &p.shifts)
        .filter(|s| s.start_at.as_deref().and_then(|t| window.detailed(t)) == Some(true))
        .filter_map(|s| s.product_uuid.as_deref())
        .filter(|u| !u.is_empty())
        .collect()
}

/// Every worker with a number as a person (the others are reported), with the workers and
/// shift counts of the slices before the detail window: a worker seen only there becomes a
/// person with the historical contract alone.
pub fn persons_with(
    planned: &PlannedWorkers<'_>,
    catalogue: &Catalogue<'_>,
    window: &Window,
    mut earlier: Earlier,
) -> (Vec<Person>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut persons = Vec::with_capacity(planned.workers.len() + earlier.workers.len());
    for entry in &planned.workers {
        let Some(number) = &entry.worker.worker_number else {
            let who = entry.worker.email.as_deref().unwrap_or_default();
            if !earlier.warned.contains(&format!("worker:{who}")) {
                warnings.push(Warning {
                    subject: entry.worker.email.as_deref().map(str::to_owned),
                    message: "worker without workerNumber skipped".into(),
                });
            }
            continue;
        };
        let before = earlier.workers.remove(number).map_or(0, |(_, n)| n);
        let shifts = (&entry.shifts[..], before);
        let contracts = contracts(number, shifts, catalogue, window, &mut warnings);
        persons.push(person(number, &entry.worker, contracts));
    }
    let mut rest: Vec<(String, (Worker<'static>, u32))> = earlier.workers.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    for (number, (worker, count)) in rest {
        let contracts = if count > 0 {
            vec![historical(&number, count, window)]
        } else {
            Vec::new()
        };
        persons.push(person(&number, &worker, contracts));
    }
    (persons, warnings)
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

/// The contracts of one worker's `shifts`, with `older` shifts already counted elsewhere.
fn contracts(
    number: &str,
    (shifts, mut older): (&[Shift<'_>], u32),
    catalogue: &Catalogue<'_>,
    window: &Window,
    warnings: &mut Vec<Warning>,
) -> Vec<Contract> {
    let mut out = Vec::with_capacity(shifts.len());
    for shift in shifts {
        let start = shift.start_at.as_deref().filter(|s| !s.is_empty());
        match start.map(|s| window.detailed(s)) {
            Some(Some(true)) => out.push(active(shift, catalogue, warnings)),
            Some(Some(false)) => older += 1,
            _ => warnings.push(Warning {
                subject: Some(shift.uuid.to_string()),
                message: format!("shift of worker {number} without a valid startAt skipped"),
            }),
        }
    }
    if older > 0 {
        out.push(historical(number, older, window));
    }
    out
}

fn attr(name: &str, value: impl Into<String>) -> Attribute {
    Attribute {
        name: name.into(),
        value: value.into(),
    }
}

fn active(shift: &Shift<'_>, catalogue: &Catalogue<'_>, warnings: &mut Vec<Warning>) -> Contract {
    let dept = shift
        .department_uuid
        .as_deref()
        .and_then(|u| catalogue.departments.get(u));
    if dept.is_none() {
        warnings.push(Warning {
            subject: Some(shift.uuid.to_string()),
            message: "shift without a known department".into(),
        });
    }
    // Looked up per shift: a shift without a product has no title, whatever came before it.
    let title = shift
        .product_uuid
        .as_deref()
        .and_then(|u| catalogue.products.get(u).cloned().flatten());
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
    catalogue: &Catalogue<'_>,
    dept: Option<&Dept>,
) -> Vec<Attribute> {
    let mut attributes = vec![attr("type", "ActiveShift")];
    let skills: Vec<&str> = shift
        .skill_uuids
        .iter()
        .flatten()
        .filter_map(|u| catalogue.skills.get(u.as_ref()).copied())
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

/// Shifts before the detail window, as one contract: dates always set, because an empty end
/// would read as a contract that never ends.
fn historical(number: &str, count: u32, window: &Window) -> Contract {
    let last_day = window.detail_start - TimeDelta::days(1);
    Contract {
        id: format!("{number}-historical"),
        kind: ContractKind::Shift,
        start: Some(window.from.format("%Y-%m-%d").to_string()),
        end: Some(last_day.format("%Y-%m-%d").to_string()),
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
            attr("shifts", count.to_string()),
        ],
    }
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
