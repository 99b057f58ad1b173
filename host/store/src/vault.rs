//! The vault: what each source delivered, the merged persons and their contracts, source runs
//! and the history of what each import changed.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use tessera_domain::Person;

use crate::error::{JsonContext, Result, SqlContext};
use crate::{Store, fmt_time, parse_time};

/// One person as one source last delivered them.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// The source system's name.
    pub source: String,
    /// The id the source uses.
    pub external_id: String,
    /// The vault person this record feeds.
    pub person_id: String,
    /// SHA-256 of the record's JSON, for change detection.
    pub hash: String,
    /// The record as JSON.
    pub data: String,
}

/// How an import touched a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersonChange {
    /// New in this source.
    Added,
    /// Gone from this source.
    Removed,
    /// Delivered with different data.
    Changed,
}

impl PersonChange {
    fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

/// One line of person history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    /// The vault person.
    pub person_id: String,
    /// What happened.
    pub change: PersonChange,
    /// The source record before, as JSON.
    pub before: Option<String>,
    /// The source record after, as JSON.
    pub after: Option<String>,
}

/// Counts of one import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    /// Persons the source returned.
    pub total: usize,
    /// New persons.
    pub added: usize,
    /// Vanished persons.
    pub removed: usize,
    /// Persons with different data.
    pub changed: usize,
}

/// One import of one source, committed or blocked.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRun {
    /// Run id.
    pub id: i64,
    /// The source system.
    pub source: String,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// `committed` or `blocked`.
    pub status: String,
    /// What changed.
    pub counts: RunCounts,
    /// Why it was blocked.
    pub reason: Option<String>,
}

/// Everything one import writes, applied in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportCommit {
    /// The source system.
    pub source: String,
    /// When the import started.
    pub started_at: Option<DateTime<Utc>>,
    /// Counts for the run row.
    pub counts: RunCounts,
    /// Records added or changed.
    pub upserts: Vec<SourceRecord>,
    /// External ids gone from the source.
    pub removals: Vec<String>,
    /// History lines.
    pub history: Vec<HistoryRow>,
    /// Merged persons to write; a person id with `None` is removed from the vault.
    pub persons: Vec<(String, Option<Person>)>,
}

impl Store {
    /// Every record the source delivered last time.
    pub fn source_records(&self, source: &str) -> Result<Vec<SourceRecord>> {
        self.records_where("source = ?1", source)
    }

    /// Every source's record for one vault person.
    pub fn records_of_person(&self, person_id: &str) -> Result<Vec<SourceRecord>> {
        self.records_where("person_id = ?1", person_id)
    }

    fn records_where(&self, filter: &str, value: &str) -> Result<Vec<SourceRecord>> {
        let sql = format!(
            "SELECT source, external_id, person_id, hash, data FROM source_records \
             WHERE {filter} ORDER BY source, external_id"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("reading source records")?;
        let rows = stmt.query_map([value], |row| {
            Ok(SourceRecord {
                source: row.get(0)?,
                external_id: row.get(1)?,
                person_id: row.get(2)?,
                hash: row.get(3)?,
                data: row.get(4)?,
            })
        });
        rows.ctx("reading source records")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading source records")
    }

    /// Writes a whole import at once and returns the run id.
    pub fn commit_import(&self, commit: &ImportCommit) -> Result<i64> {
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx("starting the import")?;
        let run = insert_run(&tx, commit, "committed", None)?;
        write_records(&tx, commit)?;
        write_history(&tx, run, &commit.history)?;
        for (id, person) in &commit.persons {
            write_person(&tx, run, id, person.as_ref())?;
        }
        tx.commit().ctx("committing the import")?;
        Ok(run)
    }

    /// Records an import that a threshold stopped; nothing else changes.
    pub fn record_blocked_import(&self, commit: &ImportCommit, reason: &str) -> Result<i64> {
        let tx = self.conn.unchecked_transaction().ctx("recording a run")?;
        let run = insert_run(&tx, commit, "blocked", Some(reason))?;
        tx.commit().ctx("recording a run")?;
        Ok(run)
    }

    /// The last runs of a source, newest first.
    pub fn source_runs(&self, source: &str, limit: usize) -> Result<Vec<SourceRun>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source, started_at, status, total, added, removed, changed, reason \
                 FROM source_runs WHERE source = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .ctx("reading source runs")?;
        let rows = stmt.query_map(params![source, limit as i64], |row| {
            Ok(SourceRun {
                id: row.get(0)?,
                source: row.get(1)?,
                started_at: parse_time(&row.get::<_, String>(2)?)?,
                status: row.get(3)?,
                counts: RunCounts {
                    total: row.get::<_, i64>(4)? as usize,
                    added: row.get::<_, i64>(5)? as usize,
                    removed: row.get::<_, i64>(6)? as usize,
                    changed: row.get::<_, i64>(7)? as usize,
                },
                reason: row.get(8)?,
            })
        });
        rows.ctx("reading source runs")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading source runs")
    }

