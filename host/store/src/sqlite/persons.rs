//! Persons in SQLite: source records, merged persons with their contracts, runs and history.

mod write;

use rusqlite::{OptionalExtension, params};
use tessera_domain::Person;

use super::{SqliteStore, parse_time};
use crate::error::{Error, JsonContext, Result, SqlContext};
use crate::persons::{
    HistoryRow, ImportCommit, Merge, PersonChange, Persons, RecordDigest, RunCounts, SourceRecord,
    SourceRun,
};
use write::{insert_run, write_history, write_person, write_records};

impl Persons for SqliteStore {
    fn source_records(&self, source: &str) -> Result<Vec<SourceRecord>> {
        self.records_where("source = ?1", source)
    }

    fn source_digests(&self, source: &str) -> Result<Vec<RecordDigest>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT external_id, person_id, hash FROM source_records \
                 WHERE source = ?1 ORDER BY external_id",
            )
            .ctx("reading source records")?;
        let rows = stmt.query_map([source], |row| {
            Ok(RecordDigest {
                external_id: row.get(0)?,
                person_id: row.get(1)?,
                hash: row.get(2)?,
            })
        });
        rows.ctx("reading source records")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading source records")
    }

    fn source_record_data(&self, source: &str, external_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT data FROM source_records WHERE source = ?1 AND external_id = ?2",
                [source, external_id],
                |row| row.get(0),
            )
            .optional()
            .ctx("reading a source record")
    }

    fn source_digest(&self, source: &str, external_id: &str) -> Result<Option<RecordDigest>> {
        self.conn
            .prepare_cached(
                "SELECT external_id, person_id, hash FROM source_records \
                 WHERE source = ?1 AND external_id = ?2",
            )
            .ctx("reading a source record")?
            .query_row([source, external_id], |row| {
                Ok(RecordDigest {
                    external_id: row.get(0)?,
                    person_id: row.get(1)?,
                    hash: row.get(2)?,
                })
            })
            .optional()
            .ctx("reading a source record")
    }

    fn source_count(&self, source: &str) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM source_records WHERE source = ?1",
                [source],
                |row| row.get(0),
            )
            .ctx("counting source records")?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn correlate(&self, field: &str, value: &str) -> Result<Vec<String>> {
        // The persons' JSON is read by SQLite itself: one pass, no person parsed in Rust.
        let sql = match field {
            "id" => "SELECT id FROM persons WHERE lower(trim(id)) = ?2 AND ?1 = ?1",
            "email" => {
                "SELECT id FROM persons WHERE ?1 = ?1 \
                 AND lower(trim(json_extract(data, '$.email'))) = ?2"
            }
            _ => {
                "SELECT DISTINCT p.id FROM persons p, json_each(p.data, '$.attributes') a \
                 WHERE json_extract(a.value, '$.name') = ?1 \
                 AND lower(trim(json_extract(a.value, '$.value'))) = ?2"
            }
        };
        let mut stmt = self.conn.prepare_cached(sql).ctx("correlating persons")?;
        let value = value.trim().to_lowercase();
        let rows = stmt.query_map([field, value.as_str()], |row| row.get(0));
        rows.ctx("correlating persons")?
            .collect::<rusqlite::Result<_>>()
            .ctx("correlating persons")
    }

    fn records_of_person(&self, person_id: &str) -> Result<Vec<SourceRecord>> {
        self.records_where("person_id = ?1", person_id)
    }

    fn commit_import(
        &self,
        commit: &ImportCommit,
        affected: &[String],
        merge: &mut Merge<'_>,
    ) -> Result<i64> {
        self.atomically(|| {
            let run = insert_run(&self.conn, commit, "committed", None)?;
            write_records(&self.conn, commit)?;
            write_history(&self.conn, run, commit)?;
            for id in affected {
                // Same connection, so this sees the records just written.
                let records = self.records_of_person(id)?;
                let person = merge(id, &records).map_err(|message| Error::Merge {
                    person: id.clone(),
                    message,
                })?;
                write_person(&self.conn, run, id, person.as_ref())?;
            }
            Ok(run)
        })
    }

    fn record_blocked_import(&self, commit: &ImportCommit, reason: &str) -> Result<i64> {
        insert_run(&self.conn, commit, "blocked", Some(reason))
    }

    fn source_runs(&self, source: &str, limit: usize) -> Result<Vec<SourceRun>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source, started_at, status, total, added, removed, changed, reason \
                 FROM source_runs WHERE source = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .ctx("reading source runs")?;
        let rows = stmt.query_map(params![source, limit as i64], |row| {
            Ok(SourceRun {
                id: row.get(0)?,
                source: row.get(1)?,
                started_at: parse_time(&row.get::<_, String>(2)?)?,
                status: row.get(3)?,
                counts: RunCounts {
                    total: row.get::<_, i64>(4)? as usize,
                    added: row.get::<_, i64>(5)? as usize,
                    removed: row.get::<_, i64>(6)? as usize,
                    changed: row.get::<_, i64>(7)? as usize,
                },
                reason: row.get(8)?,
            })
        });
        rows.ctx("reading source runs")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading source runs")
    }

    fn person_history(&self, person_id: &str) -> Result<Vec<(i64, HistoryRow)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT run_id, change, before, after FROM person_history \
                 WHERE person_id = ?1 ORDER BY id",
            )
            .ctx("reading person history")?;
        let rows = stmt.query_map([person_id], |row| {
            let change = match row.get::<_, String>(1)?.as_str() {
                "added" => PersonChange::Added,
                "removed" => PersonChange::Removed,
                _ => PersonChange::Changed,
            };
            let history = HistoryRow {
                person_id: person_id.to_owned(),
                change,
                before: row.get(2)?,
                after: row.get(3)?,
            };
            Ok((row.get(0)?, history))
        });
        rows.ctx("reading person history")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading person history")
    }

    fn for_each_person(&self, f: &mut dyn FnMut(Person) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM persons ORDER BY id")
            .ctx("reading persons")?;
        let mut rows = stmt.query([]).ctx("reading persons")?;
        // Parse row by row, so only one row's text and one person are held at a time.
        while let Some(row) = rows.next().ctx("reading persons")? {
            let text = row.get_ref(0).ctx("reading persons")?;
            let text = text
                .as_str()
                .map_err(rusqlite::Error::from)
                .ctx("reading persons")?;
            let mut person: Person = serde_json::from_str(text).table("persons")?;
            // A JSON array gives no length up front, so the vector grew by doubling; the
            // spare room is a third of the persons' memory at hospital scale.
            person.contracts.shrink_to_fit();
            f(person)?;
        }
        Ok(())
    }

    fn person(&self, id: &str) -> Result<Option<Person>> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT data FROM persons WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .ctx("reading a person")?;
        text.map(|t| serde_json::from_str(&t).table("persons"))
            .transpose()
    }
}

impl SqliteStore {
    fn records_where(&self, filter: &str, value: &str) -> Result<Vec<SourceRecord>> {
        let sql = format!(
            "SELECT source, external_id, person_id, hash, data FROM source_records \
             WHERE {filter} ORDER BY source, external_id"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .ctx("reading source records")?;
        let rows = stmt.query_map([value], |row| {
            Ok(SourceRecord {
                source: row.get(0)?,
                external_id: row.get(1)?,
                person_id: row.get(2)?,
                hash: row.get(3)?,
                data: row.get(4)?,
            })
        });
        rows.ctx("reading source records")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading source records")
    }
}
