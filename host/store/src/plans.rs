//! Stored plans, the apply journal and blocked actions.
//!
//! The journal is what makes apply safe to interrupt: a row is `started` before the connector
//! call and `done` or `failed` after it, so a later run knows exactly which calls may have been
//! in flight.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, SqlContext};
use crate::{Store, fmt_time};

/// Where one journalled operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JournalState {
    /// Written before the call; the call may or may not have happened.
    Started,
    /// The call took effect (or its effect was already there).
    Done,
    /// The call failed and will not be repeated in this plan.
    Failed,
}

impl JournalState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => Self::Started,
        }
    }
}

/// One journalled operation.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    /// The plan.
    pub plan_id: i64,
    /// The operation's index in the plan.
    pub seq: usize,
    /// Where it stands.
    pub state: JournalState,
    /// The operation as JSON.
    pub op: String,
    /// What came back (account key, error) as JSON.
    pub result: Option<String>,
}

/// Where a blocked action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockedStatus {
    /// Waiting for an operator.
    Blocked,
    /// Approved; the next plan lets it through.
    Approved,
    /// Superseded by a later plan.
    Cancelled,
    /// Approved and carried out.
    Done,
}

impl BlockedStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Blocked => "blocked",
            Self::Approved => "approved",
            Self::Cancelled => "cancelled",
            Self::Done => "done",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "approved" => Self::Approved,
            "cancelled" => Self::Cancelled,
            "done" => Self::Done,
            _ => Self::Blocked,
        }
    }
}

/// An action a target threshold held back.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockedAction {
    /// Id operators approve by.
    pub id: i64,
    /// The target system.
    pub system: String,
    /// The plan that blocked it.
    pub plan_id: Option<i64>,
    /// The action type (`create`, `revoke`, …).
    pub action: String,
    /// A stable key identifying the operation across plans.
    pub op_key: String,
    /// The operation as JSON.
    pub op: String,
    /// Which threshold tripped.
    pub reason: String,
    /// Where it stands.
    pub status: BlockedStatus,
    /// Who approved it.
    pub decided_by: Option<String>,
}

/// A blocked action to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBlockedAction {
    /// The target system.
    pub system: String,
    /// The plan that blocked it.
    pub plan_id: Option<i64>,
    /// The action type.
    pub action: String,
    /// Stable operation key.
    pub op_key: String,
    /// The operation as JSON.
    pub op: String,
    /// Which threshold tripped.
    pub reason: String,
}

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
    })
}

impl Store {
    /// Stores a plan as JSON and returns its id.
    pub fn save_plan(&self, system: &str, at: DateTime<Utc>, data: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO plans (system, created_at, status, data) VALUES (?1, ?2, 'open', ?3)",
                params![system, fmt_time(at), data],
            )
            .ctx("saving a plan")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A stored plan's JSON.
    pub fn plan(&self, id: i64) -> Result<String> {
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

    /// Replaces a stored plan's JSON (to add ids learnt while saving it).
    pub fn update_plan(&self, id: i64, data: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE plans SET data = ?2 WHERE id = ?1",
                params![id, data],
            )
            .ctx("updating a plan")?;
        Ok(())
    }

    /// Marks a plan `open`, `applying` or `finished`.
    pub fn set_plan_status(&self, id: i64, status: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE plans SET status = ?2 WHERE id = ?1",
                params![id, status],
            )
            .ctx("updating a plan")?;
        Ok(())
    }

    /// Plans of a system whose apply began but did not finish, oldest first.
    pub fn unfinished_plans(&self, system: &str) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM plans WHERE system = ?1 AND status = 'applying' ORDER BY id",
            )
            .ctx("reading plans")?;
        let rows = stmt.query_map([system], |row| row.get(0));
        rows.ctx("reading plans")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading plans")
    }

    /// Writes a journal row for an operation, before or after its call.
    pub fn journal(
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

    /// The journal of a plan, in plan order.
    pub fn journal_entries(&self, plan_id: i64) -> Result<Vec<JournalEntry>> {
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

    /// Records a blocked action and returns its id.
    pub fn add_blocked(&self, new: &NewBlockedAction, at: DateTime<Utc>) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO blocked_actions (system, plan_id, action, op_key, op, reason, \
                 status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'blocked', ?7)",
                params![
                    new.system,
                    new.plan_id,
                    new.action,
                    new.op_key,
                    new.op,
                    new.reason,
                    fmt_time(at)
                ],
            )
            .ctx("recording a blocked action")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Blocked actions of a system (all systems with `None`) in the given status.
    pub fn blocked_actions(
        &self,
        system: Option<&str>,
        status: BlockedStatus,
    ) -> Result<Vec<BlockedAction>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, system, plan_id, action, op_key, op, reason, status, decided_by \
                 FROM blocked_actions WHERE (?1 IS NULL OR system = ?1) AND status = ?2 \
                 ORDER BY id",
            )
            .ctx("reading blocked actions")?;
        let rows = stmt.query_map(params![system, status.as_str()], blocked_from_row);
        rows.ctx("reading blocked actions")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading blocked actions")
    }

    /// One blocked action.
    pub fn blocked_action(&self, id: i64) -> Result<BlockedAction> {
        self.conn
            .query_row(
                "SELECT id, system, plan_id, action, op_key, op, reason, status, decided_by \
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

    /// Moves a blocked action to a new status, recording who decided.
    pub fn decide_blocked(
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

    /// Cancels every still-blocked action of a system; a new plan re-blocks what still trips.
    pub fn cancel_blocked(&self, system: &str, at: DateTime<Utc>) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE blocked_actions SET status = 'cancelled', decided_at = ?2 \
                 WHERE system = ?1 AND status = 'blocked'",
                params![system, fmt_time(at)],
            )
            .ctx("cancelling blocked actions")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_rows_move_from_started_to_done() {
        let store = Store::open_in_memory().expect("open");
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
