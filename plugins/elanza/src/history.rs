//! The weeks before the detail window, remembered between runs.
//!
//! Seven of a window's ten weeks lie before the detail window; they change seldom, yet parsing
//! them was a fifth of the plugin's read. The slices are counted back from a midnight, so all
//! but the oldest ask the same questions all day. The plugin keeps their fold in its state
//! beside an XXH3-128 fingerprint of each slice's question and answer. Elanza has no change
//! query, so a run that checks them still fetches every slice, but parses them only when an
//! answer differs from the remembered one; then it folds them all again, fetching once more
//! those it had passed over. The oldest slice is always fetched and parsed.
//!
//! Fetching seven weeks of shifts to learn that they did not change is most of what is left of
//! an incremental run, and those weeks only decide the historical contracts. So an incremental
//! run trusts a memory checked less than `history_recheck_minutes` ago (an hour by default)
//! without asking for them; a full read, which the engine's full reconciliation makes, always
//! checks. A correction to an old shift therefore reaches the engine within that time.
//!
//! The memory is only a cache, and it must never take the room the change feed's digests need:
//! a call that may write them takes it out of the state first ([`take_out`]) and puts it back
//! (as found, or made again) only after them ([`Kept::put_back`]). Without `grants.state`, or
//! when the state is too small, every run parses every slice, as before.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use tessera_sdk::host::vault;
use tessera_sdk::types::Warning;
use tessera_sdk::{ConnectorError, log};
use xxhash_rust::xxh3::Xxh3;

use crate::api::{Api, parse};
use crate::map::{self, Earlier, Fold, Window};
use crate::model::{SliceWorkers, Worker};

const KEY: &str = "earlier-slices";
/// Raised whenever the remembered form or the fold's meaning changes, so what an older
/// plugin build remembered is taken for nothing.
const FORMAT: u32 = 2;

type Slice = (DateTime<Utc>, DateTime<Utc>);
/// A slice's question and the fingerprint of question and answer, in hex.
type Print = (String, String);
/// Number, first name, last name, email, phone, shift count, first and last day (days from
/// the Common Era, as chrono counts them).
type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    u32,
    Option<i32>,
    Option<i32>,
);

/// What the plugin state remembers of the slices after the oldest.
#[derive(Serialize, Deserialize)]
struct Memory {
    format: u32,
    /// When the slices were last fetched and found to answer so, in seconds since 1970.
    checked: i64,
    /// Each slice's print, oldest first.
    slices: Vec<Print>,
    workers: Vec<Row>,
    /// The warnings the slices gave, as subject and message.
    warnings: Vec<(Option<String>, String)>,
}

/// The memory while a run has it out of the state (see the module notes): the bytes found,
/// then those to put back once the run's digests are written.
#[derive(Default)]
pub struct Kept {
    /// Whether there is a state to keep the memory in.
    usable: bool,
    bytes: Option<Vec<u8>>,
    /// How long after its check the memory may be used without fetching the slices; none for
    /// a run that must check them.
    trust: Option<TimeDelta>,
}

/// Takes the memory out of the state for a run, to be used unchecked for `trust` after it was
/// last checked.
pub fn take_out(trust: Option<TimeDelta>) -> Kept {
    let Ok(bytes) = vault::state_get(KEY) else {
        return Kept::default();
    };
    if bytes.is_some() && vault::state_delete(KEY).is_err() {
        return Kept::default();
    }
    Kept {
        usable: true,
        bytes,
        trust,
    }
}

impl Kept {
    /// Puts the memory back. A state too small for it only costs the next run its parsing.
    pub fn put_back(self) {
        let (true, Some(bytes)) = (self.usable, self.bytes) else {
            return;
        };
        if let Err(e) = vault::state_set(KEY, &bytes) {
            let size = format!("{} KiB", bytes.len() >> 10);
            let why = format!("{e:?}");
            log::warn(
                "the weeks before the detail window are not remembered; every run parses them \
                 (raise limits.state_kib)",
                &[("needed", size.as_str()), ("error", why.as_str())],
            );
        }
    }

    /// The memory these bytes hold, if they are one this build reads.
    fn memory(&self) -> Option<Memory> {
        let m = serde_json::from_slice::<Memory>(self.bytes.as_deref()?).ok()?;
        (m.format == FORMAT).then_some(m)
    }

    /// Whether a memory checked at `checked` may stand for the slices at `now` unfetched. A
    /// check from the future (the clock or `now` moved back) is no check.
    fn trusts(&self, checked: i64, now: DateTime<Utc>) -> bool {
        let age = now.timestamp() - checked;
        self.trust
            .is_some_and(|t| (0..t.num_seconds()).contains(&age))
    }

    /// The same memory with `bytes` in it.
    fn with(&self, bytes: Option<Vec<u8>>) -> Kept {
        Kept {
            usable: true,
            bytes,
            trust: self.trust,
        }
    }
}

/// The fold of every slice before the detail window, with their warnings added to
/// `warnings`, and the memory to put back.
pub fn earlier(
    api: &Api,
    window: &Window,
    kept: Kept,
    warnings: &mut Vec<Warning>,
) -> Result<(Earlier, Kept), ConnectorError> {
    let slices = window.slices();
    let mut earlier = Earlier::default();
    let Some((oldest, steady)) = slices.split_first() else {
        return Ok((earlier, kept));
    };
    add(&fetch(api, *oldest)?.1, *oldest, &mut earlier, warnings)?;
    if !kept.usable {
        // No state to remember in: the slices are parsed as they come.
        for slice in steady {
            add(&fetch(api, *slice)?.1, *slice, &mut earlier, warnings)?;
        }
        return Ok((earlier, kept));
    }
    let (later, said, kept) = steady_fold(api, steady, kept, window.now)?;
    earlier.absorb(later, said, warnings);
    Ok((earlier, kept))
}

