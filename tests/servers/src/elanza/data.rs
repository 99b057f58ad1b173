//! What the mock Elanza holds, in the API's JSON shape (field names as the real API spells
//! them), and a seeded generator: the same seed always gives the same workers and shifts.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Serialize, Serializer};

use super::names;

/// A department as `GET /departments` lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Department {
    pub uuid: String,
    /// Often prefixed with a site code: `UMC_Intensive Care`.
    pub name: String,
    pub code: String,
    pub brand_name: String,
}

/// A skill as `GET /skills` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Skill {
    pub uuid: String,
    pub name: String,
}

/// A product (what a shift is for); only fetchable one by one.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub uuid: String,
    pub name: String,
    pub hr_function_code: String,
}

/// A flexible worker.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Worker {
    /// A number in the real API's sample; absent for some test workers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_number: Option<u64>,
    pub first_name: String,
    /// With the Dutch prefix in front: `van der Berg`.
    pub last_name: String,
    pub email: String,
    pub phone_number: String,
}

/// One planned shift.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shift {
    pub uuid: String,
    #[serde(serialize_with = "millis")]
    pub start_at: DateTime<Utc>,
    #[serde(serialize_with = "millis")]
    pub end_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_uuid: Option<String>,
    pub department_uuid: String,
    pub skill_uuids: Vec<String>,
}

/// The API writes instants with milliseconds: `2024-02-04T11:00:00.000Z`.
fn millis<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

/// A worker and every shift planned for them.
#[derive(Debug, Clone)]
pub struct PlannedWorker {
    pub worker: Worker,
    pub shifts: Vec<Shift>,
}

/// Everything the mock serves.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub departments: Vec<Department>,
    pub skills: Vec<Skill>,
    pub products: Vec<Product>,
    pub workers: Vec<PlannedWorker>,
    seed: u64,
    next_id: u64,
}

/// What [`Dataset::generate`] makes.
#[derive(Debug, Clone)]
pub struct Generate {
    pub seed: u64,
    pub workers: usize,
    pub shifts_per_worker: usize,
    /// The day the schedule is centred on.
    pub anchor: NaiveDate,
    /// Shifts fall on days `anchor - days_before ..= anchor + days_after`.
    pub days_before: u32,
    pub days_after: u32,
}

impl Default for Generate {
    fn default() -> Self {
        Self {
            seed: 1,
            workers: 50,
            shifts_per_worker: 20,
            anchor: Utc::now().date_naive(),
            days_before: 60,
            days_after: 14,
        }
    }
}

/// Shift ids touched by [`Dataset::mutate`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub added: Vec<String>,
    /// Same uuid, two hours later.
    pub moved: Vec<String>,
    pub cancelled: Vec<String>,
}

/// Day, evening and night shifts; the night one ends the next morning.
const SHIFT_KINDS: [(u32, u32, i64); 3] = [(7, 0, 510), (15, 0, 510), (23, 0, 510)];

impl Dataset {
    /// The catalogue (departments, skills, products) and no workers.
    pub fn catalogue(seed: u64) -> Self {
        let mut d = Self {
            departments: Vec::new(),
            skills: Vec::new(),
            products: Vec::new(),
            workers: Vec::new(),
            seed,
            next_id: 0,
        };
        for (i, (code, name)) in names::DEPARTMENTS.iter().enumerate() {
            let uuid = d.uuid();
            d.departments.push(Department {
                uuid,
                name: (*name).into(),
                code: (*code).into(),
                brand_name: names::BRANDS[i % names::BRANDS.len()].into(),
            });
        }
        for name in names::SKILLS {
            let uuid = d.uuid();
            d.skills.push(Skill {
                uuid,
                name: (*name).into(),
            });
        }
        for (name, code) in names::PRODUCTS {
            let uuid = d.uuid();
            d.products.push(Product {
                uuid,
                name: (*name).into(),
                hr_function_code: (*code).into(),
            });
        }
        d
    }

    /// `g.workers` workers with `g.shifts_per_worker` shifts each on distinct days.
    pub fn generate(g: &Generate) -> Self {
        let mut d = Self::catalogue(g.seed);
        let mut rng = fastrand::Rng::with_seed(g.seed);
        let first = g.anchor - Days::new(g.days_before.into());
        let days = u64::from(g.days_before + g.days_after + 1);
        for i in 0..g.workers {
            let worker = d.random_worker(&mut rng, i);
            let (dept, product) = (
                rng.usize(..d.departments.len()),
                rng.usize(..d.products.len()),
            );
            let mut offsets: Vec<u64> = (0..days).collect();
            rng.shuffle(&mut offsets);
            let mut shifts: Vec<Shift> = offsets
                .iter()
                .cycle()
                .take(g.shifts_per_worker)
                .map(|&o| {
                    let (h, m, minutes) = SHIFT_KINDS[rng.usize(..SHIFT_KINDS.len())];
                    let start = at(first + Days::new(o), h, m);
                    let mut s = d.shift(start, minutes, Some(product), dept);
                    s.skill_uuids = d.random_skills(&mut rng);
                    s
                })
                .collect();
            shifts.sort_by_key(|s| s.start_at);
            d.workers.push(PlannedWorker { worker, shifts });
        }
        d
    }

