//! Plugin state in SQLite.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::SqliteStore;
use crate::error::{Error, Result, SqlContext};
use crate::state::PluginState;

impl PluginState for SqliteStore {
    fn state_get(&self, plugin: &str, system: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row(
                "SELECT value FROM plugin_state WHERE plugin = ?1 AND system = ?2 AND key = ?3",
                params![plugin, system, key],
                |row| row.get(0),
            )
            .optional()
            .ctx("reading plugin state")
    }

    fn state_set(
        &self,
        plugin: &str,
        system: &str,
        key: &str,
        value: &[u8],
        limit_bytes: usize,
    ) -> Result<()> {
        // Immediate: the size check and the write must see the same scope.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .ctx("starting a state write")?;
        // CAST: SQLite's length() counts characters in text, and the limit is in bytes.
        let others: i64 = tx
            .query_row(
                "SELECT COALESCE(SUM(length(CAST(key AS BLOB)) + length(value)), 0) \
                 FROM plugin_state WHERE plugin = ?1 AND system = ?2 AND key <> ?3",
                params![plugin, system, key],
                |row| row.get(0),
            )
            .ctx("measuring plugin state")?;
        let used = usize::try_from(others).unwrap_or(usize::MAX) + key.len() + value.len();
        if used > limit_bytes {
            return Err(Error::StateTooLarge {
                plugin: plugin.to_owned(),
                system: system.to_owned(),
                used,
                limit: limit_bytes,
            });
        }
        tx.execute(
            "INSERT INTO plugin_state (plugin, system, key, value) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (plugin, system, key) DO UPDATE SET value = excluded.value",
            params![plugin, system, key, value],
        )
        .ctx("writing plugin state")?;
        tx.commit().ctx("writing plugin state")
    }

    fn state_delete(&self, plugin: &str, system: &str, key: &str) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "DELETE FROM plugin_state WHERE plugin = ?1 AND system = ?2 AND key = ?3",
                params![plugin, system, key],
            )
            .ctx("deleting plugin state")?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_at_its_exact_boundary() {
        let store = SqliteStore::open_in_memory().expect("open");
        // "cursor" (6) + 10 bytes, then "é" (2 bytes, 1 character) + 2 bytes: 20 in all.
        store
            .state_set("p", "s", "cursor", &[7; 10], 20)
            .expect("16 of 20");
        store
            .state_set("p", "s", "é", b"ab", 20)
            .expect("exactly 20");
        let err = store
            .state_set("p", "s", "é", b"abc", 20)
            .expect_err("21 of 20");
        assert!(matches!(
            err,
            Error::StateTooLarge {
                used: 21,
                limit: 20,
                ..
            }
        ));
        let text = err.to_string();
        assert!(text.contains("21") && text.contains("20"), "{text}");
        assert_eq!(
            store.state_get("p", "s", "é").expect("get"),
            Some(b"ab".to_vec())
        );
        // Replacing a value counts only the new one.
        store
            .state_set("p", "s", "cursor", &[1; 10], 20)
            .expect("replace");
        assert!(store.state_delete("p", "s", "é").expect("delete"));
        assert!(!store.state_delete("p", "s", "é").expect("delete again"));
        store
            .state_set("p", "s", "x", b"abc", 20)
            .expect("room again");
    }

    #[test]
    fn state_is_scoped_per_plugin_and_system() {
        let store = SqliteStore::open_in_memory().expect("open");
        store.state_set("p", "s1", "k", b"one", 10).expect("set");
        store.state_set("p", "s2", "k", b"two", 10).expect("set");
        store.state_set("q", "s1", "k", b"three", 10).expect("set");
        assert_eq!(
            store.state_get("p", "s1", "k").expect("get"),
            Some(b"one".to_vec())
        );
        assert_eq!(
            store.state_get("p", "s2", "k").expect("get"),
            Some(b"two".to_vec())
        );
        assert_eq!(
            store.state_get("q", "s1", "k").expect("get"),
            Some(b"three".to_vec())
        );
        assert_eq!(store.state_get("q", "s2", "k").expect("get"), None);
        // Each scope has its own budget: q/s1 uses 6 of 10 whatever p stores.
        store
            .state_set("q", "s1", "j", b"abcd", 10)
            .expect_err("q/s1 is full");
        store
            .state_set("q", "s2", "j", b"abcd", 10)
            .expect("q/s2 is empty");
    }
}
