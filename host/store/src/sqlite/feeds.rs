//! Feed cursors and run history in SQLite.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, fmt_time, parse_time};
use crate::error::{JsonContext, Result, SqlContext};
use crate::feeds::Feeds;
use crate::runs::{RunHistory, RunRecord};

impl Feeds for SqliteStore {
    fn cursor(&self, system: &str, feed: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .prepare_cached("SELECT cursor FROM feed_cursors WHERE system = ?1 AND feed = ?2")
            .ctx("reading a feed cursor")?
            .query_row([system, feed], |row| row.get(0))
            .optional()
            .ctx("reading a feed cursor")
    }

    fn set_cursor(&self, system: &str, feed: &str, cursor: &[u8], at: DateTime<Utc>) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO feed_cursors (system, feed, cursor, updated_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .ctx("writing a feed cursor")?
            .execute(params![system, feed, cursor, fmt_time(at)])
            .ctx("writing a feed cursor")?;
        Ok(())
    }

    fn clear_cursor(&self, system: &str, feed: &str) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM feed_cursors WHERE system = ?1 AND feed = ?2",
                [system, feed],
            )
            .ctx("forgetting a feed cursor")?;
        Ok(())
    }

    fn add_pending_persons(&self, persons: &[String]) -> Result<()> {
        self.add_pending(None, persons)
    }

    fn pending_persons(&self) -> Result<BTreeSet<String>> {
        self.pending(None)
    }

    fn clear_pending_persons(&self, persons: Option<&BTreeSet<String>>) -> Result<()> {
        self.clear_pending(None, persons)
    }

    fn add_pending_accounts(&self, system: &str, accounts: &[String]) -> Result<()> {
        self.add_pending(Some(system), accounts)
    }

    fn pending_accounts(&self, system: &str) -> Result<BTreeSet<String>> {
        self.pending(Some(system))
    }

    fn clear_pending_accounts(
        &self,
        system: &str,
        accounts: Option<&BTreeSet<String>>,
    ) -> Result<()> {
        self.clear_pending(Some(system), accounts)
    }
}

impl RunHistory for SqliteStore {
    fn record_run(&self, run: &RunRecord) -> Result<i64> {
        let notes = serde_json::to_string(&run.notes).table("system_runs")?;
        self.conn
            .execute(
                "INSERT INTO system_runs (system, mode, started_at, finished_at, status, notes) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    run.system,
                    run.mode,
                    fmt_time(run.started_at),
                    fmt_time(run.finished_at),
                    run.status,
                    notes
                ],
            )
            .ctx("recording a run")?;
        Ok(self.conn.last_insert_rowid())
    }

    fn last_success(&self, system: &str, mode: Option<&str>) -> Result<Option<DateTime<Utc>>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT finished_at FROM system_runs WHERE system = ?1 AND status <> 'failed' \
                 AND (?2 IS NULL OR mode = ?2) ORDER BY id DESC LIMIT 1",
                params![system, mode],
                |row| row.get(0),
            )
            .optional()
            .ctx("reading runs")?;
        text.map(|t| parse_time(&t).ctx("reading runs")).transpose()
    }

    fn recent_runs(&self, system: Option<&str>, limit: usize) -> Result<Vec<RunRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT system, mode, started_at, finished_at, status, notes FROM system_runs \
                 WHERE ?1 IS NULL OR system = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .ctx("reading runs")?;
        let rows = stmt.query_map(params![system, limit as i64], |row| {
            let notes: String = row.get(5)?;
            Ok(RunRecord {
                system: row.get(0)?,
                mode: row.get(1)?,
                started_at: parse_time(&row.get::<_, String>(2)?)?,
                finished_at: parse_time(&row.get::<_, String>(3)?)?,
                status: row.get(4)?,
                notes: serde_json::from_str(&notes).unwrap_or_default(),
            })
        });
        rows.ctx("reading runs")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading runs")
    }

    fn forget_runs_before(&self, before: DateTime<Utc>) -> Result<usize> {
        self.conn
            .execute(
                "DELETE FROM system_runs WHERE finished_at < ?1 AND id NOT IN \
                 (SELECT MAX(id) FROM system_runs WHERE status <> 'failed' GROUP BY system, mode)",
                [fmt_time(before)],
            )
            .ctx("forgetting old runs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    #[test]
    fn cursors_are_kept_per_system_and_feed_and_can_be_forgotten() {
        let store = SqliteStore::open_in_memory().expect("open");
        let now = at("2026-11-01T12:00:00Z");
        assert_eq!(store.cursor("ad", "accounts").expect("read"), None);
        store.set_cursor("ad", "accounts", b"c1", now).expect("set");
        store
            .set_cursor("ad", "accounts", b"c2", now)
            .expect("replace");
        store
            .set_cursor("hsa", "accounts", b"h1", now)
            .expect("set");
        assert_eq!(
            store.cursor("ad", "accounts").expect("read").as_deref(),
            Some(&b"c2"[..])
        );
        store.clear_cursor("ad", "accounts").expect("clear");
        assert_eq!(store.cursor("ad", "accounts").expect("read"), None);
        assert!(store.cursor("hsa", "accounts").expect("read").is_some());
    }

    #[test]
    fn the_last_success_skips_failed_runs() {
        let store = SqliteStore::open_in_memory().expect("open");
        let run = |status: &str, end: &str| RunRecord {
            system: "ad".into(),
            mode: "incremental".into(),
            started_at: at(end),
            finished_at: at(end),
            status: status.into(),
            notes: vec![format!("{status} run")],
        };
        assert_eq!(store.last_success("ad", None).expect("read"), None);
        store
            .record_run(&run("ok", "2026-11-01T10:00:00Z"))
            .expect("record");
        store
            .record_run(&run("blocked", "2026-11-01T11:00:00Z"))
            .expect("record");
        store
            .record_run(&run("failed", "2026-11-01T12:00:00Z"))
            .expect("record");
        assert_eq!(
            store.last_success("ad", None).expect("read"),
            Some(at("2026-11-01T11:00:00Z"))
        );
        let recent = store.recent_runs(Some("ad"), 2).expect("read");
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].status, "failed");
        assert_eq!(recent[0].notes, ["failed run"]);
        let gone = store
            .forget_runs_before(at("2026-11-02T00:00:00Z"))
            .expect("forget");
        assert_eq!(gone, 2, "all but the last success");
        assert_eq!(store.last_success("ad", Some("full")).expect("read"), None);
        assert_eq!(
            store.last_success("ad", None).expect("read"),
            Some(at("2026-11-01T11:00:00Z"))
        );
    }
}
