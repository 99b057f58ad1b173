//! Change-feed cursors: where each system's feed stands. A cursor is stored in the same unit
//! of writes as what the changes it covers did to the store, so a failed run rolls both back.
//!
//! What a feed (or an import) changed is also marked pending, in that same unit, until it has
//! been planned for: a run that dies between reading a change and planning it leaves the mark,
//! and the next run plans it, though the feed will not report it again.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::Result;

/// Feed cursors, by system and feed (`persons`, `accounts`).
pub trait Feeds {
    /// The cursor of a feed, if it was started.
    fn cursor(&self, system: &str, feed: &str) -> Result<Option<Vec<u8>>>;

    /// Stores a feed's cursor.
    fn set_cursor(&self, system: &str, feed: &str, cursor: &[u8], at: DateTime<Utc>) -> Result<()>;

    /// Forgets a feed's cursor; the next run reads in full.
    fn clear_cursor(&self, system: &str, feed: &str) -> Result<()>;

    /// Marks persons whose desired state and plans are still to be made.
    fn add_pending_persons(&self, persons: &[String]) -> Result<()>;

    /// The persons marked pending.
    fn pending_persons(&self) -> Result<BTreeSet<String>>;

    /// Clears the marks of these persons, or of everyone with `None`.
    fn clear_pending_persons(&self, persons: Option<&BTreeSet<String>>) -> Result<()>;

    /// Marks a target's accounts whose change is still to be planned for.
    fn add_pending_accounts(&self, system: &str, accounts: &[String]) -> Result<()>;

    /// A target's accounts marked pending.
    fn pending_accounts(&self, system: &str) -> Result<BTreeSet<String>>;

    /// Clears the marks of these accounts of a target, or of all its accounts with `None`.
    fn clear_pending_accounts(
        &self,
        system: &str,
        accounts: Option<&BTreeSet<String>>,
    ) -> Result<()>;
}
