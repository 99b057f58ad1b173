//! Blocked actions in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteStore, fmt_time, parse_time};
use crate::approvals::{Approvals, BlockedAction, BlockedStatus, NewBlockedAction};
use crate::error::{Error, Result, SqlContext};

fn blocked_from_row(row: &Row<'_>) -> rusqlite::Result<BlockedAction> {
    Ok(BlockedAction {
        id: row.get(0)?,
        system: row.get(1)?,
        plan_id: row.get(2)?,
        action: row.get(3)?,
        op_key: row.get(4)?,
        op: row.get(5)?,
        reason: row.get(6)?,
        status: BlockedStatus::parse(&row.get::<_, String>(7)?),
        decided_by: row.get(8)?,
        person: row.get(9)?,
        decided_at: row
            .get::<_, Option<String>>(10)?
            .map(|t| parse_time(&t))
            .transpose()?,
    })
}

impl Approvals for SqliteStore {
    fn add_blocked(&self, new: &NewBlockedAction, at: DateTime<Utc>) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO blocked_actions (system, plan_id, action, op_key, op, reason, \
                 status, created_at, person) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'blocked', ?7, ?8)",
                params![
                    new.system,
                    new.plan_id,
                    new.action,
                    new.op_key,
                    new.op,
                    new.reason,
                    fmt_time(at),
                    new.person
                ],
            )
            .ctx("recording a blocked action")?;
        Ok(self.conn.last_insert_rowid())
    }

    fn blocked_actions(
        &self,
        system: Option<&str>,
        status: BlockedStatus,
    ) -> Result<Vec<BlockedAction>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, system, plan_id, action, op_key, op, reason, status, decided_by, \
                 person, decided_at \
                 FROM blocked_actions WHERE (?1 IS NULL OR system = ?1) AND status = ?2 \
                 ORDER BY id",
            )
            .ctx("reading blocked actions")?;
        let rows = stmt.query_map(params![system, status.as_str()], blocked_from_row);
        rows.ctx("reading blocked actions")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading blocked actions")
    }

    fn blocked_action(&self, id: i64) -> Result<BlockedAction> {
        self.conn
            .query_row(
                "SELECT id, system, plan_id, action, op_key, op, reason, status, decided_by, \
                 person, decided_at \
                 FROM blocked_actions WHERE id = ?1",
                [id],
                blocked_from_row,
            )
            .optional()
            .ctx("reading a blocked action")?
            .ok_or(Error::NotFound {
                what: "blocked action",
                id: id.to_string(),
            })
    }

    fn decide_blocked(
        &self,
        id: i64,
        status: BlockedStatus,
        by: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let n = self
            .conn
            .execute(
                "UPDATE blocked_actions SET status = ?2, decided_by = COALESCE(?3, decided_by), \
                 decided_at = ?4 WHERE id = ?1",
                params![id, status.as_str(), by, fmt_time(at)],
            )
            .ctx("deciding a blocked action")?;
        if n == 0 {
            return Err(Error::NotFound {
                what: "blocked action",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    fn cancel_blocked(&self, system: &str, at: DateTime<Utc>) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE blocked_actions SET status = 'cancelled', decided_at = ?2 \
                 WHERE system = ?1 AND status = 'blocked'",
                params![system, fmt_time(at)],
            )
            .ctx("cancelling blocked actions")
    }

    fn cancel_blocked_of(
        &self,
        system: &str,
        persons: &[String],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE blocked_actions SET status = 'cancelled', decided_at = ?3 \
                 WHERE system = ?1 AND person = ?2 AND status = 'blocked'",
            )
            .ctx("cancelling blocked actions")?;
        let mut n = 0;
        for person in persons {
            n += stmt
                .execute(params![system, person, fmt_time(at)])
                .ctx("cancelling blocked actions")?;
        }
        Ok(n)
    }
}
