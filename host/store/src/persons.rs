//! Persons and their history: what each source delivered, the merged persons and their
//! contracts, source runs, and what each import changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tessera_domain::Person;

use crate::Result;

/// One person as one source last delivered them.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// The source system's name.
    pub source: String,
    /// The id the source uses.
    pub external_id: String,
    /// The person this record feeds.
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
    /// The person the record feeds.
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
    pub(crate) fn as_str(self) -> &'static str {
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
    /// The person.
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
    /// Records added or changed, each with its history line.
    pub upserts: Vec<Upsert>,
    /// External ids gone from the source.
    pub removals: Vec<String>,
    /// History lines besides the upserts' own: the removed records'.
    pub history: Vec<HistoryRow>,
}

/// A record an import writes and the history line it leaves, whose `after` is the record's
/// data: kept once, where a take-over of 30,000 persons used to hold every record twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Upsert {
    /// The record as delivered.
    pub record: SourceRecord,
    /// Added or changed.
    pub change: PersonChange,
    /// The record before, as JSON, when it changed.
    pub before: Option<String>,
}

/// Merges one person from their records as they stand after an import: `None` removes the
/// person; an error names what could not be merged.
pub type Merge<'a> =
    dyn FnMut(&str, &[SourceRecord]) -> std::result::Result<Option<Person>, String> + 'a;

/// Source records, merged persons and their history.
pub trait Persons {
    /// Every record the source delivered last time.
    fn source_records(&self, source: &str) -> Result<Vec<SourceRecord>>;

    /// The digest of every record the source delivered last time, ordered by external id.
    /// Change detection needs only these; the data of a large source is hundreds of MB.
    fn source_digests(&self, source: &str) -> Result<Vec<RecordDigest>>;

    /// The data of one stored record.
    fn source_record_data(&self, source: &str, external_id: &str) -> Result<Option<String>>;

    /// The digest of one stored record.
    fn source_digest(&self, source: &str, external_id: &str) -> Result<Option<RecordDigest>>;

    /// How many records the source delivered last time.
    fn source_count(&self, source: &str) -> Result<usize>;

    /// The ids of the persons whose `field` (`id`, `email` or an attribute name) has `value`,
    /// compared trimmed and in lower case.
    fn correlate(&self, field: &str, value: &str) -> Result<Vec<String>>;

    /// Every source's record for one person.
    fn records_of_person(&self, person_id: &str) -> Result<Vec<SourceRecord>>;

    /// Writes a whole import at once and returns the run id. The `affected` persons are
    /// merged inside the same transaction, one at a time: `merge` gets each person's records
    /// as they stand after this import. Nobody's merged person is held longer than it takes
    /// to write it. A merge that fails undoes the whole import.
    fn commit_import(
        &self,
        commit: &ImportCommit,
        affected: &[String],
        merge: &mut Merge<'_>,
    ) -> Result<i64>;

    /// Records an import that a threshold stopped; nothing else changes.
    fn record_blocked_import(&self, commit: &ImportCommit, reason: &str) -> Result<i64>;

    /// The last runs of a source, newest first.
    fn source_runs(&self, source: &str, limit: usize) -> Result<Vec<SourceRun>>;

    /// History lines of one person, oldest first, as (run id, change, before, after).
    fn person_history(&self, person_id: &str) -> Result<Vec<(i64, HistoryRow)>>;

    /// Calls `f` with every merged person in id order, one at a time, so that no caller
    /// needs every person in memory at once; an error from `f` stops the walk.
    fn for_each_person(&self, f: &mut dyn FnMut(Person) -> Result<()>) -> Result<()>;

    /// Every merged person, ordered by id.
    fn persons(&self) -> Result<Vec<Person>> {
        let mut out = Vec::new();
        self.for_each_person(&mut |p| {
            out.push(p);
            Ok(())
        })?;
        Ok(out)
    }

    /// One merged person.
    fn person(&self, id: &str) -> Result<Option<Person>>;
}
