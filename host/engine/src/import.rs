//! Import: read a source page by page, merge sources into persons by a correlation key,
//! detect what changed since the last import, and check the source thresholds before anything
//! is committed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tessera_domain::{Attribute, Cursor, Person, SourceConnector, Timestamp, Warning, Zone};
use tessera_store::{AuditRecord, RecordDigest, RunCounts, SourceRecord, Store};

use crate::error::{Error, Result, json};
use crate::paging::Pager;

mod changes;
mod feed;
#[cfg(test)]
mod tests;

use changes::{affected_persons, check_thresholds, diff, hold_disputes};
pub use feed::{PERSONS, SourceFeedRead, import_changes, start_feed};

pub use tessera_config::{SourceSettings, SourceThresholds};

/// Switches for one import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Commit even when a threshold trips or the source returned nobody.
    pub force: bool,
    /// Compute and report, commit nothing.
    pub dry_run: bool,
    /// The zone whose day a leaver's contracts end on.
    pub zone: Zone,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// The source.
    pub source: String,
    /// The run row, when one was written.
    pub run_id: Option<i64>,
    /// What changed (or would have).
    pub counts: RunCounts,
    /// Why nothing was committed, when a threshold stopped it.
    pub blocked: Option<String>,
    /// Whether the persons changed.
    pub committed: bool,
    /// Odd records the source reported or the import found.
    pub warnings: Vec<Warning>,
    /// Persons whose merged record this import changed (when committed).
    #[serde(skip)]
    pub affected: Vec<String>,
}

/// Imports one source into the store: [`read_source`], then [`commit_read`].
pub async fn import(
    store: &dyn Store,
    source: &mut dyn SourceConnector,
    name: &str,
    settings: &SourceSettings,
    options: ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    let read = read_source(store, source, name, settings).await?;
    commit_read(store, (read, None), settings, options, now)
}

/// Everything one source returned, as records ready to compare with the stored ones.
pub struct SourceRead {
    source: String,
    fresh: Fresh,
    warnings: Vec<Warning>,
    /// The stored digests the records were read against.
    previous: Vec<RecordDigest>,
}

/// Reads every page of a source. The connector is not needed after this, so a caller can
/// drop it (and a plugin's memory with it) before the comparison and commit.
///
/// A record equal to the stored one (same digest, same person) keeps no data: a full read
/// of a source that barely changed holds little more than its ids and digests.
pub async fn read_source(
    store: &dyn Store,
    source: &mut dyn SourceConnector,
    name: &str,
    settings: &SourceSettings,
) -> Result<SourceRead> {
    let previous = store.source_digests(name)?;
    let known: Known<'_> = previous
        .iter()
        .map(|r| {
            (
                r.external_id.as_str(),
                (r.hash.as_str(), r.person_id.as_str()),
            )
        })
        .collect();
    let (fresh, warnings) = read_all(source, name, settings, &known).await?;
    drop(known);
    Ok(SourceRead {
        source: name.to_owned(),
        fresh,
        warnings,
        previous,
    })
}

/// Compares a read with the stored records and commits it, unless a threshold blocks it or
/// this is a dry run. `cursor` (from [`start_feed`] after the read) is stored with the commit.
pub fn commit_read(
    store: &dyn Store,
    (mut read, cursor): (SourceRead, Option<Cursor>),
    settings: &SourceSettings,
    options: ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    let previous = std::mem::take(&mut read.previous);
    let base = previous.len();
    let batch = Batch {
        read,
        previous,
        base,
        full: true,
        cursor,
    };
    commit(store, batch, settings, options, now)
}

/// Records to compare with what the store has, and how to commit them.
struct Batch {
    read: SourceRead,
    /// The stored digests the records are compared with: every one for a full read, those of
    /// the changed and removed records for a feed's changes.
    previous: Vec<RecordDigest>,
    /// How many records the source had before: what threshold percentages are of.
    base: usize,
    /// Whether the records are the whole source (a full read) or a feed's changes.
    full: bool,
    /// The feed cursor to store with the commit.
    cursor: Option<Cursor>,
}

