//! The audit log in SQLite: one row per entry, extended inside an immediate transaction.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, fmt_time};
use crate::audit::{
    AuditEntry, AuditFilter, AuditLog, AuditRecord, GENESIS, StoredEntry, canonical, entry_hash,
};
use crate::checkpoint::{Checkpoint, CheckpointKind};
use crate::error::{JsonContext, Result, SqlContext};
use crate::parse_time;

/// A stored checkpoint. An unreadable kind or time is kept as a checkpoint that cannot verify,
/// so tampering with the table shows up in `verify` rather than as a read error.
fn checkpoint_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Checkpoint> {
    Ok(Checkpoint {
        kind: CheckpointKind::parse(&row.get::<_, String>(0)?).unwrap_or(CheckpointKind::Head),
        seq: row.get(1)?,
        hash: row.get(2)?,
        at: parse_time(&row.get::<_, String>(3)?).unwrap_or_default(),
        signature: row.get(4)?,
    })
}

impl AuditLog for SqliteStore {
    fn append_audit(&self, record: &AuditRecord) -> Result<i64> {
        let value = serde_json::to_value(record).table("audit_log")?;
        let text = canonical(&value);
        // One unit (BEGIN IMMEDIATE on its own): the read of the last hash and the insert must
        // not interleave with another writer, or the chain would fork.
        self.atomically(|| {
            // After retention removed every entry, the chain goes on from the newest cut.
            let last = match self.audit_head()? {
                Some(found) => Some(found),
                None => self
                    .latest_checkpoint(CheckpointKind::Cut)?
                    .map(|c| (c.seq, c.hash)),
            };
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

    fn store_checkpoint(&self, c: &Checkpoint) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO audit_checkpoints (kind, seq, hash, at, signature) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![c.kind.as_str(), c.seq, c.hash, fmt_time(c.at), c.signature],
            )
            .ctx("storing an audit checkpoint")?;
        Ok(())
    }

    fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, seq, hash, at, signature FROM audit_checkpoints ORDER BY seq, kind",
            )
            .ctx("reading audit checkpoints")?;
        let rows = stmt.query_map([], checkpoint_from_row);
        rows.ctx("reading audit checkpoints")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading audit checkpoints")
    }

    fn latest_checkpoint(&self, kind: CheckpointKind) -> Result<Option<Checkpoint>> {
        self.conn
            .query_row(
                "SELECT kind, seq, hash, at, signature FROM audit_checkpoints WHERE kind = ?1 \
                 ORDER BY seq DESC LIMIT 1",
                [kind.as_str()],
                checkpoint_from_row,
            )
            .optional()
            .ctx("reading the latest audit checkpoint")
    }

    fn audit_head(&self) -> Result<Option<(i64, String)>> {
        self.conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .ctx("reading the last audit entry")
    }

    fn apply_cut(&self, cut: &Checkpoint) -> Result<usize> {
        self.atomically(|| {
            let removed = self
                .conn
                .execute("DELETE FROM audit_log WHERE seq <= ?1", [cut.seq])
                .ctx("removing audit entries past retention")?;
            self.conn
                .execute(
                    "DELETE FROM audit_checkpoints WHERE seq <= ?1 AND kind = 'head'",
                    [cut.seq],
                )
                .ctx("removing checkpoints of removed entries")?;
            self.store_checkpoint(cut)?;
            Ok(removed)
        })
    }

    fn search_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        // Only the conditions asked for, so SQLite picks the index of the one that narrows
        // (person, system or actor with the time); `?1 IS NULL OR …` would scan every row.
        let mut conditions = Vec::new();
        let mut params: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        let text = [
            ("person", &filter.person),
            ("system", &filter.system),
            ("actor", &filter.actor),
        ];
        for (column, value) in text {
            if let Some(value) = value {
                params.push(Box::new(value.clone()));
                conditions.push(format!("{column} = ?{}", params.len()));
            }
        }
        for (op, at) in [(">=", filter.from), ("<", filter.to)] {
            if let Some(at) = at {
                params.push(Box::new(fmt_time(at)));
                conditions.push(format!("at {op} ?{}", params.len()));
            }
        }
        params.push(Box::new(i64::try_from(filter.limit).unwrap_or(i64::MAX)));
        let limit = params.len();
        let clause = match conditions.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", conditions.join(" AND ")),
        };
        let sql = format!(
            "SELECT seq, record, prev_hash, hash FROM audit_log {clause} \
             ORDER BY at DESC, seq DESC LIMIT ?{limit}"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("searching the audit log")?;
        let params = rusqlite::params_from_iter(params.iter());
        let rows = stmt.query_map(params, |row| {
            let record: String = row.get(1)?;
            Ok((row.get(0)?, record, row.get(2)?, row.get(3)?))
        });
        let rows: Vec<(i64, String, String, String)> = rows
            .ctx("searching the audit log")?
            .collect::<rusqlite::Result<_>>()
            .ctx("searching the audit log")?;
        rows.into_iter()
            .map(|(seq, record, prev_hash, hash)| {
                Ok(AuditEntry {
                    seq,
                    record: serde_json::from_str(&record).table("audit_log")?,
                    prev_hash,
                    hash,
                })
            })
            .collect()
    }

    fn audit_rows(&self, since: Option<DateTime<Utc>>) -> Result<Vec<StoredEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, record, prev_hash, hash FROM audit_log \
                 WHERE ?1 IS NULL OR at >= ?1 ORDER BY seq",
            )
            .ctx("reading the audit log")?;
        let rows = stmt.query_map([since.map(fmt_time)], |row| {
            Ok(StoredEntry {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use serde_json::Value;

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
        let store = SqliteStore::open_in_memory().expect("open");
        for (i, action) in ["create", "grant", "disable"].iter().enumerate() {
            store
                .append_audit(&record(action, i as u32 + 1))
                .expect("append");
        }
        assert_eq!(store.verify_audit().expect("verify"), Ok(3));
    }

    #[test]
    fn tampering_with_one_row_is_found_and_named() {
        let store = SqliteStore::open_in_memory().expect("open");
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
        let store = SqliteStore::open_in_memory().expect("open");
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
        let store = SqliteStore::open_in_memory().expect("open");
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
