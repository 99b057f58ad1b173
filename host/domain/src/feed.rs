//! Change feeds: what a source or target says changed since an opaque cursor, so a run reads
//! the changes instead of everything.
//!
//! A cursor is the connector's own bytes (an AD DirSync cookie, an RFC 4533 cookie, a Graph
//! delta link, a generation number); the engine only stores it, in the same transaction as
//! what the changes did to its store, and hands it back. `read_changes(None)` starts a feed:
//! it returns a cursor and no changes. The engine asks a target for that cursor before it lists
//! the target in full, so nothing that changes during the listing is lost, and a source after
//! its full read, since a source may take its view of "now" from that read. A cursor the far
//! side no longer honours (expired, the directory restored from backup, state lost) is
//! [`ConnectorError::CursorInvalid`](crate::ConnectorError::CursorInvalid); the engine then
//! reads in full and starts a new feed.

use serde::{Deserialize, Serialize};

use crate::{Account, Entitlement, Membership, Person, Warning};

/// An opaque position in a change feed.
pub type Cursor = Vec<u8>;

/// What a connector's change feed can tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedInfo {
    /// Removed persons or accounts are reported. Without this, only a full read finds them.
    pub sees_deletes: bool,
    /// Changed accounts may carry only the attributes that changed; the engine merges them
    /// into what it knows, or re-reads the account with `get_account`.
    pub partial_attributes: bool,
}

/// A source's changes since a cursor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceChanges {
    /// Persons new or changed since the cursor, each whole.
    pub persons: Vec<Person>,
    /// Source ids of persons gone since the cursor.
    pub removed: Vec<String>,
    /// Skipped or repaired records.
    pub warnings: Vec<Warning>,
    /// Where the next call continues.
    pub cursor: Cursor,
    /// More changes wait: call again with `cursor` before the feed is caught up.
    pub more: bool,
}

/// A target's changes since a cursor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetChanges {
    /// Accounts new or changed since the cursor (whole, unless the feed says
    /// [`FeedInfo::partial_attributes`]).
    pub accounts: Vec<Account>,
    /// Keys of accounts gone since the cursor.
    pub removed: Vec<String>,
    /// Memberships added since the cursor.
    pub granted: Vec<Membership>,
    /// Memberships removed since the cursor.
    pub revoked: Vec<Membership>,
    /// Catalogue entries new or changed since the cursor.
    pub entitlements: Vec<Entitlement>,
    /// Where the next call continues.
    pub cursor: Cursor,
    /// More changes wait: call again with `cursor` before the feed is caught up.
    pub more: bool,
}