    /// History lines of one person, oldest first, as (run id, change, before, after).
    pub fn person_history(&self, person_id: &str) -> Result<Vec<(i64, HistoryRow)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT run_id, change, before, after FROM person_history \
                 WHERE person_id = ?1 ORDER BY id",
            )
            .ctx("reading person history")?;
        let rows = stmt.query_map([person_id], |row| {
            let change = match row.get::<_, String>(1)?.as_str() {
                "added" => PersonChange::Added,
                "removed" => PersonChange::Removed,
                _ => PersonChange::Changed,
            };
            let history = HistoryRow {
                person_id: person_id.to_owned(),
                change,
                before: row.get(2)?,
                after: row.get(3)?,
            };
            Ok((row.get(0)?, history))
        });
        rows.ctx("reading person history")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading person history")
    }

    /// Every merged person in the vault, ordered by id.
    pub fn persons(&self) -> Result<Vec<Person>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM persons ORDER BY id")
            .ctx("reading persons")?;
        let mut rows = stmt.query([]).ctx("reading persons")?;
        let mut out = Vec::new();
        // Parse row by row: holding every row's text first would double the peak memory.
        while let Some(row) = rows.next().ctx("reading persons")? {
            let text = row.get_ref(0).ctx("reading persons")?;
            let text = text
                .as_str()
                .map_err(rusqlite::Error::from)
                .ctx("reading persons")?;
            out.push(serde_json::from_str(text).table("persons")?);
        }
        Ok(out)
    }

    /// One merged person.
    pub fn person(&self, id: &str) -> Result<Option<Person>> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT data FROM persons WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .ctx("reading a person")?;
        text.map(|t| serde_json::from_str(&t).table("persons"))
            .transpose()
    }
}

fn insert_run(
    tx: &Transaction<'_>,
    commit: &ImportCommit,
    status: &str,
    reason: Option<&str>,
) -> Result<i64> {
    let c = commit.counts;
    let at = fmt_time(commit.started_at.unwrap_or_default());
    tx.execute(
        "INSERT INTO source_runs (source, started_at, status, total, added, removed, changed, \
         reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            commit.source,
            at,
            status,
            c.total as i64,
            c.added as i64,
            c.removed as i64,
            c.changed as i64,
            reason
        ],
    )
    .ctx("recording a source run")?;
    Ok(tx.last_insert_rowid())
}

fn write_records(tx: &Transaction<'_>, commit: &ImportCommit) -> Result<()> {
    let mut upsert = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO source_records (source, external_id, person_id, hash, data) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("writing source records")?;
    for r in &commit.upserts {
        upsert
            .execute(params![
                r.source,
                r.external_id,
                r.person_id,
                r.hash,
                r.data
            ])
            .ctx("writing source records")?;
    }
    let mut remove = tx
        .prepare_cached("DELETE FROM source_records WHERE source = ?1 AND external_id = ?2")
        .ctx("removing source records")?;
    for id in &commit.removals {
        remove
            .execute(params![commit.source, id])
            .ctx("removing source records")?;
    }
    Ok(())
}

fn write_history(tx: &Transaction<'_>, run: i64, rows: &[HistoryRow]) -> Result<()> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO person_history (run_id, person_id, change, before, after) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("writing person history")?;
    for h in rows {
        stmt.execute(params![
            run,
            h.person_id,
            h.change.as_str(),
            h.before,
            h.after
        ])
        .ctx("writing person history")?;
    }
    Ok(())
}

fn write_person(tx: &Transaction<'_>, run: i64, id: &str, person: Option<&Person>) -> Result<()> {
    // Contracts cascade with the person row, so replacing the row replaces them.
    tx.execute("DELETE FROM persons WHERE id = ?1", [id])
        .ctx("removing a person")?;
    let Some(person) = person else {
        return Ok(());
    };
    let data = serde_json::to_string(person).table("persons")?;
    tx.execute(
        "INSERT INTO persons (id, data, run_id) VALUES (?1, ?2, ?3)",
        params![id, data, run],
    )
    .ctx("writing a person")?;
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO contracts (person_id, id, start, end, data) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("writing contracts")?;
    for c in &person.contracts {
        let data = serde_json::to_string(c).table("contracts")?;
        let start = c.start.map(|t| t.to_string());
        let end = c.end.map(|t| t.to_string());
        stmt.execute(params![id, c.id, start, end, data])
            .ctx("writing contracts")?;
    }
    Ok(())
}
