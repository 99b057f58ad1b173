//! The rows one import writes, inside the caller's transaction.

use rusqlite::{Connection, params};
use tessera_domain::Person;

use crate::error::{JsonContext, Result, SqlContext};
use crate::persons::{ImportCommit, Upsert};
use crate::sqlite::fmt_time;

pub(super) fn insert_run(
    tx: &Connection,
    commit: &ImportCommit,
    status: &str,
    reason: Option<&str>,
) -> Result<i64> {
    let c = commit.counts;
    let at = fmt_time(commit.started_at.unwrap_or_default());
    tx.execute(
        "INSERT INTO source_runs (source, started_at, status, total, added, removed, changed, \
         reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            commit.source,
            at,
            status,
            c.total as i64,
            c.added as i64,
            c.removed as i64,
            c.changed as i64,
            reason
        ],
    )
    .ctx("recording a source run")?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn write_records(tx: &Connection, commit: &ImportCommit) -> Result<()> {
    let mut upsert = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO source_records (source, external_id, person_id, hash, data) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("writing source records")?;
    for Upsert { record: r, .. } in &commit.upserts {
        upsert
            .execute(params![
                r.source,
                r.external_id,
                r.person_id,
                r.hash,
                r.data
            ])
            .ctx("writing source records")?;
    }
    let mut remove = tx
        .prepare_cached("DELETE FROM source_records WHERE source = ?1 AND external_id = ?2")
        .ctx("removing source records")?;
    for id in &commit.removals {
        remove
            .execute(params![commit.source, id])
            .ctx("removing source records")?;
    }
    Ok(())
}

/// The upserts' history lines, then the other rows.
pub(super) fn write_history(tx: &Connection, run: i64, commit: &ImportCommit) -> Result<()> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO person_history (run_id, person_id, change, before, after) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("writing person history")?;
    for u in &commit.upserts {
        stmt.execute(params![
            run,
            u.record.person_id,
            u.change.as_str(),
            u.before,
            u.record.data
        ])
        .ctx("writing person history")?;
    }
    for h in &commit.history {
        stmt.execute(params![
            run,
            h.person_id,
            h.change.as_str(),
            h.before,
            h.after
        ])
        .ctx("writing person history")?;
    }
    Ok(())
}

pub(super) fn write_person(
    tx: &Connection,
    run: i64,
    id: &str,
    person: Option<&Person>,
) -> Result<()> {
    // Contracts cascade with the person row, so replacing the row replaces them.
    tx.execute("DELETE FROM persons WHERE id = ?1", [id])
        .ctx("removing a person")?;
    let Some(person) = person else {
        return Ok(());
    };
    let data = serde_json::to_string(person).table("persons")?;
    tx.execute(
        "INSERT INTO persons (id, data, run_id) VALUES (?1, ?2, ?3)",
        params![id, data, run],
    )
    .ctx("writing a person")?;
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO contracts (person_id, id, start, end, data) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .ctx("writing contracts")?;
    for c in &person.contracts {
        let data = serde_json::to_string(c).table("contracts")?;
        let start = c.start.map(|t| t.to_string());
        let end = c.end.map(|t| t.to_string());
        stmt.execute(params![id, c.id, start, end, data])
            .ctx("writing contracts")?;
    }
    Ok(())
}
