//! Console users and sessions in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteStore, fmt_time, parse_time};
use crate::console::{ConsoleSession, ConsoleUser, ConsoleUsers};
use crate::error::{Result, SqlContext};

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<ConsoleUser> {
    Ok(ConsoleUser {
        name: row.get(0)?,
        role: row.get(1)?,
        password_hash: row.get(2)?,
        created_at: parse_time(&row.get::<_, String>(3)?)?,
    })
}

impl ConsoleUsers for SqliteStore {
    fn add_user(&self, user: &ConsoleUser) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "INSERT INTO console_users (name, role, password_hash, created_at) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO NOTHING",
                params![
                    user.name,
                    user.role,
                    user.password_hash,
                    fmt_time(user.created_at)
                ],
            )
            .ctx("adding a console user")?;
        Ok(n == 1)
    }

    fn update_user(&self, name: &str, role: &str, password_hash: &str) -> Result<bool> {
        self.atomically(|| {
            let n = self
                .conn
                .execute(
                    "UPDATE console_users SET role = ?2, password_hash = ?3 WHERE name = ?1",
                    params![name, role, password_hash],
                )
                .ctx("changing a console user")?;
            self.conn
                .execute("DELETE FROM console_sessions WHERE user = ?1", [name])
                .ctx("ending a changed user's sessions")?;
            Ok(n == 1)
        })
    }

    fn remove_user(&self, name: &str) -> Result<bool> {
        self.atomically(|| {
            self.conn
                .execute("DELETE FROM console_sessions WHERE user = ?1", [name])
                .ctx("ending a removed user's sessions")?;
            let n = self
                .conn
                .execute("DELETE FROM console_users WHERE name = ?1", [name])
                .ctx("removing a console user")?;
            Ok(n == 1)
        })
    }

    fn users(&self) -> Result<Vec<ConsoleUser>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT name, role, password_hash, created_at FROM console_users ORDER BY name",
            )
            .ctx("reading console users")?;
        let rows = stmt.query_map([], user_from_row);
        rows.ctx("reading console users")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading console users")
    }

    fn user(&self, name: &str) -> Result<Option<ConsoleUser>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT name, role, password_hash, created_at FROM console_users WHERE name = ?1",
            )
            .ctx("reading a console user")?;
        stmt.query_row([name], user_from_row)
            .optional()
            .ctx("reading a console user")
    }

    fn open_session(
        &self,
        token_hash: &str,
        user: &str,
        csrf: &str,
        at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO console_sessions (token_hash, user, csrf, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash, user, csrf, fmt_time(at), fmt_time(expires_at)],
            )
            .ctx("opening a console session")?;
        Ok(())
    }

    fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<ConsoleSession>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.user, u.role, s.csrf, s.expires_at FROM console_sessions s \
                 JOIN console_users u ON u.name = s.user \
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            )
            .ctx("reading a console session")?;
        let found = stmt.query_row(params![token_hash, fmt_time(now)], |row| {
            Ok(ConsoleSession {
                user: row.get(0)?,
                role: row.get(1)?,
                csrf: row.get(2)?,
                expires_at: parse_time(&row.get::<_, String>(3)?)?,
            })
        });
        found.optional().ctx("reading a console session")
    }

    fn close_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM console_sessions WHERE token_hash = ?1 OR expires_at <= ?2",
                params![token_hash, fmt_time(now)],
            )
            .ctx("closing a console session")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> ConsoleUser {
        ConsoleUser {
            name: name.into(),
            role: "reviewer".into(),
            password_hash: "$argon2id$test".into(),
            created_at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn a_session_ends_with_its_time_its_user_or_a_log_out() {
        let store = SqliteStore::open_in_memory().expect("open");
        let t0 = DateTime::<Utc>::default();
        let hour = chrono::Duration::hours(1);
        assert!(store.add_user(&user("rita")).expect("add"));
        assert!(!store.add_user(&user("rita")).expect("taken"));
        store
            .open_session("h1", "rita", "c1", t0, t0 + hour)
            .expect("open");
        let found = store.session("h1", t0).expect("read").expect("live");
        assert_eq!(
            (found.user.as_str(), found.role.as_str()),
            ("rita", "reviewer")
        );
        assert!(store.session("h1", t0 + hour).expect("read").is_none());
        store
            .open_session("h2", "rita", "c2", t0, t0 + hour)
            .expect("open");
        store.close_session("h2", t0).expect("close");
        assert!(store.session("h2", t0).expect("read").is_none());
        store
            .open_session("h3", "rita", "c3", t0, t0 + hour)
            .expect("open");
        assert!(
            store
                .update_user("rita", "auditor", "$argon2id$x")
                .expect("update")
        );
        assert!(store.session("h3", t0).expect("read").is_none());
        assert!(store.remove_user("rita").expect("remove"));
        assert!(store.user("rita").expect("read").is_none());
    }
}
