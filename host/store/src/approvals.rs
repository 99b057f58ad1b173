//! Approvals: the actions a target threshold held back, and the operators' decisions on them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;

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
    /// Refused by an operator; a later plan that still trips the threshold asks again.
    Rejected,
}

impl BlockedStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Blocked => "blocked",
            Self::Approved => "approved",
            Self::Cancelled => "cancelled",
            Self::Done => "done",
            Self::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "approved" => Self::Approved,
            "cancelled" => Self::Cancelled,
            "done" => Self::Done,
            "rejected" => Self::Rejected,
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
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The person the operation is for, when it is for one.
    pub person: Option<String>,
}

/// A blocked action to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBlockedAction {
    /// The target system.
    pub system: String,
    /// The person the operation is for, when it is for one.
    pub person: Option<String>,
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

/// Blocked actions and their approval.
pub trait Approvals {
    /// Records a blocked action and returns its id.
    fn add_blocked(&self, new: &NewBlockedAction, at: DateTime<Utc>) -> Result<i64>;

    /// Blocked actions of a system (all systems with `None`) in the given status.
    fn blocked_actions(
        &self,
        system: Option<&str>,
        status: BlockedStatus,
    ) -> Result<Vec<BlockedAction>>;

    /// One blocked action.
    fn blocked_action(&self, id: i64) -> Result<BlockedAction>;

    /// Moves a blocked action to a new status, recording who decided.
    fn decide_blocked(
        &self,
        id: i64,
        status: BlockedStatus,
        by: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Cancels every still-blocked action of a system; a new plan re-blocks what still trips.
    fn cancel_blocked(&self, system: &str, at: DateTime<Utc>) -> Result<usize>;

    /// Cancels the waiting blocked actions of some persons in a system (a plan that covered
    /// only them replaces theirs); returns how many.
    fn cancel_blocked_of(
        &self,
        system: &str,
        persons: &[String],
        at: DateTime<Utc>,
    ) -> Result<usize>;
}
