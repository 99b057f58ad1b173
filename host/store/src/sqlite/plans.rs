//! Plans, the apply journal and blocked actions in SQLite.

use std::io::{BufWriter, Write};

use chrono::{DateTime, Utc};
use rusqlite::{MAIN_DB, OptionalExtension, params};

use super::{SqliteStore, fmt_time, parse_time};
use crate::error::{Error, Result, SqlContext};
use crate::plans::{JournalEntry, JournalState, PlanHeader, PlanJson, PlanStatus, Plans};

impl Plans for SqliteStore {
    fn add_plan(&self, system: &str, at: DateTime<Utc>, whole: bool) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO plans (system, created_at, status, whole, data) \
                 VALUES (?1, ?2, ?3, ?4, '')",
                params![system, fmt_time(at), PlanStatus::Open.as_str(), whole],
            )
            .ctx("saving a plan")?;
        Ok(self.conn.last_insert_rowid())
    }

    fn recent_plans(
        &self,
        system: Option<&str>,
        whole_only: bool,
        limit: usize,
    ) -> Result<Vec<PlanHeader>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, system, created_at, status, whole FROM plans \
                 WHERE (?1 IS NULL OR system = ?1) AND (NOT ?2 OR whole) \
                 ORDER BY id DESC LIMIT ?3",
            )
            .ctx("reading recent plans")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![system, whole_only, limit], |row| {
            Ok(PlanHeader {
                id: row.get(0)?,
                system: row.get(1)?,
                created_at: parse_time(&row.get::<_, String>(2)?)?,
                status: row.get(3)?,
                whole: row.get(4)?,
            })
        });
        rows.ctx("reading recent plans")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading recent plans")
    }

    fn plan(&self, id: i64) -> Result<String> {
        // Written as a blob (see `write_plan`); older plans are text.
        self.conn
            .query_row(
                "SELECT CAST(data AS TEXT) FROM plans WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .optional()
            .ctx("reading a plan")?
            .ok_or(Error::NotFound {
                what: "plan",
                id: id.to_string(),
            })
    }

    fn write_plan(&self, id: i64, json: PlanJson<'_>) -> Result<()> {
        // An incremental blob has a fixed size, so the JSON is measured first.
        let mut measure = Counted::new(std::io::sink());
        json(&mut measure).map_err(|source| Error::Json {
            table: "plans",
            source,
        })?;
        let len = i32::try_from(measure.bytes).map_err(|_| Error::Sqlite {
            context: "writing a plan",
            source: rusqlite::Error::BlobSizeError,
        })?;
        let changed = self
            .conn
            .execute(
                "UPDATE plans SET data = zeroblob(?2) WHERE id = ?1",
                params![id, len],
            )
            .ctx("writing a plan")?;
        if changed == 0 {
            return Err(Error::NotFound {
                what: "plan",
                id: id.to_string(),
            });
        }
        let blob = self
            .conn
            .blob_open(MAIN_DB, "plans", "data", id, false)
            .ctx("writing a plan")?;
        let mut out = Counted::new(BufWriter::with_capacity(64 << 10, blob));
        json(&mut out)
            .and_then(|()| out.inner.flush().map_err(serde_json::Error::io))
            .map_err(|e| write_error(e.into()))?;
        if out.bytes != measure.bytes {
            return Err(write_error(std::io::Error::other(format!(
                "the plan's JSON was {} bytes when measured and {} when written",
                measure.bytes, out.bytes
            ))));
        }
        Ok(())
    }

    fn set_plan_status(&self, id: i64, status: PlanStatus) -> Result<()> {
        self.conn
            .execute(
                "UPDATE plans SET status = ?2 WHERE id = ?1",
                params![id, status.as_str()],
            )
            .ctx("updating a plan")?;
        Ok(())
    }

    fn unfinished_plans(&self, system: &str) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM plans WHERE system = ?1 AND status = ?2 ORDER BY id")
            .ctx("reading plans")?;
        let rows = stmt.query_map([system, PlanStatus::Applying.as_str()], |row| row.get(0));
        rows.ctx("reading plans")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading plans")
    }

    fn journal(
        &self,
        plan_id: i64,
        seq: usize,
        state: JournalState,
        op: &str,
        result: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO apply_journal (plan_id, seq, state, op, result, \
                 updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .ctx("writing the journal")?
            .execute(params![
                plan_id,
                seq as i64,
                state.as_str(),
                op,
                result,
                fmt_time(at)
            ])
            .ctx("writing the journal")?;
        Ok(())
    }

    fn journal_entries(&self, plan_id: i64) -> Result<Vec<JournalEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, state, op, result FROM apply_journal WHERE plan_id = ?1 ORDER BY seq",
            )
            .ctx("reading the journal")?;
        let rows = stmt.query_map([plan_id], |row| {
            Ok(JournalEntry {
                plan_id,
                seq: row.get::<_, i64>(0)? as usize,
                state: JournalState::parse(&row.get::<_, String>(1)?),
                op: row.get(2)?,
                result: row.get(3)?,
            })
        });
        rows.ctx("reading the journal")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading the journal")
    }

    fn failed_persons(&self, system: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT json_extract(j.op, '$.person') FROM apply_journal j \
                 WHERE j.state = 'failed' AND json_extract(j.op, '$.person') IS NOT NULL \
                 AND j.plan_id = (SELECT max(id) FROM plans WHERE system = ?1 AND status = ?2)",
            )
            .ctx("reading failed operations")?;
        let rows = stmt.query_map([system, PlanStatus::Finished.as_str()], |row| row.get(0));
        rows.ctx("reading failed operations")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading failed operations")
    }
}

