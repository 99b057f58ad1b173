//! The audit log: append-only, each entry chained to its predecessor by SHA-256.
//!
//! An entry's hash covers its sequence number, its record as canonical JSON (object keys
//! sorted, no whitespace) and its predecessor's hash. Changing, removing or reordering any
//! row breaks the chain at that row, which [`AuditLog::verify_audit`] names.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

#[cfg(test)]
mod tests;
pub(crate) mod verify;

use crate::checkpoint::{Checkpoint, CheckpointKey, CheckpointKind, CheckpointVerifier};
use crate::error::{Error, JsonContext, Result};
use crate::fmt_time;

pub use verify::Verified;

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

/// What an audit search looks for; every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The person concerned.
    pub person: Option<String>,
    /// The system concerned.
    pub system: Option<String>,
    /// Who acted.
    pub actor: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    /// At most this many entries, newest first.
    pub limit: usize,
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

    /// Stores a signed checkpoint.
    fn store_checkpoint(&self, checkpoint: &Checkpoint) -> Result<()>;

    /// Every stored checkpoint, in sequence order.
    fn checkpoints(&self) -> Result<Vec<Checkpoint>>;

    /// The stored checkpoint of `kind` with the highest sequence number.
    fn latest_checkpoint(&self, kind: CheckpointKind) -> Result<Option<Checkpoint>>;

    /// The newest entry's sequence number and hash; `None` for an empty log.
    fn audit_head(&self) -> Result<Option<(i64, String)>>;

    /// Removes the entries up to and including `cut.seq` and the head checkpoints they carry,
    /// and stores `cut`, in one transaction; returns how many entries went.
    fn apply_cut(&self, cut: &Checkpoint) -> Result<usize>;

    /// Walks the chain; returns how many entries hold, or the first that does not. Checks
    /// continuity only: [`AuditLog::verify_audit_with`] also checks signed checkpoints.
    fn verify_audit(&self) -> Result<Result<usize, ChainBreak>> {
        Ok(self.verify_audit_with(None, &[])?.map(|v| v.records))
    }

    /// Walks the chain from its genesis (or its signed cut) and checks every stored
    /// checkpoint and every one in `exported` against it: the signature under `verifier`
    /// (when given), and that the record each names still exists with the hash it signed.
    fn verify_audit_with(
        &self,
        verifier: Option<&CheckpointVerifier>,
        exported: &[Checkpoint],
    ) -> Result<Result<Verified, ChainBreak>> {
        let mut checkpoints = self.checkpoints()?;
        checkpoints.extend_from_slice(exported);
        let rows = self.audit_rows(None)?;
        Ok(verify::chain(&rows, &checkpoints, verifier))
    }

    /// Signs the current head and stores the checkpoint, unless the newest stored one already
    /// names it. `None` for an empty log.
    fn checkpoint_audit(
        &self,
        key: &CheckpointKey,
        now: DateTime<Utc>,
    ) -> Result<Option<Checkpoint>> {
        let Some((seq, hash)) = self.audit_head()? else {
            return Ok(None);
        };
        if let Some(last) = self.latest_checkpoint(CheckpointKind::Head)?
            && last.seq == seq
            && last.hash == hash
        {
            return Ok(Some(last));
        }
        let checkpoint = key.sign(CheckpointKind::Head, seq, &hash, now);
        self.store_checkpoint(&checkpoint)?;
        Ok(Some(checkpoint))
    }

    /// Removes the entries recorded before `before`, leaving a signed cut so the rest still
    /// verifies, and records the removal in the chain. Refuses when the chain does not verify
    /// as it is: signing a cut over a tampered log would bless the tampering. `None` when
    /// nothing is that old.
    fn prune_audit(
        &self,
        key: &CheckpointKey,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<(Checkpoint, usize)>> {
        // One read of the chain serves both the check and the cut.
        let rows = self.audit_rows(None)?;
        if let Err(b) = verify::chain(&rows, &self.checkpoints()?, Some(&key.verifier())) {
            return Err(Error::AuditBroken {
                seq: b.seq,
                reason: b.reason,
            });
        }
        let old = rows.into_iter().take_while(|row| {
            serde_json::from_str::<AuditRecord>(&row.record).is_ok_and(|r| r.at < before)
        });
        let Some(last) = old.last() else {
            return Ok(None);
        };
        let cut = key.sign(CheckpointKind::Cut, last.seq, &last.hash, now);
        let removed = self.apply_cut(&cut)?;
        self.append_audit(&AuditRecord {
            at: now,
            action: "audit-cut".into(),
            after: Some(serde_json::json!({
                "removed": removed,
                "through_seq": cut.seq,
                "before": fmt_time(before),
            })),
            why: Some("audit retention".into()),
            outcome: "ok".into(),
            ..AuditRecord::default()
        })?;
        Ok(Some((cut, removed)))
    }

    /// The entries `filter` finds, newest first, through the indexes on person, system, actor
    /// and time: a search never reads the whole log.
    fn search_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;

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
            ExportFormat::Csv => Ok(audit_csv(&entries)),
        }
    }
}

pub(crate) fn check_entry(row: &StoredEntry, expected_seq: i64, prev: &str) -> Option<String> {
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

/// Entries as CSV: a header line and one line per entry, fields quoted where they must be.
pub fn audit_csv(entries: &[AuditEntry]) -> String {
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
