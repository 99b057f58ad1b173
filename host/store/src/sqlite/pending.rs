//! Changes read but not yet planned for, in SQLite.

use std::collections::BTreeSet;

use rusqlite::params;

use super::SqliteStore;
use crate::error::{Result, SqlContext};

impl SqliteStore {
    pub(super) fn add_pending(&self, system: Option<&str>, keys: &[String]) -> Result<()> {
        self.atomically(|| {
            let mut stmt = match system {
                None => self
                    .conn
                    .prepare_cached("INSERT OR IGNORE INTO pending_persons (person) VALUES (?1)"),
                Some(_) => self.conn.prepare_cached(
                    "INSERT OR IGNORE INTO pending_accounts (system, account) VALUES (?1, ?2)",
                ),
            }
            .ctx("marking changes pending")?;
            for key in keys {
                match system {
                    None => stmt.execute(params![key]),
                    Some(system) => stmt.execute(params![system, key]),
                }
                .ctx("marking changes pending")?;
            }
            Ok(())
        })
    }

    pub(super) fn pending(&self, system: Option<&str>) -> Result<BTreeSet<String>> {
        let mut stmt = match system {
            None => self
                .conn
                .prepare_cached("SELECT person FROM pending_persons"),
            Some(_) => self
                .conn
                .prepare_cached("SELECT account FROM pending_accounts WHERE system = ?1"),
        }
        .ctx("reading pending changes")?;
        let rows = stmt.query_map(rusqlite::params_from_iter(system), |row| row.get(0));
        rows.ctx("reading pending changes")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading pending changes")
    }

    pub(super) fn clear_pending(
        &self,
        system: Option<&str>,
        keys: Option<&BTreeSet<String>>,
    ) -> Result<()> {
        let what = "clearing pending changes";
        self.atomically(|| {
            match (system, keys) {
                (None, None) => drop(
                    self.conn
                        .execute("DELETE FROM pending_persons", [])
                        .ctx(what)?,
                ),
                (Some(system), None) => drop(
                    self.conn
                        .execute("DELETE FROM pending_accounts WHERE system = ?1", [system])
                        .ctx(what)?,
                ),
                (None, Some(keys)) => {
                    let mut stmt = self
                        .conn
                        .prepare_cached("DELETE FROM pending_persons WHERE person = ?1")
                        .ctx(what)?;
                    for key in keys {
                        stmt.execute([key]).ctx(what)?;
                    }
                }
                (Some(system), Some(keys)) => {
                    let mut stmt = self
                        .conn
                        .prepare_cached(
                            "DELETE FROM pending_accounts WHERE system = ?1 AND account = ?2",
                        )
                        .ctx(what)?;
                    for key in keys {
                        stmt.execute([system, key]).ctx(what)?;
                    }
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;
    use crate::feeds::Feeds;

    fn set(keys: &[&str]) -> std::collections::BTreeSet<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn pending_marks_are_kept_per_kind_and_system_until_cleared() {
        let store = SqliteStore::open_in_memory().expect("open");
        store
            .add_pending_persons(&["p1".into(), "p2".into(), "p1".into()])
            .expect("mark");
        store
            .add_pending_accounts("ad", &["a1".into(), "a2".into()])
            .expect("mark");
        store
            .add_pending_accounts("hix", &["h1".into()])
            .expect("mark");
        assert_eq!(store.pending_persons().expect("read"), set(&["p1", "p2"]));
        store
            .clear_pending_persons(Some(&set(&["p1"])))
            .expect("clear");
        assert_eq!(store.pending_persons().expect("read"), set(&["p2"]));
        store
            .clear_pending_accounts("ad", Some(&set(&["a2"])))
            .expect("clear");
        assert_eq!(store.pending_accounts("ad").expect("read"), set(&["a1"]));
        store.clear_pending_accounts("ad", None).expect("clear");
        assert!(store.pending_accounts("ad").expect("read").is_empty());
        assert_eq!(store.pending_accounts("hix").expect("read"), set(&["h1"]));
        store.clear_pending_persons(None).expect("clear");
        assert!(store.pending_persons().expect("read").is_empty());
    }
}