fn write_error(source: std::io::Error) -> Error {
    Error::Write {
        what: "a plan",
        source,
    }
}

/// A writer that counts what passes through it.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W> Counted<W> {
    fn new(inner: W) -> Self {
        Counted { inner, bytes: 0 }
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_rows_move_from_started_to_done() {
        let store = SqliteStore::open_in_memory().expect("open");
        let at = DateTime::<Utc>::default();
        let plan = store.add_plan("hix", at, true).expect("plan");
        store
            .journal(plan, 0, JournalState::Started, "{\"op\":1}", None, at)
            .expect("start");
        store
            .journal(plan, 0, JournalState::Done, "{\"op\":1}", Some("\"k\""), at)
            .expect("done");
        let rows = store.journal_entries(plan).expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].state, JournalState::Done);
        assert_eq!(rows[0].result.as_deref(), Some("\"k\""));
    }

    #[test]
    fn a_plan_streams_in_and_reads_back() {
        let store = SqliteStore::open_in_memory().expect("open");
        let at = DateTime::<Utc>::default();
        let id = store.add_plan("ad", at, false).expect("add");
        let text = r#"{"scope":["p1"],"why":"afdeling Kinderafdeling – ß"}"#;
        store
            .write_plan(id, &|out| {
                out.write_all(text.as_bytes())
                    .map_err(serde_json::Error::io)
            })
            .expect("write");
        assert_eq!(store.plan(id).expect("read"), text);
        // Replaced by a shorter one, nothing of the first is left.
        store
            .write_plan(id, &|out| {
                out.write_all(b"{}").map_err(serde_json::Error::io)
            })
            .expect("rewrite");
        assert_eq!(store.plan(id).expect("read"), "{}");
        let whole = store.add_plan("ad", at, true).expect("add");
        let listed = store.recent_plans(Some("ad"), true, 10).expect("recent");
        let ids: Vec<i64> = listed.iter().map(|p| p.id).collect();
        assert_eq!(ids, [whole], "only the plan of every person is whole");
    }

    #[test]
    fn a_plan_whose_json_changes_between_passes_is_refused() {
        let store = SqliteStore::open_in_memory().expect("open");
        let id = store
            .add_plan("ad", DateTime::<Utc>::default(), true)
            .expect("add");
        let calls = std::cell::Cell::new(0);
        let err = store
            .write_plan(id, &|out| {
                calls.set(calls.get() + 1);
                let text = if calls.get() == 1 { "{}" } else { "{\"a\":1}" };
                out.write_all(text.as_bytes())
                    .map_err(serde_json::Error::io)
            })
            .expect_err("a second pass of another length");
        assert!(matches!(err, Error::Write { what: "a plan", .. }), "{err}");
    }

    #[test]
    fn writing_a_plan_that_does_not_exist_is_not_found() {
        let store = SqliteStore::open_in_memory().expect("open");
        let err = store
            .write_plan(7, &|out| {
                out.write_all(b"{}").map_err(serde_json::Error::io)
            })
            .expect_err("no plan 7");
        assert!(matches!(err, Error::NotFound { what: "plan", .. }), "{err}");
    }
}
