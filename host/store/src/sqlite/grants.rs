//! Manual grants in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use tessera_domain::EntitlementRef;

use super::{SqliteStore, fmt_time, parse_time};
use crate::error::{Error, Result, SqlContext};
use crate::grants::{ManualGrant, ManualGrants, NewGrant};

const SELECT: &str = "SELECT id, person_id, system, kind, key, reason, author, until, \
                      created_at, revoked_at, revoked_by, approved_by FROM manual_grants";

fn grant_from_row(row: &Row<'_>) -> rusqlite::Result<ManualGrant> {
    let revoked_at: Option<String> = row.get(9)?;
    Ok(ManualGrant {
        id: row.get(0)?,
        person: row.get(1)?,
        system: row.get(2)?,
        entitlement: EntitlementRef {
            kind: row.get(3)?,
            key: row.get(4)?,
        },
        reason: row.get(5)?,
        author: row.get(6)?,
        until: row
            .get::<_, Option<String>>(7)?
            .and_then(|d| d.parse().ok()),
        created_at: parse_time(&row.get::<_, String>(8)?)?,
        revoked_at: revoked_at.as_deref().map(parse_time).transpose()?,
        revoked_by: row.get(10)?,
        approved_by: row.get(11)?,
    })
}

impl ManualGrants for SqliteStore {
    fn add_grant(&self, grant: &NewGrant, at: DateTime<Utc>) -> Result<i64> {
        if grant.reason.trim().is_empty() {
            return Err(Error::MissingReason);
        }
        self.conn
            .execute(
                "INSERT INTO manual_grants (person_id, system, kind, key, reason, author, until, \
                 created_at, approved_by, approved_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    grant.person,
                    grant.system,
                    grant.entitlement.kind,
                    grant.entitlement.key,
                    grant.reason,
                    grant.author,
                    grant.until.map(|d| d.to_string()),
                    fmt_time(at),
                    (!grant.needs_approval).then_some(&grant.author),
                    (!grant.needs_approval).then(|| fmt_time(at)),
                ],
            )
            .ctx("recording a manual grant")?;
        Ok(self.conn.last_insert_rowid())
    }

    fn revoke_grant(&self, id: i64, by: &str, at: DateTime<Utc>) -> Result<ManualGrant> {
        let n = self
            .conn
            .execute(
                "UPDATE manual_grants SET revoked_at = ?2, revoked_by = ?3 \
                 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, fmt_time(at), by],
            )
            .ctx("withdrawing a manual grant")?;
        if n == 0 {
            return Err(Error::NotFound {
                what: "active manual grant",
                id: id.to_string(),
            });
        }
        self.grant(id)
    }

    fn approve_grant(&self, id: i64, by: &str, at: DateTime<Utc>) -> Result<ManualGrant> {
        let n = self
            .conn
            .execute(
                "UPDATE manual_grants SET approved_by = ?2, approved_at = ?3 \
                 WHERE id = ?1 AND approved_by IS NULL AND revoked_at IS NULL",
                params![id, by, fmt_time(at)],
            )
            .ctx("approving a manual grant")?;
        if n == 0 {
            return Err(Error::NotFound {
                what: "manual grant waiting for approval",
                id: id.to_string(),
            });
        }
        self.grant(id)
    }

    fn grant(&self, id: i64) -> Result<ManualGrant> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE id = ?1"))
            .ctx("reading a manual grant")?;
        let found = stmt.query_row([id], grant_from_row).optional();
        found.ctx("reading a manual grant")?.ok_or(Error::NotFound {
            what: "manual grant",
            id: id.to_string(),
        })
    }

    fn grants(&self, include_revoked: bool) -> Result<Vec<ManualGrant>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT} WHERE ?1 OR revoked_at IS NULL ORDER BY id"
            ))
            .ctx("reading manual grants")?;
        let rows = stmt.query_map([include_revoked], grant_from_row);
        rows.ctx("reading manual grants")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading manual grants")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(reason: &str) -> NewGrant {
        NewGrant {
            person: "p1".into(),
            system: "hix".into(),
            entitlement: EntitlementRef {
                kind: "role".into(),
                key: "arts".into(),
            },
            reason: reason.into(),
            author: "ops".into(),
            until: None,
            needs_approval: false,
        }
    }

    #[test]
    fn a_grant_without_a_reason_is_refused() {
        let store = SqliteStore::open_in_memory().expect("open");
        let at = DateTime::<Utc>::default();
        for blank in ["", "   "] {
            assert!(matches!(
                store.add_grant(&grant(blank), at),
                Err(Error::MissingReason)
            ));
        }
        assert!(store.grants(true).expect("list").is_empty());
        // The table refuses blank reasons even past this API.
        let raw = store.execute_raw(
            "INSERT INTO manual_grants (person_id, system, kind, key, reason, author, created_at) \
             VALUES ('p', 's', 'k', 'e', ' ', 'a', 'now')",
        );
        assert!(raw.is_err());
    }

    #[test]
    fn grants_can_be_withdrawn_once() {
        let store = SqliteStore::open_in_memory().expect("open");
        let at = DateTime::<Utc>::default();
        let id = store.add_grant(&grant("covering ward 3"), at).expect("add");
        let revoked = store.revoke_grant(id, "ops", at).expect("revoke");
        assert_eq!(revoked.revoked_by.as_deref(), Some("ops"));
        assert!(store.grants(false).expect("active").is_empty());
        assert!(store.revoke_grant(id, "ops", at).is_err());
    }
}
