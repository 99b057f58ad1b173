//! Stored plans and the apply journal.
//!
//! The journal is what makes apply safe to interrupt: a row is `started` before the connector
//! call and `done` or `failed` after it, so a later run knows exactly which calls may have been
//! in flight.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;

/// Writes a plan's JSON; see [`Plans::write_plan`].
pub type PlanJson<'a> = &'a dyn Fn(&mut dyn std::io::Write) -> serde_json::Result<()>;

/// Where a stored plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanStatus {
    /// Saved, not yet applied.
    Open,
    /// Its apply started; until it is finished, a crash left work in the journal.
    Applying,
    /// Every operation is done or failed.
    Finished,
}

impl PlanStatus {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Applying => "applying",
            Self::Finished => "finished",
        }
    }
}

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
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
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

/// A stored plan, without its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanHeader {
    /// Its id.
    pub id: i64,
    /// The system.
    pub system: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// `open`, `applying` or `finished`.
    pub status: String,
    /// Whether it covers every person (a full run), not some.
    pub whole: bool,
}

/// Plans and the journal of their apply.
pub trait Plans {
    /// Adds a plan without its JSON yet and returns its id; `whole` when it covers every
    /// person. Give it its JSON with [`Plans::write_plan`] in the same unit of writes.
    fn add_plan(&self, system: &str, at: DateTime<Utc>, whole: bool) -> Result<i64>;

    /// A stored plan's JSON.
    fn plan(&self, id: i64) -> Result<String>;

    /// Writes (or replaces) a stored plan's JSON. `json` is called twice, to measure and
    /// then to write, and must write the same bytes both times: the JSON streams into the
    /// file, so a take-over's plan of tens of MiB is never held as a string beside SQLite's
    /// copy of it.
    fn write_plan(&self, id: i64, json: PlanJson<'_>) -> Result<()>;

    /// Marks a plan `open`, `applying` or `finished`.
    fn set_plan_status(&self, id: i64, status: PlanStatus) -> Result<()>;

    /// The newest plans, of one system or all, newest first; `whole_only` leaves out plans
    /// of some persons (incremental runs).
    fn recent_plans(
        &self,
        system: Option<&str>,
        whole_only: bool,
        limit: usize,
    ) -> Result<Vec<PlanHeader>>;

    /// Plans of a system whose apply began but did not finish, oldest first.
    fn unfinished_plans(&self, system: &str) -> Result<Vec<i64>>;

    /// Writes a journal row for an operation, before or after its call.
    fn journal(
        &self,
        plan_id: i64,
        seq: usize,
        state: JournalState,
        op: &str,
        result: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// The journal of a plan, in plan order.
    fn journal_entries(&self, plan_id: i64) -> Result<Vec<JournalEntry>>;

    /// The persons with an operation that failed in the system's newest finished plan: the
    /// next run, however narrow, plans them again.
    fn failed_persons(&self, system: &str) -> Result<Vec<String>>;
}
