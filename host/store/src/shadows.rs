//! Shadows: accounts, entitlements and memberships as last seen in each target.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use tessera_domain::{Account, Attribute, Entitlement, EntitlementRef, Membership};

use crate::error::{JsonContext, Result, SqlContext};
use crate::{Store, fmt_time, parse_time};

/// An account as Tessera last saw it, and who owns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shadow {
    /// The target system.
    pub system: String,
    /// The target's account key.
    pub key: String,
    /// Login name.
    pub username: Option<String>,
    /// Whether it could log in.
    pub enabled: bool,
    /// The vault person it is linked to.
    pub person: Option<String>,
    /// Attributes as listed.
    pub attributes: Vec<Attribute>,
    /// When it was last listed or written.
    pub last_seen: DateTime<Utc>,
    /// Gone from the target; kept as a tombstone.
    pub dead: bool,
}

impl Shadow {
    /// A live shadow for an account just listed or created.
    pub fn seen(
        system: &str,
        account: &Account,
        person: Option<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            system: system.to_owned(),
            key: account.key.clone(),
            username: account.username.clone(),
            enabled: account.enabled,
            person,
            attributes: account.attributes.clone(),
            last_seen: at,
            dead: false,
        }
    }
}

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

impl Store {
    /// Registers a target or source system, or updates its plugin and configuration.
    pub fn upsert_system(&self, name: &str, plugin: Option<&str>, config: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO systems (name, plugin, config) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (name) DO UPDATE SET plugin = ?2, config = ?3",
                params![name, plugin, config],
            )
            .ctx("writing a system")?;
        Ok(())
    }

    /// Every shadow of a system, dead ones included, ordered by key.
    pub fn shadows(&self, system: &str) -> Result<Vec<Shadow>> {
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

    /// Writes one shadow, replacing what was there.
    pub fn put_shadow(&self, shadow: &Shadow) -> Result<()> {
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

    /// Replaces a system's shadows with a fresh listing in one transaction: listed accounts
    /// keep their owner, shadows not listed become tombstones. Returns the keys that died.
    pub fn sync_shadows(
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

    /// Records whether an account can log in, after Tessera changed it.
    pub fn set_shadow_enabled(&self, system: &str, key: &str, enabled: bool) -> Result<()> {
        self.conn
            .execute(
                "UPDATE shadows SET enabled = ?3 WHERE system = ?1 AND account_key = ?2",
                params![system, key, enabled],
            )
            .ctx("updating a shadow")?;
        Ok(())
    }

    /// Turns a shadow into a tombstone and forgets its memberships, after a delete.
    pub fn bury_shadow(&self, system: &str, key: &str) -> Result<()> {
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

    /// Records the owner of an account.
    pub fn link_shadow(&self, system: &str, key: &str, person: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE shadows SET person_id = ?3 WHERE system = ?1 AND account_key = ?2",
                params![system, key, person],
            )
            .ctx("linking a shadow")?;
        Ok(())
    }

    /// Replaces the entitlement catalogue of a system.
    pub fn replace_entitlements(&self, system: &str, items: &[Entitlement]) -> Result<()> {
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

    /// Replaces the memberships of a system with a fresh listing.
    pub fn replace_memberships(&self, system: &str, items: &[Membership]) -> Result<()> {
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

    /// Records one membership.
    pub fn add_membership(&self, system: &str, m: &Membership) -> Result<()> {
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

    /// Forgets one membership.
    pub fn remove_membership(&self, system: &str, m: &Membership) -> Result<()> {
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

    /// Every membership of a system.
    pub fn memberships(&self, system: &str) -> Result<Vec<Membership>> {
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

    /// Stores the desired state of each person in a system, replacing the previous snapshot.
    /// Rows whose data is unchanged are left alone, computed time included: on a day when
    /// nothing changed, rewriting every row was the largest cost of a re-plan.
    pub fn replace_desired(
        &self,
        system: &str,
        rows: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut stored = self.desired_rows(system)?;
        let tx = self
            .conn
            .unchecked_transaction()
            .ctx("writing desired state")?;
        let mut upsert = tx
            .prepare_cached(
                "INSERT OR REPLACE INTO desired_state (system, person_id, data, computed_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .ctx("writing desired state")?;
        let at = fmt_time(at);
        for (person, data) in rows {
            if stored.remove(person).as_ref() != Some(data) {
                upsert
                    .execute(params![system, person, data, at])
                    .ctx("writing desired state")?;
            }
        }
        // What is left belongs to persons the new snapshot no longer has.
        let mut remove = tx
            .prepare_cached("DELETE FROM desired_state WHERE system = ?1 AND person_id = ?2")
            .ctx("writing desired state")?;
        for person in stored.keys() {
            remove
                .execute(params![system, person])
                .ctx("writing desired state")?;
        }
        drop((upsert, remove));
        tx.commit().ctx("writing desired state")
    }

    fn desired_rows(&self, system: &str) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT person_id, data FROM desired_state WHERE system = ?1")
            .ctx("reading desired state")?;
        let rows = stmt.query_map([system], |row| Ok((row.get(0)?, row.get(1)?)));
        rows.ctx("reading desired state")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading desired state")
    }
}
