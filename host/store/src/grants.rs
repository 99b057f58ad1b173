//! Manual grants: entitlements an operator gave a person outside the role model, each with a
//! reason, an author and perhaps an end.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tessera_domain::EntitlementRef;

use crate::Result;

/// A manual grant as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualGrant {
    /// Id operators withdraw it by.
    pub id: i64,
    /// The person.
    pub person: String,
    /// The target system.
    pub system: String,
    /// The entitlement granted.
    pub entitlement: EntitlementRef,
    /// Why; never empty.
    pub reason: String,
    /// Who granted it.
    pub author: String,
    /// Last day it holds, if it expires.
    pub until: Option<NaiveDate>,
    /// When it was granted.
    pub created_at: DateTime<Utc>,
    /// When it was withdrawn.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who withdrew it.
    pub revoked_by: Option<String>,
    /// Who approved it: its author unless four eyes were asked for, then a second person.
    #[serde(default)]
    pub approved_by: Option<String>,
}

impl ManualGrant {
    /// Whether the grant holds on `today`: approved, not withdrawn, not expired.
    pub fn holds_on(&self, today: NaiveDate) -> bool {
        self.approved_by.is_some()
            && self.revoked_at.is_none()
            && self.until.is_none_or(|u| today <= u)
    }

    /// Whether it waits for a second person's approval.
    pub fn awaits_approval(&self) -> bool {
        self.approved_by.is_none() && self.revoked_at.is_none()
    }
}

/// A manual grant to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGrant {
    /// The person.
    pub person: String,
    /// The target system.
    pub system: String,
    /// The entitlement.
    pub entitlement: EntitlementRef,
    /// Why; must not be blank.
    pub reason: String,
    /// Who grants it.
    pub author: String,
    /// Last day it holds.
    pub until: Option<NaiveDate>,
    /// Whether a second person must approve it before it holds (four eyes).
    pub needs_approval: bool,
}

/// Manual grants, withdrawn ones kept.
pub trait ManualGrants {
    /// Records a manual grant; refuses one without a reason.
    fn add_grant(&self, grant: &NewGrant, at: DateTime<Utc>) -> Result<i64>;

    /// Withdraws a manual grant.
    fn revoke_grant(&self, id: i64, by: &str, at: DateTime<Utc>) -> Result<ManualGrant>;

    /// Records a second person's approval of a grant that waits for one.
    fn approve_grant(&self, id: i64, by: &str, at: DateTime<Utc>) -> Result<ManualGrant>;

    /// One manual grant, withdrawn or not.
    fn grant(&self, id: i64) -> Result<ManualGrant>;

    /// Manual grants, ordered by id; withdrawn ones only with `include_revoked`.
    fn grants(&self, include_revoked: bool) -> Result<Vec<ManualGrant>>;
}
