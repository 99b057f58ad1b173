//! What each system's runs did, for health checks and the console: when, in which mode, and
//! how they ended.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;

/// One system's part in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The system.
    pub system: String,
    /// `full` or `incremental`.
    pub mode: String,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// `ok`, `blocked` or `failed`.
    pub status: String,
    /// Why it failed or what was blocked.
    pub notes: Vec<String>,
}

/// The runs of every system.
pub trait RunHistory {
    /// Records one system's part in a run.
    fn record_run(&self, run: &RunRecord) -> Result<i64>;

    /// When the system's last run that did not fail ended; of one mode (`full`), or any.
    fn last_success(&self, system: &str, mode: Option<&str>) -> Result<Option<DateTime<Utc>>>;

    /// The newest runs, of one system or all, newest first.
    fn recent_runs(&self, system: Option<&str>, limit: usize) -> Result<Vec<RunRecord>>;

    /// Forgets runs that ended before `before`, except each system's last success of each
    /// mode, which readiness checks and schedules need; returns how many went. A daemon polling every minute would
    /// otherwise keep half a million rows a year per system.
    fn forget_runs_before(&self, before: DateTime<Utc>) -> Result<usize>;
}
