//! Plans, the apply journal and blocked actions in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, fmt_time, parse_time};
use crate::error::{Error, Result, SqlContext};
use crate::plans::{JournalEntry, JournalState, PlanHeader, PlanStatus, Plans};

impl Plans for SqliteStore {
    fn save_plan(&self, system: &str, at: DateTime<Utc>, data: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO plans (system, created_at, status, data) VALUES (?1, ?2, ?3, ?4)",
                params![system, fmt_time(at), PlanStatus::Open.as_str(), data],
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
        self.conn
            .query_row("SELECT data FROM plans WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .ctx("reading a plan")?
            .ok_or(Error::NotFound {
                what: "plan",
                id: id.to_string(),
            })
    }

    fn update_plan(&self, id: i64, data: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE plans SET data = ?2 WHERE id = ?1",
                params![id, data],
            )
            .ctx("updating a plan")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_rows_move_from_started_to_done() {
        let store = SqliteStore::open_in_memory().expect("open");
        let at = DateTime::<Utc>::default();
        let plan = store.save_plan("hix", at, "{}").expect("plan");
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
}
