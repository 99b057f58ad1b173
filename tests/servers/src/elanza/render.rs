//! plannedWorkers answers. Every worker and shift is serialised once per version of the data
//! and kept; an answer is those pieces joined. A hospital's window is 180 MB of JSON over nine
//! requests, and a mock that serialised it afresh each time would put its own seconds into
//! every figure a benchmark prints for the client. The bytes are the same as serialising the
//! whole answer (a test holds the two side by side).

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::{Dataset, Faults, Shift, Worker};

/// The serialised pieces of one version of the data, in its order.
pub(super) struct Pieces {
    workers: Vec<WorkerPieces>,
}

struct WorkerPieces {
    worker: Vec<u8>,
    shifts: Vec<(DateTime<Utc>, Vec<u8>)>,
}

fn to_json(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

impl Pieces {
    pub(super) fn of(data: &Dataset) -> Self {
        let workers = data
            .workers
            .iter()
            .map(|pw| WorkerPieces {
                worker: to_json(&pw.worker),
                shifts: pw.shifts.iter().map(|s| (s.start_at, to_json(s))).collect(),
            })
            .collect();
        Self { workers }
    }

    /// Only workers with a shift starting in the window, and only those shifts, as
    /// `{"workers":[{"worker":…,"shifts":[…]},…]}`. `data` is the version the pieces were
    /// made of; the fault knobs change single workers and shifts, serialised on the spot.
    pub(super) fn render(
        &self,
        data: &Dataset,
        faults: &Faults,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
    ) -> Vec<u8> {
        let mut out = b"{\"workers\":[".to_vec();
        let mut first_worker = true;
        for (pieces, pw) in self.workers.iter().zip(&data.workers) {
            let mut shifts = pieces
                .shifts
                .iter()
                .zip(&pw.shifts)
                .filter(|((start, _), _)| *start >= from && *start <= to)
                .peekable();
            if shifts.peek().is_none() {
                continue;
            }
            if !first_worker {
                out.push(b',');
            }
            first_worker = false;
            out.extend_from_slice(b"{\"worker\":");
            match worker_view(&pw.worker, faults) {
                Cow::Borrowed(_) => out.extend_from_slice(&pieces.worker),
                Cow::Owned(w) => out.extend(to_json(&w)),
            }
            out.extend_from_slice(b",\"shifts\":[");
            for (i, ((_, json), shift)) in shifts.enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match shift_view(shift, faults) {
                    Cow::Borrowed(_) => out.extend_from_slice(json),
                    Cow::Owned(s) => out.extend(to_json(&s)),
                }
            }
            out.extend_from_slice(b"]}");
        }
        out.extend_from_slice(b"]}");
        out
    }
}

pub(super) fn worker_view<'a>(w: &'a Worker, faults: &Faults) -> Cow<'a, Worker> {
    match faults.worker_without_number {
        Some(n) if w.worker_number == Some(n) => Cow::Owned(Worker {
            worker_number: None,
            ..w.clone()
        }),
        _ => Cow::Borrowed(w),
    }
}

pub(super) fn shift_view<'a>(s: &'a Shift, faults: &Faults) -> Cow<'a, Shift> {
    match &faults.shift_without_product {
        Some(uuid) if *uuid == s.uuid => Cow::Owned(Shift {
            product_uuid: None,
            ..s.clone()
        }),
        _ => Cow::Borrowed(s),
    }
}
