//! A target's change feed: what changed since the stored cursor, applied to the shadows page
//! by page, each page in one unit of writes with the cursor that follows it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tessera_domain::{Account, ConnectorError, Cursor, TargetChanges, TargetConnector, TargetInfo};
use tessera_store::{Shadow, Store};

use crate::error::{Error, Result};
use crate::paging::MAX_PAGES;

/// The feed a target's cursor is stored under.
pub const ACCOUNTS: &str = "accounts";

/// What a target's feed said and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IstChanges {
    /// Keys of accounts that changed, appeared or went.
    pub accounts: BTreeSet<String>,
    /// The persons owning them.
    pub owners: BTreeSet<String>,
    /// Memberships granted and revoked.
    pub memberships: usize,
    /// Pages read.
    pub pages: usize,
}

/// How reading a feed went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedRead {
    /// The changes were applied.
    Changes(IstChanges),
    /// There is no feed to read: the target has none, or it was never started.
    NoFeed,
    /// The cursor is dead; the target must be read in full, which starts a new feed.
    Reset(String),
}

/// Starts a target's feed: a cursor for now, or `None` when the target has no feed.
pub(super) async fn start(
    system: &str,
    target: &mut dyn TargetConnector,
) -> Result<Option<Cursor>> {
    match target.read_changes(None).await {
        Ok(changes) => Ok(Some(changes.cursor)),
        Err(ConnectorError::Unsupported(_)) => Ok(None),
        Err(source) => Err(Error::Connector {
            system: system.to_owned(),
            operation: "read-changes",
            source,
        }),
    }
}

/// Reads a target's changes since its stored cursor into the shadows.
pub async fn read_target_changes(
    store: &dyn Store,
    system: &str,
    target: &mut dyn TargetConnector,
    info: &TargetInfo,
    now: DateTime<Utc>,
) -> Result<FeedRead> {
    let (Some(feed), Some(mut cursor)) = (info.feed, store.cursor(system, ACCOUNTS)?) else {
        return Ok(FeedRead::NoFeed);
    };
    let mut seen = IstChanges::default();
    for _ in 0..MAX_PAGES {
        let changes = match target.read_changes(Some(&cursor)).await {
            Ok(changes) => changes,
            Err(ConnectorError::CursorInvalid(why)) => return Ok(FeedRead::Reset(why)),
            Err(source) => {
                return Err(Error::Connector {
                    system: system.to_owned(),
                    operation: "read-changes",
                    source,
                });
            }
        };
        store.atomically(|| {
            apply(
                store,
                system,
                &changes,
                feed.partial_attributes,
                now,
                &mut seen,
            )?;
            store.set_cursor(system, ACCOUNTS, &changes.cursor, now)
        })?;
        seen.pages += 1;
        if !changes.more {
            return Ok(FeedRead::Changes(seen));
        }
        if changes.cursor == cursor {
            break;
        }
        cursor = changes.cursor;
    }
    Err(Error::Paging {
        system: system.to_owned(),
        what: "changes",
        pages: seen.pages,
    })
}

/// Writes one page of changes to the shadows, and notes what it touched.
fn apply(
    store: &dyn Store,
    system: &str,
    changes: &TargetChanges,
    partial: bool,
    now: DateTime<Utc>,
    seen: &mut IstChanges,
) -> tessera_store::Result<()> {
    // What this page changed: pending until the target is planned for it, so a run that dies
    // here loses no change.
    let mut page = Vec::new();
    let mut touch = |key: &str, owner: Option<&String>| {
        seen.accounts.insert(key.to_owned());
        seen.owners.extend(owner.cloned());
        page.push(key.to_owned());
    };
    // What the shadows already say is no change: above all, the echo of Tessera's own writes.
    for account in &changes.accounts {
        let known = store.shadow(system, &account.key)?.filter(|s| !s.dead);
        let merged = match (&known, partial) {
            (Some(old), true) => merge(old, account),
            _ => account.clone(),
        };
        let owner = known.as_ref().and_then(|s| s.person.clone());
        let shadow = Shadow::seen(system, &merged, owner, now);
        if known.is_some_and(|k| k.same_account(&shadow)) {
            continue;
        }
        touch(&account.key, shadow.person.as_ref());
        store.put_shadow(&shadow)?;
    }
    for key in &changes.removed {
        let Some(known) = store.shadow(system, key)?.filter(|s| !s.dead) else {
            continue;
        };
        touch(key, known.person.as_ref());
        store.bury_shadow(system, key)?;
    }
    for (m, add) in changes
        .granted
        .iter()
        .map(|m| (m, true))
        .chain(changes.revoked.iter().map(|m| (m, false)))
    {
        let held = store.memberships_of(system, &m.account)?.contains(m);
        if held == add {
            continue;
        }
        if add {
            store.add_membership(system, m)?;
        } else {
            store.remove_membership(system, m)?;
        }
        let owner = store.shadow(system, &m.account)?.and_then(|s| s.person);
        touch(&m.account, owner.as_ref());
        seen.memberships += 1;
    }
    store.add_pending_accounts(system, &page)?;
    for e in &changes.entitlements {
        store.put_entitlement(system, e)?;
    }
    Ok(())
}

/// An account from a feed that carries only its changed attributes, laid over what is known.
fn merge(known: &Shadow, changed: &Account) -> Account {
    let names: BTreeSet<&str> = changed.attributes.iter().map(|a| a.name.as_str()).collect();
    let mut attributes: Vec<_> = known
        .attributes
        .iter()
        .filter(|a| !names.contains(a.name.as_str()))
        .cloned()
        .collect();
    attributes.extend(changed.attributes.iter().cloned());
    Account {
        attributes,
        ..changed.clone()
    }
}