/// The fold of `slices` and their warnings: remembered when the memory is trusted unchecked
/// or every answer is the one remembered, otherwise parsed again.
fn steady_fold(
    api: &Api,
    slices: &[Slice],
    kept: Kept,
    now: DateTime<Utc>,
) -> Result<(Earlier, Vec<Warning>, Kept), ConnectorError> {
    let memory = match kept.memory() {
        Some(m) if m.asks(slices) && kept.trusts(m.checked, now) => {
            let (earlier, said) = m.into_fold();
            return Ok((earlier, said, kept));
        }
        memory => memory,
    };
    let known = |i: usize, print: &Print| {
        memory
            .as_ref()
            .is_some_and(|m| m.slices.len() == slices.len() && m.slices.get(i) == Some(print))
    };
    let mut prints = Vec::with_capacity(slices.len());
    let mut fresh: Option<(Earlier, Vec<Warning>)> = None;
    for (i, slice) in slices.iter().enumerate() {
        let (print, body) = fetch(api, *slice)?;
        let fold = match fresh.as_mut() {
            Some(fold) => fold,
            None if known(i, &print) => {
                prints.push(print);
                continue;
            }
            // The first answer that changed: the slices passed over are fetched again.
            None => fresh.insert(again(api, &slices[..i], &mut prints)?),
        };
        add(&body, *slice, &mut fold.0, &mut fold.1)?;
        prints.push(print);
    }
    match (fresh, memory) {
        (None, Some(mut memory)) => {
            memory.checked = now.timestamp();
            let kept = kept.with(memory.bytes());
            let (earlier, said) = memory.into_fold();
            Ok((earlier, said, kept))
        }
        (fresh, _) => {
            let (earlier, said) = fresh.unwrap_or_default();
            let bytes = Memory::of(now, prints, &earlier, &said).bytes();
            Ok((earlier, said, kept.with(bytes)))
        }
    }
}

/// Folds `slices` afresh, their prints replacing those taken when they were passed over.
fn again(
    api: &Api,
    slices: &[Slice],
    prints: &mut Vec<Print>,
) -> Result<(Earlier, Vec<Warning>), ConnectorError> {
    prints.clear();
    let mut fold = (Earlier::default(), Vec::new());
    for slice in slices {
        let (print, body) = fetch(api, *slice)?;
        add(&body, *slice, &mut fold.0, &mut fold.1)?;
        prints.push(print);
    }
    Ok(fold)
}

/// A slice's answer and its print.
fn fetch(api: &Api, slice: Slice) -> Result<(Print, Vec<u8>), ConnectorError> {
    let query = map::query(slice.0, slice.1);
    let body = api.get(&format!("plannedWorkers?{query}"))?;
    let mut hash = Xxh3::new();
    hash.update(query.as_bytes());
    // The question's end, so no question and answer can pass for another pair.
    hash.update(&[0]);
    hash.update(&body);
    let print = format!("{:032x}", hash.digest128());
    Ok(((query, print), body))
}

fn add(
    body: &[u8],
    slice: Slice,
    earlier: &mut Earlier,
    warnings: &mut Vec<Warning>,
) -> Result<(), ConnectorError> {
    let planned: SliceWorkers<'_> = parse("plannedWorkers", body)?;
    earlier.add(&planned, slice, warnings);
    Ok(())
}

impl Memory {
    fn of(now: DateTime<Utc>, slices: Vec<Print>, earlier: &Earlier, said: &[Warning]) -> Self {
        let text = |t: &Option<std::borrow::Cow<'_, str>>| t.as_deref().map(str::to_owned);
        let day = |d: Option<NaiveDate>| d.map(|d| chrono::Datelike::num_days_from_ce(&d));
        let workers = earlier
            .workers()
            .map(|(number, w, f)| {
                let (first, last) = (text(&w.first_name), text(&w.last_name));
                let (email, phone) = (text(&w.email), text(&w.phone_number));
                let (first_day, last_day) = (day(f.first), day(f.last));
                (
                    number.clone(),
                    first,
                    last,
                    email,
                    phone,
                    f.count,
                    first_day,
                    last_day,
                )
            })
            .collect();
        Self {
            format: FORMAT,
            checked: now.timestamp(),
            slices,
            workers,
            warnings: said
                .iter()
                .map(|w| (w.subject.clone(), w.message.clone()))
                .collect(),
        }
    }

    /// Whether this memory is of the slices `slices` asks for.
    fn asks(&self, slices: &[Slice]) -> bool {
        self.slices.len() == slices.len()
            && (self.slices.iter().zip(slices))
                .all(|((query, _), s)| *query == map::query(s.0, s.1))
    }

    fn bytes(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self).ok()
    }

    fn into_fold(self) -> (Earlier, Vec<Warning>) {
        let day = |d: Option<i32>| d.and_then(NaiveDate::from_num_days_from_ce_opt);
        let workers = self.workers.into_iter().map(|row| {
            let (number, first, last, email, phone, count, first_day, last_day) = row;
            let worker = Worker {
                worker_number: Some(number.clone()),
                first_name: first.map(Into::into),
                last_name: last.map(Into::into),
                email: email.map(Into::into),
                phone_number: phone.map(Into::into),
            };
            let fold = Fold {
                count,
                first: day(first_day),
                last: day(last_day),
            };
            (number, worker, fold)
        });
        let said: Vec<Warning> = self
            .warnings
            .into_iter()
            .map(|(subject, message)| Warning { subject, message })
            .collect();
        (Earlier::remembered(workers, &said), said)
    }
}
