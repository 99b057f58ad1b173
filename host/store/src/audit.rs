//! The audit log: append-only, each entry chained to its predecessor by SHA-256.
//!
//! An entry's hash covers its sequence number, its record as canonical JSON (object keys
//! sorted, no whitespace) and its predecessor's hash. Changing, removing or reordering any
//! row breaks the chain at that row, which [`AuditLog::verify_audit`] names.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{JsonContext, Result};
use crate::fmt_time;

/// The hash the first entry points back to.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to whom, why and with what outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// What kind of event: `create`, `grant`, `manual-grant`, `threshold-block`, …
    pub action: String,
    /// The system concerned.
    pub system: Option<String>,
    /// The person concerned.
    pub person: Option<String>,
    /// State before, when there is one.
    pub before: Option<Value>,
    /// State after, or what was asked for.
    pub after: Option<Value>,
    /// Why: the rule and contracts, or the grant's reason.
    pub why: Option<String>,
    /// Who: an operator, or `engine`.
    pub actor: Option<String>,
    /// The run or plan.
    pub run: Option<String>,
    /// The plugin id@version that carried it out.
    pub plugin: Option<String>,
    /// `ok`, `failed: …`, `blocked`, `refused: …`.
    pub outcome: String,
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The record.
    pub record: AuditRecord,
    /// The predecessor's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The first place the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    /// The broken entry.
    pub seq: i64,
    /// What does not match.
    pub reason: String,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON array of entries.
    Json,
    /// A header line and one line per entry.
    Csv,
}

/// An entry as stored: its record as the canonical JSON that was hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The record as canonical JSON.
    pub record: String,
    /// The predecessor's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The hash-chained audit log. A backend stores entries and extends the chain atomically
/// ([`GENESIS`], [`entry_hash`] and [`canonical`] define it); walking and exporting the chain
/// is the same for every backend.
pub trait AuditLog {
    /// Appends a record to the chain and returns its sequence number. Reading the last hash
    /// and inserting must not interleave with another writer, or the chain would fork.
    fn append_audit(&self, record: &AuditRecord) -> Result<i64>;

    /// Stored entries at or after `since`, in chain order.
    fn audit_rows(&self, since: Option<DateTime<Utc>>) -> Result<Vec<StoredEntry>>;

    /// Walks the chain; returns how many entries hold, or the first that does not.
    fn verify_audit(&self) -> Result<Result<usize, ChainBreak>> {
        let mut prev = GENESIS.to_owned();
        let rows = self.audit_rows(None)?;
        for (expected_seq, row) in (1..).zip(&rows) {
            if let Some(reason) = check_entry(row, expected_seq, &prev) {
                return Ok(Err(ChainBreak {
                    seq: row.seq,
                    reason,
                }));
            }
            prev.clone_from(&row.hash);
        }
        Ok(Ok(rows.len()))
    }

    /// Entries at or after `since`, in chain order.
    fn audit_entries(&self, since: Option<DateTime<Utc>>) -> Result<Vec<AuditEntry>> {
        self.audit_rows(since)?
            .into_iter()
            .map(|raw| {
                Ok(AuditEntry {
                    seq: raw.seq,
                    record: serde_json::from_str(&raw.record).table("audit_log")?,
                    prev_hash: raw.prev_hash,
                    hash: raw.hash,
                })
            })
            .collect()
    }

    /// The entries at or after `since` as JSON or CSV text.
    fn export_audit(&self, format: ExportFormat, since: Option<DateTime<Utc>>) -> Result<String> {
        let entries = self.audit_entries(since)?;
        match format {
            ExportFormat::Json => serde_json::to_string_pretty(&entries).table("audit_log"),
            ExportFormat::Csv => Ok(to_csv(&entries)),
        }
    }
}

fn check_entry(row: &StoredEntry, expected_seq: i64, prev: &str) -> Option<String> {
    if row.seq != expected_seq {
        return Some(format!("expected entry {expected_seq}, found {}", row.seq));
    }
    if row.prev_hash != prev {
        return Some("does not point at its predecessor's hash".to_owned());
    }
    // Re-canonicalise so an edit that only reorders keys still counts as untouched data,
    // while any change of content changes the hash.
    let Ok(value) = serde_json::from_str::<Value>(&row.record) else {
        return Some("record is not valid JSON".to_owned());
    };
    if entry_hash(row.seq, &canonical(&value), &row.prev_hash) != row.hash {
        return Some("content does not match its hash".to_owned());
    }
    None
}

pub(crate) fn entry_hash(seq: i64, record: &str, prev: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!(
        "{{\"prev_hash\":\"{prev}\",\"record\":{record},\"seq\":{seq}}}"
    ));
    hex::encode(hasher.finalize())
}

/// JSON with object keys sorted and no whitespace, whatever map order serde_json was built with.
pub(crate) fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

const CSV_HEADER: &str =
    "seq,at,action,system,person,outcome,why,actor,run,plugin,before,after,prev_hash,hash";

fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for e in entries {
        let r = &e.record;
        let json = |v: &Option<Value>| v.as_ref().map(canonical).unwrap_or_default();
        let fields = [
            e.seq.to_string(),
            fmt_time(r.at),
            r.action.clone(),
            r.system.clone().unwrap_or_default(),
            r.person.clone().unwrap_or_default(),
            r.outcome.clone(),
            r.why.clone().unwrap_or_default(),
            r.actor.clone().unwrap_or_default(),
            r.run.clone().unwrap_or_default(),
            r.plugin.clone().unwrap_or_default(),
            json(&r.before),
            json(&r.after),
            e.prev_hash.clone(),
            e.hash.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
