//! Shadows in SQLite: accounts, the entitlement catalogue and memberships per target.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use tessera_domain::{Account, Entitlement, EntitlementRef, Membership};

use super::{SqliteStore, fmt_time, parse_time};
use crate::error::{JsonContext, Result, SqlContext};
use crate::shadows::{Shadow, Shadows};

fn shadow_from_row(row: &Row<'_>) -> rusqlite::Result<(Shadow, String)> {
    let shadow = Shadow {
        system: row.get(0)?,
        key: row.get(1)?,
        username: row.get(2)?,
        enabled: row.get(3)?,
        person: row.get(4)?,
        attributes: Vec::new(),
        last_seen: parse_time(&row.get::<_, String>(6)?)?,
        dead: row.get(7)?,
    };
    Ok((shadow, row.get(5)?))
}

impl Shadows for SqliteStore {
    fn shadows(&self, system: &str) -> Result<Vec<Shadow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT system, account_key, username, enabled, person_id, attributes, \
                 last_seen, dead FROM shadows WHERE system = ?1 ORDER BY account_key",
            )
            .ctx("reading shadows")?;
        let rows = stmt
            .query_map([system], shadow_from_row)
            .ctx("reading shadows")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading shadows")?;
        rows.into_iter()
            .map(|(mut shadow, attrs)| {
                shadow.attributes = serde_json::from_str(&attrs).table("shadows")?;
                Ok(shadow)
            })
            .collect()
    }

    fn put_shadow(&self, shadow: &Shadow) -> Result<()> {
        let attrs = serde_json::to_string(&shadow.attributes).table("shadows")?;
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO shadows (system, account_key, username, enabled, \
                 person_id, attributes, last_seen, dead) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .ctx("writing a shadow")?
            .execute(params![
                shadow.system,
                shadow.key,
                shadow.username,
                shadow.enabled,
                shadow.person,
                attrs,
                fmt_time(shadow.last_seen),
                shadow.dead
            ])
            .ctx("writing a shadow")?;
        Ok(())
    }

    fn sync_shadows(
        &self,
        system: &str,
        accounts: &[Account],
        at: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let before = self.shadows(system)?;
        let tx = self.conn.unchecked_transaction().ctx("syncing shadows")?;
        let listed: std::collections::HashSet<&str> =
            accounts.iter().map(|a| a.key.as_str()).collect();
        let mut died = Vec::new();
        for old in before
            .iter()
            .filter(|s| !s.dead && !listed.contains(s.key.as_str()))
        {
            died.push(old.key.clone());
            self.put_shadow(&Shadow {
                dead: true,
                ..old.clone()
            })?;
        }
        let owners: std::collections::HashMap<&str, &str> = before
            .iter()
            .filter_map(|s| Some((s.key.as_str(), s.person.as_deref()?)))
            .collect();
        for account in accounts {
            let owner = owners.get(account.key.as_str()).map(|p| (*p).to_owned());
            self.put_shadow(&Shadow::seen(system, account, owner, at))?;
        }
        tx.commit().ctx("syncing shadows")?;
        Ok(died)
    }

    fn set_shadow_enabled(&self, system: &str, key: &str, enabled: bool) -> Result<()> {
        self.conn
            .execute(
                "UPDATE shadows SET enabled = ?3 WHERE system = ?1 AND account_key = ?2",
                params![system, key, enabled],
            )
            .ctx("updating a shadow")?;
        Ok(())
    }

    fn bury_shadow(&self, system: &str, key: &str) -> Result<()> {
        self.atomically(|| {
            self.conn
                .execute(
                    "UPDATE shadows SET dead = 1, enabled = 0 WHERE system = ?1 AND account_key = ?2",
                    params![system, key],
                )
                .ctx("burying a shadow")?;
            self.conn
                .execute(
                    "DELETE FROM memberships WHERE system = ?1 AND account_key = ?2",
                    params![system, key],
                )
                .ctx("burying a shadow")?;
            Ok(())
        })
    }

    fn link_shadow(&self, system: &str, key: &str, person: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE shadows SET person_id = ?3 WHERE system = ?1 AND account_key = ?2",
                params![system, key, person],
            )
            .ctx("linking a shadow")?;
        Ok(())
    }

    fn replace_entitlements(&self, system: &str, items: &[Entitlement]) -> Result<()> {
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx("writing entitlements")?;
        tx.execute("DELETE FROM entitlements WHERE system = ?1", [system])
            .ctx("writing entitlements")?;
        let mut stmt = tx
            .prepare_cached(
                "INSERT OR REPLACE INTO entitlements (system, kind, key, display_name, \
                 attributes) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .ctx("writing entitlements")?;
        for e in items {
            let attrs = serde_json::to_string(&e.attributes).table("entitlements")?;
            stmt.execute(params![system, e.kind, e.key, e.display_name, attrs])
                .ctx("writing entitlements")?;
        }
        drop(stmt);
        tx.commit().ctx("writing entitlements")
    }

    fn replace_memberships(&self, system: &str, items: &[Membership]) -> Result<()> {
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx("writing memberships")?;
        tx.execute("DELETE FROM memberships WHERE system = ?1", [system])
            .ctx("writing memberships")?;
        for m in items {
            self.add_membership(system, m)?;
        }
        tx.commit().ctx("writing memberships")
    }

    fn add_membership(&self, system: &str, m: &Membership) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO memberships (system, account_key, kind, key) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .ctx("writing a membership")?
            .execute(params![
                system,
                m.account,
                m.entitlement.kind,
                m.entitlement.key
            ])
            .ctx("writing a membership")?;
        Ok(())
    }

    fn remove_membership(&self, system: &str, m: &Membership) -> Result<()> {
        self.conn
            .prepare_cached(
                "DELETE FROM memberships WHERE system = ?1 AND account_key = ?2 AND kind = ?3 \
                 AND key = ?4",
            )
            .ctx("removing a membership")?
            .execute(params![
                system,
                m.account,
                m.entitlement.kind,
                m.entitlement.key
            ])
            .ctx("removing a membership")?;
        Ok(())
    }

    fn memberships(&self, system: &str) -> Result<Vec<Membership>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT account_key, kind, key FROM memberships WHERE system = ?1 \
                 ORDER BY account_key, kind, key",
            )
            .ctx("reading memberships")?;
        let rows = stmt.query_map([system], |row| {
            Ok(Membership {
                account: row.get(0)?,
                entitlement: EntitlementRef {
                    kind: row.get(1)?,
                    key: row.get(2)?,
                },
            })
        });
        rows.ctx("reading memberships")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading memberships")
    }
}
