//! The desired state in SQLite: one JSON row per system and person.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, fmt_time};
use crate::desired::{DesiredBasis, DesiredState};
use crate::error::{JsonContext, Result, SqlContext};

impl DesiredState for SqliteStore {
    fn put_desired(&self, system: &str, person: &str, data: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO desired_state (system, person_id, data, computed_at) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (system, person_id) DO UPDATE \
                 SET data = excluded.data, computed_at = excluded.computed_at \
                 WHERE desired_state.data <> excluded.data",
            )
            .ctx("writing desired state")?
            .execute(params![system, person, data, fmt_time(at)])
            .ctx("writing desired state")?;
        Ok(())
    }

    fn remove_desired(&self, system: &str, person: &str) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM desired_state WHERE system = ?1 AND person_id = ?2")
            .ctx("removing desired state")?
            .execute(params![system, person])
            .ctx("removing desired state")?;
        Ok(())
    }

    fn desired_keys(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT system, person_id FROM desired_state")
            .ctx("reading desired state")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)));
        rows.ctx("reading desired state")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading desired state")
    }

    fn each_desired(
        &self,
        system: &str,
        each: &mut dyn FnMut(String, String) -> bool,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT person_id, data FROM desired_state WHERE system = ?1 ORDER BY person_id",
            )
            .ctx("reading desired state")?;
        let mut rows = stmt.query([system]).ctx("reading desired state")?;
        while let Some(row) = rows.next().ctx("reading desired state")? {
            let person = row.get(0).ctx("reading desired state")?;
            let data = row.get(1).ctx("reading desired state")?;
            if !each(person, data) {
                break;
            }
        }
        Ok(())
    }

    fn desired_of(&self, system: &str, person: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached("SELECT data FROM desired_state WHERE system = ?1 AND person_id = ?2")
            .ctx("reading desired state")?
            .query_row([system, person], |row| row.get(0))
            .optional()
            .ctx("reading desired state")
    }

    fn basis(&self) -> Result<Option<DesiredBasis>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM store_meta WHERE key = 'desired_basis'",
                [],
                |row| row.get(0),
            )
            .optional()
            .ctx("reading the desired basis")?;
        text.map(|t| serde_json::from_str(&t).table("store_meta"))
            .transpose()
    }

    fn set_basis(&self, basis: &DesiredBasis) -> Result<()> {
        let text = serde_json::to_string(basis).table("store_meta")?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('desired_basis', ?1)",
                [text],
            )
            .ctx("writing the desired basis")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn computed_at(store: &SqliteStore) -> Vec<String> {
        let mut stmt = store
            .conn
            .prepare("SELECT computed_at FROM desired_state ORDER BY person_id")
            .expect("query");
        let rows = stmt.query_map([], |r| r.get(0)).expect("rows");
        rows.collect::<rusqlite::Result<_>>().expect("read")
    }

    #[test]
    fn unchanged_rows_keep_their_time_and_removed_rows_go() {
        let store = SqliteStore::open_in_memory().expect("open");
        let t1 = "2026-11-01T12:00:00Z".parse().expect("t1");
        let t2 = "2026-11-02T12:00:00Z".parse().expect("t2");
        store.put_desired("ad", "p1", "{\"a\":1}", t1).expect("put");
        store.put_desired("ad", "p2", "{\"a\":2}", t1).expect("put");
        store
            .put_desired("ad", "p1", "{\"a\":1}", t2)
            .expect("same");
        store
            .put_desired("ad", "p2", "{\"a\":3}", t2)
            .expect("changed");
        let times = computed_at(&store);
        assert!(times[0].starts_with("2026-11-01"), "{times:?}");
        assert!(times[1].starts_with("2026-11-02"), "{times:?}");
        store.remove_desired("ad", "p1").expect("remove");
        let mut rows = Vec::new();
        store
            .each_desired("ad", &mut |person, data| {
                rows.push((person, data));
                true
            })
            .expect("read");
        assert_eq!(rows, [("p2".to_owned(), "{\"a\":3}".to_owned())]);
        assert_eq!(
            store.desired_keys().expect("keys"),
            [("ad".to_owned(), "p2".to_owned())]
        );
    }
}