fn commit(
    store: &dyn Store,
    batch: Batch,
    settings: &SourceSettings,
    options: ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport> {
    let Batch {
        read,
        mut previous,
        base,
        full,
        cursor,
    } = batch;
    let SourceRead {
        source,
        mut fresh,
        mut warnings,
        ..
    } = read;
    // Records that would join one person by a shared correlation value stay as they were.
    let held = hold_disputes(&source, &mut fresh, &mut warnings);
    previous.retain(|r| !held.contains(&r.external_id));
    let affected = affected_persons(&previous, &fresh);
    let mut commit = diff(store, &source, &previous, fresh)?;
    commit.started_at = Some(now);
    if full {
        commit.counts.total += held.len();
    } else {
        // A feed's changes are not the whole source: the total is what it was, moved by them.
        commit.counts.total = (base + commit.counts.added).saturating_sub(commit.counts.removed);
    }
    let mut report = ImportReport {
        source,
        run_id: None,
        counts: commit.counts,
        blocked: None,
        committed: false,
        warnings,
        affected: Vec::new(),
    };
    if !options.force {
        report.blocked = check_thresholds(&settings.thresholds, commit.counts, base);
    }
    if options.dry_run {
        return Ok(report);
    }
    if let Some(reason) = &report.blocked {
        tracing::warn!(source = %report.source, %reason, "import blocked");
        report.run_id = Some(store.record_blocked_import(&commit, reason)?);
        store.append_audit(&import_audit(&report, now))?;
        return Ok(report);
    }
    let today = options.zone.day_of(now);
    let mut merge = |id: &str, records: &[SourceRecord]| {
        if records.is_empty() {
            // Gone from every source: a leaver like any other, whose accounts follow the
            // account rule (disabled after `disable_after_days`, deleted after
            // `delete_after_days` or never), not removed on the spot.
            let before = store.person(id).map_err(|e| e.to_string())?;
            return Ok(before.map(|p| leaver(p, (today, options.zone))));
        }
        merge(id, records, &settings.ranking).map_err(|e| e.to_string())
    };
    report.run_id = Some(store.atomically(|| {
        let run = store.commit_import(&commit, &affected, &mut merge)?;
        // Until every target is planned for them, so a run that dies here loses nobody.
        store.add_pending_persons(&affected)?;
        match &cursor {
            Some(cursor) => store.set_cursor(&report.source, feed::PERSONS, cursor, now)?,
            // A full read without a feed leaves no stale cursor behind.
            None if full => store.clear_cursor(&report.source, feed::PERSONS)?,
            None => {}
        }
        Ok::<_, Error>(run)
    })?);
    report.committed = true;
    report.affected = affected;
    store.append_audit(&import_audit(&report, now))?;
    Ok(report)
}

/// This import's records by external id, in id order.
type Fresh = BTreeMap<String, SourceRecord>;

/// The stored records' digest and person, by external id.
type Known<'a> = HashMap<&'a str, (&'a str, &'a str)>;

/// Reads every page, turning each into records as it arrives so that only one page of
/// persons is held at a time. Warnings list the source's own first, then the import's.
async fn read_all(
    source: &mut dyn SourceConnector,
    name: &str,
    settings: &SourceSettings,
    known: &Known<'_>,
) -> Result<(Fresh, Vec<Warning>)> {
    let (mut fresh, mut warnings, mut own) = (Fresh::new(), Vec::new(), Vec::new());
    let mut pager = Pager::new(settings.max_pages);
    while let Some(cursor) = pager.next_page() {
        let page = source
            .read(cursor)
            .await
            .map_err(|source| Error::Connector {
                system: name.to_owned(),
                operation: "read",
                source,
            })?;
        let into = (&mut fresh, &mut own);
        add_records(name, settings, page.persons, into, known)?;
        warnings.extend(page.warnings);
        pager
            .turn(page.next_cursor)
            .map_err(|u| u.error(name, "persons"))?;
    }
    warnings.append(&mut own);
    Ok((fresh, warnings))
}

/// The person id a record feeds: the correlation value, or the source's id without one.
fn person_id_of(person: &Person, correlation: Option<&str>) -> Option<String> {
    let value = match correlation.unwrap_or("id") {
        "id" => Some(person.id.clone()),
        "email" => person.email.as_ref().map(|e| e.trim().to_lowercase()),
        name => person
            .attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.trim().to_owned()),
    };
    value.filter(|v| !v.is_empty())
}

