//! The run lock in SQLite: one row, taken and released in immediate transactions.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, fmt_time};
use crate::error::{Error, Result, SqlContext};
use crate::run_lock::{Holder, RunLease, RunLock};

impl RunLock for SqliteStore {
    fn lock_runs(&self, what: &str, now: DateTime<Utc>) -> Result<RunLease> {
        self.atomically(|| {
            let held: Option<(String, Holder, String)> = self
                .conn
                .query_row(
                    "SELECT what, host, pid, process_start, since FROM run_lock WHERE id = 1",
                    [],
                    |row| {
                        let holder = Holder {
                            host: row.get(1)?,
                            pid: row.get(2)?,
                            started: row.get::<_, Option<i64>>(3)?.map(|s| s as u64),
                        };
                        Ok((row.get(0)?, holder, row.get(4)?))
                    },
                )
                .optional()
                .ctx("reading the run lock")?;
            if let Some((what, holder, since)) = held.filter(|(_, h, _)| h.alive()) {
                return Err(Error::RunLocked {
                    holder: format!("`{what}` ({})", holder.describe()),
                    since,
                });
            }
            let me = Holder::current();
            let token = format!("{}:{}:{}", me.host, me.pid, fmt_time(now));
            self.conn
                .execute(
                    "INSERT OR REPLACE INTO run_lock (id, token, what, host, pid, process_start, \
                     since) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        token,
                        what,
                        me.host,
                        me.pid,
                        me.started.map(|s| s as i64),
                        fmt_time(now)
                    ],
                )
                .ctx("taking the run lock")?;
            Ok(RunLease { token })
        })
    }

    fn unlock_runs(&self, lease: &RunLease) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM run_lock WHERE id = 1 AND token = ?1",
                [&lease.token],
            )
            .ctx("releasing the run lock")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc::now()
    }

    #[test]
    fn a_second_run_is_refused_with_the_holder_until_the_first_ends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let first = SqliteStore::open(&path).expect("open");
        let second = SqliteStore::open(&path).expect("open");
        let lease = first.lock_runs("tessera sync", now()).expect("free");
        let err = second
            .lock_runs("tessera plan", now())
            .expect_err("held")
            .to_string();
        assert!(
            err.contains("`tessera sync`") && err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        first.unlock_runs(&lease).expect("unlock");
        let again = second.lock_runs("tessera plan", now()).expect("free again");
        // A stale lease releases nothing.
        second.unlock_runs(&lease).expect("stale unlock");
        assert!(first.lock_runs("tessera sync", now()).is_err());
        second.unlock_runs(&again).expect("unlock");
    }

    #[test]
    fn a_dead_holder_no_longer_holds_the_lock() {
        let store = SqliteStore::open_in_memory().expect("open");
        store.lock_runs("tessera sync", now()).expect("free");
        // As if the holder had been killed: its start time no longer matches its pid.
        store
            .execute_raw("UPDATE run_lock SET process_start = process_start + 1")
            .expect("age the holder");
        store
            .lock_runs("tessera sync", now())
            .expect("a dead holder's lock is taken over");
    }
}
