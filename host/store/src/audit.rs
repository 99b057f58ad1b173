//! The audit log: append-only, each entry chained to its predecessor by SHA-256.
//!
//! An entry's hash covers its sequence number, its record as canonical JSON (object keys
//! sorted, no whitespace) and its predecessor's hash. Changing, removing or reordering any
//! row breaks the chain at that row, which [`Store::verify_audit`] names.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{JsonContext, Result, SqlContext};
use crate::{Store, fmt_time};

/// The hash the first entry points back to.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, to whom, why and with what outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// What kind of event: `create`, `grant`, `manual-grant`, `threshold-block`, …
    pub action: String,
    /// The system concerned.
    pub system: Option<String>,
    /// The vault person concerned.
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

struct RawEntry {
    seq: i64,
    record: String,
    prev_hash: String,
    hash: String,
}

impl Store {
    /// Appends a record to the chain and returns its sequence number.
    pub fn append_audit(&self, record: &AuditRecord) -> Result<i64> {
        let value = serde_json::to_value(record).table("audit_log")?;
        let text = canonical(&value);
        // One unit (BEGIN IMMEDIATE on its own): the read of the last hash and the insert must
        // not interleave with another writer, or the chain would fork.
        self.atomically(|| {
            let last: Option<(i64, String)> = self
                .conn
                .query_row(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                    [],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .ctx("reading the last audit entry")?;
            let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |(s, h)| (s + 1, h));
            let hash = entry_hash(seq, &text, &prev);
            self.conn
                .execute(
                    "INSERT INTO audit_log (seq, at, record, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![seq, fmt_time(record.at), text, prev, hash],
                )
                .ctx("appending to the audit log")?;
            Ok(seq)
        })
    }

    /// Walks the chain; returns how many entries hold, or the first that does not.
    pub fn verify_audit(&self) -> Result<Result<usize, ChainBreak>> {
        let mut prev = GENESIS.to_owned();
        let rows = self.raw_audit(None)?;
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
    pub fn audit_entries(&self, since: Option<DateTime<Utc>>) -> Result<Vec<AuditEntry>> {
        self.raw_audit(since)?
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
    pub fn export_audit(
        &self,
        format: ExportFormat,
        since: Option<DateTime<Utc>>,
    ) -> Result<String> {
        let entries = self.audit_entries(since)?;
        match format {
            ExportFormat::Json => serde_json::to_string_pretty(&entries).table("audit_log"),
            ExportFormat::Csv => Ok(to_csv(&entries)),
        }
    }

    fn raw_audit(&self, since: Option<DateTime<Utc>>) -> Result<Vec<RawEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, record, prev_hash, hash FROM audit_log \
                 WHERE ?1 IS NULL OR at >= ?1 ORDER BY seq",
            )
            .ctx("reading the audit log")?;
        let rows = stmt.query_map([since.map(fmt_time)], |row| {
            Ok(RawEntry {
                seq: row.get(0)?,
                record: row.get(1)?,
                prev_hash: row.get(2)?,
                hash: row.get(3)?,
            })
        });
        rows.ctx("reading the audit log")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading the audit log")
    }
}

fn check_entry(row: &RawEntry, expected_seq: i64, prev: &str) -> Option<String> {
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

fn entry_hash(seq: i64, record: &str, prev: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: &str, day: u32) -> AuditRecord {
        AuditRecord {
            at: format!("2026-11-{day:02}T10:00:00Z").parse().expect("time"),
            action: action.into(),
            system: Some("hix".into()),
            person: Some("p1".into()),
            why: Some("rule \"IC\", contract c1, \"quoted\"".into()),
            outcome: "ok".into(),
            ..AuditRecord::default()
        }
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":{"z":[{"y":1,"x":2}],"c":null}}"#).expect("json");
        assert_eq!(
            canonical(&v),
            r#"{"a":{"c":null,"z":[{"x":2,"y":1}]},"b":1}"#
        );
    }

    #[test]
    fn an_intact_chain_verifies() {
        let store = Store::open_in_memory().expect("open");
        for (i, action) in ["create", "grant", "disable"].iter().enumerate() {
            store
                .append_audit(&record(action, i as u32 + 1))
                .expect("append");
        }
        assert_eq!(store.verify_audit().expect("verify"), Ok(3));
    }

    #[test]
    fn tampering_with_one_row_is_found_and_named() {
        let store = Store::open_in_memory().expect("open");
        for day in 1..=4 {
            store.append_audit(&record("grant", day)).expect("append");
        }
        store
            .execute_raw(
                "UPDATE audit_log SET record = replace(record, 'grant', 'revoke') WHERE seq = 2",
            )
            .expect("tamper");
        let broken = store
            .verify_audit()
            .expect("verify")
            .expect_err("must break");
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("hash"), "{}", broken.reason);
    }

    #[test]
    fn deleting_a_row_breaks_the_chain_after_it() {
        let store = Store::open_in_memory().expect("open");
        for day in 1..=3 {
            store.append_audit(&record("grant", day)).expect("append");
        }
        store
            .execute_raw("DELETE FROM audit_log WHERE seq = 2")
            .expect("delete");
        let broken = store
            .verify_audit()
            .expect("verify")
            .expect_err("must break");
        assert_eq!(broken.seq, 3);
    }

    #[test]
    fn exports_honour_since_and_escape_csv() {
        let store = Store::open_in_memory().expect("open");
        for day in 1..=3 {
            store.append_audit(&record("grant", day)).expect("append");
        }
        let since = "2026-11-02T00:00:00Z".parse().expect("since");
        let json = store
            .export_audit(ExportFormat::Json, Some(since))
            .expect("json");
        let parsed: Vec<AuditEntry> = serde_json::from_str(&json).expect("parse");
        assert_eq!(parsed.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
        let csv = store.export_audit(ExportFormat::Csv, None).expect("csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("seq,at,action"));
        assert!(
            lines[1].contains("\"rule \"\"IC\"\", contract c1, \"\"quoted\"\"\""),
            "{}",
            lines[1]
        );
    }
}