/// Adds `persons` to `out` as records; one equal to its entry in `known` keeps no data, since
/// nothing will write it.
fn add_records(
    name: &str,
    settings: &SourceSettings,
    persons: Vec<Person>,
    (out, warnings): (&mut Fresh, &mut Vec<Warning>),
    known: &Known<'_>,
) -> Result<()> {
    for person in persons {
        let Some(person_id) = person_id_of(&person, settings.correlation.as_deref()) else {
            warnings.push(Warning {
                subject: Some(person.id.clone()),
                message: "no correlation value; person skipped".to_owned(),
            });
            continue;
        };
        if out.contains_key(&person.id) {
            warnings.push(Warning {
                subject: Some(person.id.clone()),
                message: "delivered twice; first kept".to_owned(),
            });
            continue;
        }
        let mut data = json("source record", serde_json::to_string(&person))?;
        let hash = hex::encode(Sha256::digest(data.as_bytes()));
        if known.get(person.id.as_str()) == Some(&(hash.as_str(), person_id.as_str())) {
            data = String::new();
        } else {
            // The writer grew its buffer by doubling, to up to twice the text; a take-over
            // holds every record until the commit.
            data.shrink_to_fit();
        }
        let record = SourceRecord {
            source: name.to_owned(),
            external_id: person.id.clone(),
            person_id,
            hash,
            data,
        };
        out.insert(person.id, record);
    }
    Ok(())
}

/// The attribute that marks a person no source lists any more, with the day it was noticed.
pub const LEFT_SOURCES_ON: &str = "left_sources_on";

/// A person no source lists any more, as of `today`: contracts that had not started are gone,
/// the others end today at the latest, so the account rule's grace and retention count from
/// the day they left.
fn leaver(mut person: Person, (today, zone): (NaiveDate, Zone)) -> Person {
    person
        .contracts
        .retain(|c| c.start.is_none_or(|s| s.day(zone) <= today));
    for c in &mut person.contracts {
        if c.end.is_none_or(|e| e.day(zone) > today) {
            c.end = Some(Timestamp::Date(today));
        }
    }
    if !person.attributes.iter().any(|a| a.name == LEFT_SOURCES_ON) {
        person.attributes.push(Attribute {
            name: LEFT_SOURCES_ON.to_owned(),
            value: today.to_string(),
        });
    }
    person
}

/// One person from every source's record, read in `ranking` order (sources it does not name
/// last, in name order): names and contact data from the first source that has them, an
/// attribute from the first that has it, contracts from all (an id two sources use gets the
/// later source's name in front).
fn merge(id: &str, records: &[SourceRecord], ranking: &[String]) -> Result<Option<Person>> {
    let rank = |r: &SourceRecord| ranking.iter().position(|s| *s == r.source);
    let mut ordered: Vec<&SourceRecord> = records.iter().collect();
    // Stable: records of one source keep the store's order; unranked (None) sort last.
    ordered.sort_by_key(|r| (rank(r).is_none(), rank(r)));
    let mut merged: Option<Person> = None;
    for r in ordered {
        let p: Person = json("source record", serde_json::from_str(&r.data))?;
        let Some(m) = merged.as_mut() else {
            merged = Some(Person {
                id: id.to_owned(),
                ..p
            });
            continue;
        };
        if m.name.family.is_empty() {
            m.name = p.name;
        }
        m.email = m.email.take().or(p.email);
        m.phone = m.phone.take().or(p.phone);
        for mut c in p.contracts {
            if m.contracts.iter().any(|k| k.id == c.id) {
                c.id = format!("{}:{}", r.source, c.id);
            }
            m.contracts.push(c);
        }
        for a in p.attributes {
            if !m.attributes.iter().any(|k| k.name == a.name) {
                m.attributes.push(a);
            }
        }
    }
    Ok(merged)
}

fn import_audit(report: &ImportReport, now: DateTime<Utc>) -> AuditRecord {
    let blocked = report.blocked.is_some();
    AuditRecord {
        at: now,
        action: if blocked { "import-blocked" } else { "import" }.to_owned(),
        system: Some(report.source.clone()),
        after: serde_json::to_value(report.counts).ok(),
        why: report.blocked.clone(),
        actor: Some("engine".to_owned()),
        run: report.run_id.map(|r| format!("import-{r}")),
        outcome: if blocked { "blocked" } else { "ok" }.to_owned(),
        ..AuditRecord::default()
    }
}