    /// A new shift with a fresh uuid; `product` and `department` index the catalogue.
    pub fn shift(
        &mut self,
        start: DateTime<Utc>,
        minutes: i64,
        product: Option<usize>,
        department: usize,
    ) -> Shift {
        Shift {
            uuid: self.uuid(),
            start_at: start,
            end_at: start + TimeDelta::minutes(minutes),
            product_uuid: product.map(|p| self.products[p].uuid.clone()),
            department_uuid: self.departments[department].uuid.clone(),
            skill_uuids: Vec::new(),
        }
    }

    /// Adds, moves (two hours later) and cancels `each` shifts starting in `from..to`.
    pub fn mutate(
        &mut self,
        seed: u64,
        each: usize,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Changes {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut candidates: Vec<(usize, usize)> =
            self.shifts_where(|s| s.start_at >= from && s.start_at < to);
        rng.shuffle(&mut candidates);
        let mut changes = Changes::default();
        for &(w, s) in candidates.iter().take(each) {
            let shift = &mut self.workers[w].shifts[s];
            shift.start_at += TimeDelta::hours(2);
            shift.end_at += TimeDelta::hours(2);
            changes.moved.push(shift.uuid.clone());
        }
        let mut cancel: Vec<(usize, usize)> =
            candidates.iter().skip(each).take(each).copied().collect();
        // Remove from the back so earlier indexes stay valid.
        cancel.sort_unstable_by(|a, b| b.cmp(a));
        for (w, s) in cancel {
            changes
                .cancelled
                .push(self.workers[w].shifts.remove(s).uuid);
        }
        if self.workers.is_empty() {
            return changes;
        }
        let span = (to - from).num_minutes().max(1);
        for _ in 0..each {
            let w = rng.usize(..self.workers.len());
            let start = from + TimeDelta::minutes(rng.i64(0..span));
            let shift = self.shift(start, 480, Some(rng.usize(..self.products.len())), 0);
            changes.added.push(shift.uuid.clone());
            let pw = &mut self.workers[w];
            pw.shifts.push(shift);
            pw.shifts.sort_by_key(|s| s.start_at);
        }
        changes
    }

    /// Every shift in the data set.
    pub fn shift_count(&self) -> usize {
        self.workers.iter().map(|w| w.shifts.len()).sum()
    }

    fn shifts_where(&self, keep: impl Fn(&Shift) -> bool) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (w, pw) in self.workers.iter().enumerate() {
            for (s, shift) in pw.shifts.iter().enumerate() {
                if keep(shift) {
                    out.push((w, s));
                }
            }
        }
        out
    }

    fn random_worker(&self, rng: &mut fastrand::Rng, i: usize) -> Worker {
        let given = names::GIVEN[rng.usize(..names::GIVEN.len())];
        let prefix = names::PREFIXES[rng.usize(..names::PREFIXES.len())];
        let family = names::FAMILY[rng.usize(..names::FAMILY.len())];
        let last_name = if prefix.is_empty() {
            family.to_owned()
        } else {
            format!("{prefix} {family}")
        };
        let mailbox: String = format!("{given}.{last_name}")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let digits = rng.u32(10_000_000..100_000_000);
        // Phone numbers arrive in the forms people type them.
        let phone_number = match i % 3 {
            0 => format!("06{digits}"),
            1 => format!("06-{digits}"),
            _ => format!("+31 6 {digits}"),
        };
        Worker {
            worker_number: Some(100_000 + i as u64),
            first_name: given.into(),
            last_name,
            email: format!("{}{i}@flex.example.nl", mailbox.to_lowercase()),
            phone_number,
        }
    }

    fn random_skills(&self, rng: &mut fastrand::Rng) -> Vec<String> {
        let n = rng.usize(..3);
        let mut picked: Vec<String> = (0..n)
            .map(|_| self.skills[rng.usize(..self.skills.len())].uuid.clone())
            .collect();
        picked.dedup();
        picked
    }

    /// A uuid-shaped id, unique within this data set and fixed by the seed.
    fn uuid(&mut self) -> String {
        self.next_id += 1;
        let a = splitmix(self.seed ^ self.next_id.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let b = splitmix(a);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

/// `day` at `hour:minute` UTC.
pub fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default())
        .and_utc()
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
