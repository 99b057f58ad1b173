//! The desired state: what the role model gives each person in each system, as last computed,
//! one serialised row per system and person. The plan reads it back instead of computing it
//! again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;

/// What the stored desired state was computed from: the day (states and windows depend on
/// it) and a fingerprint of the role model and manual grants. When either differs, every
/// person's desired state is computed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredBasis {
    /// The day it was computed for.
    pub day: NaiveDate,
    /// A digest of the role model and manual grants it was computed with.
    pub fingerprint: String,
}

/// The desired-state snapshot.
pub trait DesiredState {
    /// Writes one person's desired state in one system. An unchanged row is left alone,
    /// computed time included: on a day when nothing changed, rewriting every row was the
    /// largest cost of a re-plan.
    fn put_desired(&self, system: &str, person: &str, data: &str, at: DateTime<Utc>) -> Result<()>;

    /// Removes one person's desired state in one system.
    fn remove_desired(&self, system: &str, person: &str) -> Result<()>;

    /// The (system, person) of every stored row.
    fn desired_keys(&self) -> Result<Vec<(String, String)>>;

    /// Hands each row of one system's snapshot to `each` as it is read, ordered by person id,
    /// until `each` returns `false`: a hospital's snapshot is some 100 MB of text, too much
    /// to hold at once.
    fn each_desired(
        &self,
        system: &str,
        each: &mut dyn FnMut(String, String) -> bool,
    ) -> Result<()>;

    /// One person's desired state in one system.
    fn desired_of(&self, system: &str, person: &str) -> Result<Option<String>>;

    /// What the stored desired state was computed from, if it was.
    fn basis(&self) -> Result<Option<DesiredBasis>>;

    /// Records what the stored desired state was computed from.
    fn set_basis(&self, basis: &DesiredBasis) -> Result<()>;
}
