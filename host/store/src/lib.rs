//! Tessera's state, kept in one SQLite file through rusqlite.
//!
//! The store holds the vault (persons, contracts, what each source last delivered and what
//! each import changed), the shadows (accounts, entitlements and memberships as last seen in
//! each target), desired state, plans and the apply journal, manual grants, blocked actions and
//! the hash-chained audit log. It holds no business logic: the engine decides, the store keeps.
//!
//! # Locking
//!
//! The file runs in WAL mode, so readers never wait for the writer. Every multi-row change is
//! one transaction; SQLite's own locks keep two processes from interleaving writes, and the
//! audit chain is extended inside an immediate transaction so two writers cannot fork it.
//!
//! # Compatibility
//!
//! Migrations only ever append (see [`SCHEMA_VERSION`]). A file written by a newer Tessera is
//! refused with [`Error::NewerSchema`] instead of being misread.

mod audit;
mod error;
mod grants;
mod migrations;
mod plans;
mod secrets;
mod shadows;
mod vault;

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;

pub use audit::{AuditEntry, AuditRecord, ChainBreak, ExportFormat};
pub use error::{Error, Result};
pub use grants::{ManualGrant, NewGrant};
pub use migrations::SCHEMA_VERSION;
pub use plans::{BlockedAction, BlockedStatus, JournalEntry, JournalState, NewBlockedAction};
pub use secrets::{SecretInfo, VaultKey};
pub use shadows::Shadow;
pub use vault::{
    HistoryRow, ImportCommit, PersonChange, RecordDigest, RunCounts, SourceRecord, SourceRun,
};

use error::SqlContext;

/// An open Tessera database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let conn = Connection::open(&path).ctx("opening the database")?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .ctx("switching to WAL")?;
        Self::prepare(conn, path)
    }

    /// An empty database in memory, for tests and dry runs.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory().ctx("opening an in-memory database")?;
        Self::prepare(conn, PathBuf::from(":memory:"))
    }

    fn prepare(mut conn: Connection, path: PathBuf) -> Result<Self> {
        conn.pragma_update(None, "foreign_keys", "ON")
            .ctx("enabling foreign keys")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .ctx("setting the busy timeout")?;
        migrations::migrate(&mut conn, &path)?;
        Ok(Self { conn, path })
    }

    /// The file this store lives in (`:memory:` for in-memory stores).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<u32> {
        self.conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .ctx("reading the schema version")
    }

    /// Runs `f` as one unit of writes: everything in it is committed together, or nothing is,
    /// also when `f` fails, panics or the commit itself fails. Units nest: inside another unit
    /// this one is a savepoint, so store calls that are units can be combined into a larger one.
    pub fn atomically<T, E: From<Error>>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let unit = Unit::begin(&self.conn)?;
        let value = f()?;
        unit.commit()?;
        Ok(value)
    }

    /// Runs raw SQL; for tests that need to corrupt or inspect the file.
    #[doc(hidden)]
    pub fn execute_raw(&self, sql: &str) -> Result<usize> {
        self.conn.execute(sql, []).ctx("running raw SQL")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrate_twice() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let first = Store::open(&path).expect("first open");
        assert_eq!(first.schema_version().expect("version"), SCHEMA_VERSION);
        drop(first);
        let second = Store::open(&path).expect("second open");
        assert_eq!(second.schema_version().expect("version"), SCHEMA_VERSION);
        let memory = Store::open_in_memory().expect("memory");
        assert_eq!(memory.schema_version().expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn newer_schema_is_refused_with_both_versions_and_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("new.db");
        let store = Store::open(&path).expect("open");
        store
            .conn
            .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 3))
            .expect("bump");
        drop(store);
        let err = Store::open(&path).expect_err("must refuse");
        let text = err.to_string();
        assert!(matches!(err, Error::NewerSchema { found, .. } if found == SCHEMA_VERSION + 3));
        assert!(text.contains("new.db"), "{text}");
        assert!(text.contains(&(SCHEMA_VERSION + 3).to_string()), "{text}");
        assert!(text.contains(&format!("up to {SCHEMA_VERSION}")), "{text}");
    }

    #[test]
    fn foreign_keys_are_enforced() {
        let store = Store::open_in_memory().expect("open");
        let result = store.execute_raw(
            "INSERT INTO contracts (person_id, id, data) VALUES ('nobody', 'c1', '{}')",
        );
        assert!(result.is_err());
    }
}

/// An open unit of [`Store::atomically`]; dropped without [`Unit::commit`], it is undone.
struct Unit<'c> {
    conn: &'c Connection,
    outer: bool,
    done: bool,
}

impl<'c> Unit<'c> {
    fn begin(conn: &'c Connection) -> Result<Self> {
        let outer = conn.is_autocommit();
        let sql = if outer {
            "BEGIN IMMEDIATE"
        } else {
            "SAVEPOINT unit"
        };
        conn.execute_batch(sql).ctx("starting a write")?;
        Ok(Self {
            conn,
            outer,
            done: false,
        })
    }

    fn commit(mut self) -> Result<()> {
        let sql = if self.outer { "COMMIT" } else { "RELEASE unit" };
        self.conn.execute_batch(sql).ctx("committing a write")?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Unit<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let sql = if self.outer {
            "ROLLBACK"
        } else {
            "ROLLBACK TO unit; RELEASE unit"
        };
        // Undoing after a failure: the failure is what the caller reports.
        drop(self.conn.execute_batch(sql));
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    fn count(store: &Store) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count")
    }

    fn insert(store: &Store, x: i64) -> Result<()> {
        store
            .conn
            .execute("INSERT INTO t VALUES (?1)", [x])
            .ctx("inserting")?;
        Ok(())
    }

    #[test]
    fn a_unit_commits_whole_or_not_at_all_and_nests() {
        let store = Store::open_in_memory().expect("store");
        store
            .execute_raw("CREATE TABLE t (x INTEGER)")
            .expect("table");
        let failed: Result<()> = store.atomically(|| {
            insert(&store, 1)?;
            Err(Error::MissingReason)
        });
        assert!(failed.is_err());
        assert_eq!(count(&store), 0, "a failed unit leaves nothing");
        store
            .atomically(|| {
                insert(&store, 1)?;
                let inner: Result<()> = store.atomically(|| {
                    insert(&store, 2)?;
                    Err(Error::MissingReason)
                });
                assert!(inner.is_err());
                insert(&store, 3)
            })
            .expect("outer unit");
        assert_eq!(count(&store), 2, "the inner unit alone was undone");
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<()> = store.atomically(|| {
                insert(&store, 4)?;
                panic!("a bug inside a unit");
            });
        }));
        assert!(panicked.is_err());
        assert!(store.conn.is_autocommit(), "no transaction is left open");
        assert_eq!(count(&store), 2);
        store
            .atomically(|| insert(&store, 5))
            .expect("the store still writes");
        assert_eq!(count(&store), 3);
    }
}
