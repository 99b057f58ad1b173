//! The vault: what each source delivered, the merged persons and their contracts, source runs
//! and the history of what each import changed.

mod write;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use tessera_domain::Person;

use crate::error::{JsonContext, Result, SqlContext};
use crate::{Store, parse_time};
use write::{insert_run, write_history, write_person, write_records};

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

/// What change detection needs of a stored record: everything but its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDigest {
    /// The id the source uses.
    pub external_id: String,
    /// The vault person the record feeds.
    pub person_id: String,
    /// SHA-256 of the record's JSON.
    pub hash: String,
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

    /// The digest of every record the source delivered last time, ordered by external id.
    /// Change detection needs only these; the data of a large source is hundreds of MB.
    pub fn source_digests(&self, source: &str) -> Result<Vec<RecordDigest>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT external_id, person_id, hash FROM source_records \
                 WHERE source = ?1 ORDER BY external_id",
            )
            .ctx("reading source records")?;
        let rows = stmt.query_map([source], |row| {
            Ok(RecordDigest {
                external_id: row.get(0)?,
                person_id: row.get(1)?,
                hash: row.get(2)?,
            })
        });
        rows.ctx("reading source records")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading source records")
    }

    /// The data of one stored record.
    pub fn source_record_data(&self, source: &str, external_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT data FROM source_records WHERE source = ?1 AND external_id = ?2",
                [source, external_id],
                |row| row.get(0),
            )
            .optional()
            .ctx("reading a source record")
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

    /// Writes a whole import at once like [`Store::commit_import`], but merges the `affected`
    /// persons inside the transaction, one at a time: `merge` gets each person's records as
    /// they stand after this import and returns the merged person (`None` removes them).
    /// Nobody's merged person is held longer than it takes to write it.
    pub fn commit_import_merging<E, F>(
        &self,
        commit: &ImportCommit,
        affected: &[String],
        mut merge: F,
    ) -> std::result::Result<i64, E>
    where
        E: From<crate::Error>,
        F: FnMut(&str, &[SourceRecord]) -> std::result::Result<Option<Person>, E>,
    {
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx("starting the import")?;
        let run = insert_run(&tx, commit, "committed", None)?;
        write_records(&tx, commit)?;
        write_history(&tx, run, &commit.history)?;
        for id in affected {
            // Same connection, so this sees the records just written.
            let records = self.records_of_person(id)?;
            let person = merge(id, &records)?;
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
            let mut person: Person = serde_json::from_str(text).table("persons")?;
            // A JSON array gives no length up front, so the vector grew by doubling; the
            // spare room is a third of the vault's memory at hospital scale.
            person.contracts.shrink_to_fit();
            out.push(person);
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
