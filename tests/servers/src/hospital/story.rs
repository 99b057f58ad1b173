//! What happens in Elanza between two syncs: new flex workers are planned, someone changes
//! function and department, someone leaves. Each call changes the mock's data at once.

use chrono::{Days, NaiveDate};

use super::Hospital;
use crate::elanza::{Dataset, PlannedWorker, Worker, at};

/// A new worker with a day shift on each of `days` days from `first`, in department `dept`
/// doing product `function` (codes). Returns the worker number, or `None` for unknown codes.
pub fn hire(
    h: &Hospital,
    (given, family): (&str, &str),
    (dept, function): (&str, &str),
    first: NaiveDate,
    days: u64,
) -> Option<u64> {
    h.elanza.update(|d| {
        let (dept, product) = indexes(d, dept, function)?;
        let number = 100_000 + d.workers.len() as u64;
        let shifts = (0..days)
            .map(|i| d.shift(at(first + Days::new(i), 7, 0), 510, Some(product), dept))
            .collect();
        let mailbox: String = format!("{given}.{family}")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        d.workers.push(PlannedWorker {
            worker: Worker {
                worker_number: Some(number),
                first_name: given.into(),
                last_name: family.into(),
                email: format!("{}@flex.example.nl", mailbox.to_lowercase()),
                phone_number: "06-12345678".into(),
            },
            shifts,
        });
        Some(number)
    })
}

/// Moves every shift of worker `number` from `from` on to department `dept` and product
/// `function`. Returns how many shifts moved.
pub fn change_function(
    h: &Hospital,
    number: u64,
    (dept, function): (&str, &str),
    from: NaiveDate,
) -> usize {
    h.elanza.update(|d| {
        let Some((dept, product)) = indexes(d, dept, function) else {
            return 0;
        };
        let (dept_uuid, product_uuid) = (
            d.departments[dept].uuid.clone(),
            d.products[product].uuid.clone(),
        );
        let Some(w) = worker(d, number) else {
            return 0;
        };
        let start = at(from, 0, 0);
        let mut moved = 0;
        for s in w.shifts.iter_mut().filter(|s| s.start_at >= start) {
            s.department_uuid.clone_from(&dept_uuid);
            s.product_uuid = Some(product_uuid.clone());
            moved += 1;
        }
        moved
    })
}

/// Cancels every shift of worker `number` from `from` on. Returns how many were cancelled.
pub fn leave(h: &Hospital, number: u64, from: NaiveDate) -> usize {
    h.elanza.update(|d| {
        let start = at(from, 0, 0);
        worker(d, number).map_or(0, |w| {
            let before = w.shifts.len();
            w.shifts.retain(|s| s.start_at < start);
            before - w.shifts.len()
        })
    })
}

/// The `skip`-th worker with shifts in department `dept`, one on each of `days`: someone the
/// story can change. Returns the number and full name.
pub fn working(h: &Hospital, dept: &str, days: &[NaiveDate], skip: usize) -> Option<(u64, String)> {
    h.elanza.with_data(|d| {
        let uuid = &d.departments.iter().find(|x| x.code == dept)?.uuid;
        let works = |w: &PlannedWorker, on: Option<&NaiveDate>| {
            w.shifts.iter().any(|s| {
                &s.department_uuid == uuid && on.is_none_or(|on| s.start_at.date_naive() == *on)
            })
        };
        d.workers
            .iter()
            .filter(|w| works(w, None) && days.iter().all(|day| works(w, Some(day))))
            .nth(skip)
            .and_then(|w| {
                let name = format!("{} {}", w.worker.first_name, w.worker.last_name);
                Some((w.worker.worker_number?, name))
            })
    })
}

fn indexes(d: &Dataset, dept: &str, function: &str) -> Option<(usize, usize)> {
    Some((
        d.departments.iter().position(|x| x.code == dept)?,
        d.products
            .iter()
            .position(|p| p.hr_function_code == function)?,
    ))
}

fn worker(d: &mut Dataset, number: u64) -> Option<&mut PlannedWorker> {
    d.workers
        .iter_mut()
        .find(|w| w.worker.worker_number == Some(number))
}

/// The day the last planned shift of worker `number` ends.
pub fn last_shift_end(h: &Hospital, number: u64) -> Option<NaiveDate> {
    h.elanza.with_data(|d| {
        d.workers
            .iter()
            .find(|w| w.worker.worker_number == Some(number))?
            .shifts
            .iter()
            .map(|s| s.end_at.date_naive())
            .max()
    })
}
