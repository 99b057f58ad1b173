//! The embedded backend: one SQLite file through rusqlite, in WAL mode.
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

mod approvals;
mod audit;
mod console;
mod desired;
mod feeds;
mod grants;
mod migrations;
mod pending;
mod persons;
mod plans;
mod reviews;
mod run_lock;
mod secrets;
mod shadows;
mod state;
mod tickets;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use migrations::SCHEMA_VERSION;

use crate::error::{Error, Result, SqlContext};
use crate::{UnitGuard, Units};
pub(crate) use crate::{fmt_time, parse_time};

/// A store in one SQLite file (or in memory).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
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
        unit.finish()?;
        Ok(value)
    }

    /// Runs raw SQL; for tests that need to corrupt or inspect the file.
    #[doc(hidden)]
    pub fn execute_raw(&self, sql: &str) -> Result<usize> {
        self.conn.execute(sql, []).ctx("running raw SQL")
    }
}

impl crate::Store for SqliteStore {}

impl Units for SqliteStore {
    fn begin_unit(&self) -> Result<Box<dyn UnitGuard + '_>> {
        Ok(Box::new(Unit::begin(&self.conn)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrate_twice() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let first = SqliteStore::open(&path).expect("first open");
        assert_eq!(first.schema_version().expect("version"), SCHEMA_VERSION);
        drop(first);
        let second = SqliteStore::open(&path).expect("second open");
        assert_eq!(second.schema_version().expect("version"), SCHEMA_VERSION);
        let memory = SqliteStore::open_in_memory().expect("memory");
        assert_eq!(memory.schema_version().expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn newer_schema_is_refused_with_both_versions_and_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("new.db");
        let store = SqliteStore::open(&path).expect("open");
        store
            .conn
            .execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 3))
            .expect("bump");
        drop(store);
        let err = SqliteStore::open(&path).expect_err("must refuse");
        let text = err.to_string();
        assert!(matches!(err, Error::NewerSchema { found, .. } if found == SCHEMA_VERSION + 3));
        assert!(text.contains("new.db"), "{text}");
        assert!(text.contains(&(SCHEMA_VERSION + 3).to_string()), "{text}");
        assert!(text.contains(&format!("up to {SCHEMA_VERSION}")), "{text}");
    }

    #[test]
    fn foreign_keys_are_enforced() {
        let store = SqliteStore::open_in_memory().expect("open");
        let result = store.execute_raw(
            "INSERT INTO contracts (person_id, id, data) VALUES ('nobody', 'c1', '{}')",
        );
        assert!(result.is_err());
    }
}

/// An open unit of [`SqliteStore::atomically`]; dropped without [`Unit::finish`], it is undone.
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

    fn finish(mut self) -> Result<()> {
        let sql = if self.outer { "COMMIT" } else { "RELEASE unit" };
        self.conn.execute_batch(sql).ctx("committing a write")?;
        self.done = true;
        Ok(())
    }
}

impl UnitGuard for Unit<'_> {
    fn commit(self: Box<Self>) -> Result<()> {
        (*self).finish()
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

    fn count(store: &SqliteStore) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("count")
    }

    fn insert(store: &SqliteStore, x: i64) -> Result<()> {
        store
            .conn
            .execute("INSERT INTO t VALUES (?1)", [x])
            .ctx("inserting")?;
        Ok(())
    }

    #[test]
    fn a_unit_commits_whole_or_not_at_all_and_nests() {
        let store = SqliteStore::open_in_memory().expect("store");
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
