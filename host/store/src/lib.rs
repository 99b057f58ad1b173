//! Tessera's state: persons and their history, shadows, the desired state, plans and the apply
//! journal, approvals, manual grants, the hash-chained audit log, secrets, plugin state and
//! the run lock.
//!
//! Each part is a trait ([`Persons`], [`Shadows`], [`DesiredState`], [`Plans`], [`Approvals`],
//! [`ManualGrants`], [`AuditLog`], [`Secrets`], [`PluginState`], [`RunLock`], [`Feeds`],
//! [`RunHistory`], [`Tickets`]), and [`Store`]
//! is all of them: the engine and the sync take a `&dyn Store` and never name a backend.
//! [`SqliteStore`] is the embedded default. Logic that must be the same for every backend
//! (the audit chain's hashing and verification, the sealing of secrets) lives beside the
//! traits, not in a backend. The store holds no business logic: the engine decides, the store
//! keeps.

mod approvals;
mod audit;
mod checkpoint;
mod console;
mod desired;
mod error;
mod feeds;
mod grants;
mod persons;
mod plans;
mod reviews;
mod run_lock;
mod runs;
mod secrets;
mod shadows;
mod sqlite;
mod state;
mod tickets;

use chrono::{DateTime, SecondsFormat, Utc};

pub use approvals::{Approvals, BlockedAction, BlockedStatus, NewBlockedAction};
pub use audit::{
    AuditEntry, AuditFilter, AuditLog, AuditRecord, ChainBreak, ExportFormat, StoredEntry,
    Verified, audit_csv,
};
pub use checkpoint::{Checkpoint, CheckpointKey, CheckpointKind, CheckpointVerifier};
pub use console::{ConsoleSession, ConsoleUser, ConsoleUsers};
pub use desired::{DesiredBasis, DesiredState};
pub use error::{Error, Result};
pub use feeds::Feeds;
pub use grants::{ManualGrant, ManualGrants, NewGrant};
pub use persons::{
    HistoryRow, ImportCommit, Merge, PersonChange, Persons, RecordDigest, RunCounts, SourceRecord,
    SourceRun, Upsert,
};
pub use plans::{JournalEntry, JournalState, PlanHeader, PlanJson, PlanStatus, Plans};
pub use reviews::{DeviationReview, DeviationReviews, NewReview, ReviewVerdict};
pub use run_lock::{RunLease, RunLock};
pub use runs::{RunHistory, RunRecord};
pub use secrets::{SecretInfo, Secrets, VaultKey};
pub use shadows::{Shadow, ShadowSync, Shadows};
pub use sqlite::{SCHEMA_VERSION, SqliteStore};
pub use state::PluginState;
pub use tickets::{FollowUpTicket, Tickets};

/// Everything Tessera keeps, from one backend: a backend implements each part and says
/// `impl Store for MyBackend {}`.
pub trait Store:
    Persons
    + Shadows
    + DesiredState
    + Plans
    + Approvals
    + ManualGrants
    + AuditLog
    + Secrets
    + PluginState
    + RunLock
    + Feeds
    + RunHistory
    + DeviationReviews
    + ConsoleUsers
    + Units
    + Tickets
{
}

/// Every store trait, for `use tessera_store::prelude::*`: calling a part's methods on a
/// `&dyn Store` needs the part's trait in scope.
pub mod prelude {
    pub use crate::{
        Approvals, AuditLog, ConsoleUsers, DesiredState, DeviationReviews, Feeds, ManualGrants,
        Persons, Plans, PluginState, RunHistory, RunLock, Secrets, Shadows, Store, Tickets, Units,
    };
}

/// Units of writes: everything in one is committed together, or nothing is.
pub trait Units {
    /// Begins a unit; inside another unit it nests. Dropped without
    /// [`UnitGuard::commit`], it is undone.
    fn begin_unit(&self) -> Result<Box<dyn UnitGuard + '_>>;
}

/// An open unit of writes.
pub trait UnitGuard {
    /// Commits the unit (or, nested, makes it part of the outer one).
    fn commit(self: Box<Self>) -> Result<()>;
}

impl dyn Store + '_ {
    /// Runs `f` as one unit of writes: everything in it is committed together, or nothing is,
    /// also when `f` fails, panics or the commit itself fails. Units nest, so store calls
    /// that are units can be combined into a larger one.
    pub fn atomically<T, E: From<Error>>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let unit = self.begin_unit()?;
        let value = f()?;
        unit.commit()?;
        Ok(value)
    }
}

/// How instants are written: fixed width, so text order is time order.
pub(crate) fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads an instant written by [`fmt_time`].
pub(crate) fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })
}
