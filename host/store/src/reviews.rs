//! Reviewers' decisions on deviations: revoke one now, or leave it alone until a day. A later
//! decision on the same right replaces the earlier one; withdrawn decisions are kept.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tessera_domain::EntitlementRef;

use crate::Result;

/// What a reviewer decided about a deviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewVerdict {
    /// Take the right away at the next plan, whatever the system's deviation policy.
    Revoke,
    /// Leave it alone, and stop listing it as open, until the review's last day.
    Exclude,
}

impl ReviewVerdict {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revoke => "revoke",
            Self::Exclude => "exclude",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "revoke" => Some(Self::Revoke),
            "exclude" => Some(Self::Exclude),
            _ => None,
        }
    }
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    /// The target system.
    pub system: String,
    /// The account key.
    pub account: String,
    /// The right held without a reason.
    pub entitlement: EntitlementRef,
    /// The decision.
    pub verdict: ReviewVerdict,
    /// Why; never empty.
    pub reason: String,
    /// Who decided.
    pub by: String,
    /// The last day an exclusion holds.
    pub until: Option<NaiveDate>,
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviationReview {
    /// Its id.
    pub id: i64,
    /// The target system.
    pub system: String,
    /// The account key.
    pub account: String,
    /// The right.
    pub entitlement: EntitlementRef,
    /// The decision.
    pub verdict: ReviewVerdict,
    /// Why.
    pub reason: String,
    /// Who decided.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The last day an exclusion holds.
    pub until: Option<NaiveDate>,
}

impl DeviationReview {
    /// Whether the decision still holds on `today` (a revoke holds until it is carried out).
    pub fn holds_on(&self, today: NaiveDate) -> bool {
        self.until.is_none_or(|u| today <= u)
    }

    /// Whether it is about this right of this account.
    pub fn concerns(&self, account: &str, entitlement: &EntitlementRef) -> bool {
        self.account == account && &self.entitlement == entitlement
    }

    /// The decision in force on `entitlement` of `account` in `system` today, among
    /// `reviews` in the order they were made: the newest one that still holds.
    pub fn in_force<'r>(
        reviews: &'r [DeviationReview],
        (system, account, entitlement): (&str, &str, &EntitlementRef),
        today: NaiveDate,
    ) -> Option<&'r DeviationReview> {
        reviews
            .iter()
            .rev()
            .find(|r| r.system == system && r.concerns(account, entitlement) && r.holds_on(today))
    }
}

/// Reviewers' decisions on deviations.
pub trait DeviationReviews {
    /// Records a decision, withdrawing any earlier one on the same right; refuses one
    /// without a reason.
    fn add_review(&self, review: &NewReview, at: DateTime<Utc>) -> Result<i64>;

    /// The decisions in force (not withdrawn), of one system or all, by id.
    fn reviews(&self, system: Option<&str>) -> Result<Vec<DeviationReview>>;
}
