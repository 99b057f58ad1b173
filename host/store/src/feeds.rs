//! Change-feed cursors: where each system's feed stands. A cursor is stored in the same unit
//! of writes as what the changes it covers did to the store, so a failed run rolls both back.

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
}
