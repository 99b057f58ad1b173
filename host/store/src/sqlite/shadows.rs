//! Shadows in SQLite: accounts, the entitlement catalogue and memberships per target.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use tessera_domain::{Account, Entitlement, EntitlementRef, Membership};

use super::{SqliteStore, fmt_time, parse_time};
use crate::error::{JsonContext, Result, SqlContext};
use crate::shadows::{Shadow, ShadowSync, Shadows};

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
        self.shadows_where("system = ?1", &[system])
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
    ) -> Result<ShadowSync> {
        let before = self.shadows(system)?;
        let listed: HashSet<&str> = accounts.iter().map(|a| a.key.as_str()).collect();
        let known: HashMap<&str, &Shadow> = before
            .iter()
            .filter(|s| !s.dead)
            .map(|s| (s.key.as_str(), s))
            .collect();
        self.atomically(|| {
            let mut drift = ShadowSync::default();
            for old in known.values().filter(|s| !listed.contains(s.key.as_str())) {
                drift.gone.push(old.key.clone());
                self.put_shadow(&Shadow {
                    dead: true,
                    ..(*old).clone()
                })?;
            }
            drift.gone.sort();
            let owners: HashMap<&str, &str> = before
                .iter()
                .filter_map(|s| Some((s.key.as_str(), s.person.as_deref()?)))
                .collect();
            for account in accounts {
                let owner = owners.get(account.key.as_str()).map(|p| (*p).to_owned());
                let seen = Shadow::seen(system, account, owner, at);
                match known.get(account.key.as_str()) {
                    None => drift.appeared += 1,
                    Some(old) if !old.same_account(&seen) => drift.changed += 1,
                    Some(_) => {}
                }
                self.put_shadow(&seen)?;
            }
            Ok(drift)
        })
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
        self.atomically(|| {
            self.conn
                .execute("DELETE FROM entitlements WHERE system = ?1", [system])
                .ctx("writing entitlements")?;
            let mut stmt = self
                .conn
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
            Ok(())
        })
    }

    fn entitlements(&self, system: &str) -> Result<Vec<Entitlement>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, key, display_name, attributes FROM entitlements \
                 WHERE system = ?1 ORDER BY kind, key",
            )
            .ctx("reading entitlements")?;
        let rows = stmt
            .query_map([system], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .ctx("reading entitlements")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading entitlements")?;
        rows.into_iter()
            .map(|(kind, key, display_name, attrs)| {
                Ok(Entitlement {
                    kind,
                    key,
                    display_name,
                    attributes: serde_json::from_str(&attrs).table("entitlements")?,
                })
            })
            .collect()
    }

    fn replace_memberships(&self, system: &str, items: &[Membership]) -> Result<(usize, usize)> {
        let old: HashSet<Membership> = self.memberships(system)?.into_iter().collect();
        let new: HashSet<&Membership> = items.iter().collect();
        // Only the difference is written: in a run where little changed, that is little.
        self.atomically(|| {
            let added: Vec<&Membership> =
                new.iter().copied().filter(|m| !old.contains(*m)).collect();
            for m in &added {
                self.add_membership(system, m)?;
            }
            let removed: Vec<&Membership> = old.iter().filter(|m| !new.contains(m)).collect();
            for m in &removed {
                self.remove_membership(system, m)?;
            }
            Ok((added.len(), removed.len()))
        })
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

    fn shadow(&self, system: &str, key: &str) -> Result<Option<Shadow>> {
        let found = self.shadows_where("system = ?1 AND account_key = ?2", &[system, key])?;
        Ok(found.into_iter().next())
    }

    fn shadows_of(&self, system: &str, person: &str) -> Result<Vec<Shadow>> {
        self.shadows_where("system = ?1 AND person_id = ?2", &[system, person])
    }

    fn unowned_shadows(&self, system: &str) -> Result<Vec<Shadow>> {
        self.shadows_where("system = ?1 AND person_id IS NULL AND dead = 0", &[system])
    }

    fn usernames(&self, system: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT lower(username) FROM shadows WHERE system = ?1 AND dead = 0 \
                 AND username IS NOT NULL",
            )
            .ctx("reading user names")?;
        let rows = stmt.query_map([system], |row| row.get(0));
        rows.ctx("reading user names")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading user names")
    }

    fn memberships_of(&self, system: &str, account: &str) -> Result<Vec<Membership>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, key FROM memberships WHERE system = ?1 AND account_key = ?2 \
                 ORDER BY kind, key",
            )
            .ctx("reading memberships")?;
        let rows = stmt.query_map([system, account], |row| {
            Ok(Membership {
                account: account.to_owned(),
                entitlement: EntitlementRef {
                    kind: row.get(0)?,
                    key: row.get(1)?,
                },
            })
        });
        rows.ctx("reading memberships")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading memberships")
    }

    fn shadow_counts(&self, system: &str) -> Result<(usize, usize)> {
        let count = |sql: &str| -> Result<usize> {
            let n: i64 = self
                .conn
                .query_row(sql, [system], |row| row.get(0))
                .ctx("counting shadows")?;
            Ok(usize::try_from(n).unwrap_or(0))
        };
        Ok((
            count("SELECT count(*) FROM shadows WHERE system = ?1 AND dead = 0")?,
            count("SELECT count(*) FROM memberships WHERE system = ?1")?,
        ))
    }

    fn put_entitlement(&self, system: &str, e: &Entitlement) -> Result<()> {
        let attrs = serde_json::to_string(&e.attributes).table("entitlements")?;
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO entitlements (system, kind, key, display_name, \
                 attributes) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .ctx("writing an entitlement")?
            .execute(params![system, e.kind, e.key, e.display_name, attrs])
            .ctx("writing an entitlement")?;
        Ok(())
    }
}

impl SqliteStore {
    /// Shadows matching a filter over `shadows`, ordered by key.
    fn shadows_where(&self, filter: &str, values: &[&str]) -> Result<Vec<Shadow>> {
        let sql = format!(
            "SELECT system, account_key, username, enabled, person_id, attributes, last_seen, \
             dead FROM shadows WHERE {filter} ORDER BY account_key"
        );
        let mut stmt = self.conn.prepare_cached(&sql).ctx("reading shadows")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(values), shadow_from_row)
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
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;

    /// The plan SQLite picks for a query of `shadows_where`.
    fn plan(store: &SqliteStore, filter: &str) -> String {
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT account_key FROM shadows WHERE {filter} \
             ORDER BY account_key"
        );
        let mut stmt = store.conn.prepare(&sql).expect("prepare");
        let rows = stmt
            .query_map(["ad", "p1"], |row| row.get::<_, String>(3))
            .expect("query");
        rows.map(|r| r.expect("row")).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn a_persons_shadows_are_found_by_index_not_by_reading_the_system() {
        let store = SqliteStore::open_in_memory().expect("open");
        let of_person = plan(&store, "system = ?1 AND person_id = ?2");
        assert!(of_person.contains("shadows_system_person"), "{of_person}");
        let unowned = plan(&store, "system = ?1 AND person_id IS NULL AND ?2 = ?2");
        assert!(unowned.contains("shadows_system_person"), "{unowned}");
    }
}
