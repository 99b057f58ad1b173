//! IST: read what a target holds into shadows, in full or from its change feed, and classify
//! each account's situation.
//!
//! Situations follow midPoint: an account is *linked* when its shadow has an owner,
//! *unlinked* when correlation finds exactly one candidate, *disputed* with several,
//! *unmatched* with none, and *deleted* when a linked account vanished from the target.

mod feed;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tessera_domain::{TargetConnector, TargetInfo};
use tessera_store::{Shadow, Store};

pub use feed::{ACCOUNTS, FeedRead, IstChanges, read_target_changes};

use crate::error::{Error, Result};
use crate::model::Correlation;
use crate::paging::{MAX_PAGES, Pager};

/// What reading a target found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IstReport {
    /// The system.
    pub system: String,
    /// What the target says about itself.
    pub info: TargetInfo,
    /// Accounts listed.
    pub accounts: usize,
    /// Entitlements in the catalogue.
    pub entitlements: usize,
    /// Memberships listed.
    pub memberships: usize,
    /// Keys of accounts that were known and are gone.
    pub gone: Vec<String>,
    /// What the listing found that was not known: changes made outside Tessera, or missed by
    /// the change feed.
    pub drift: Drift,
    /// Whether the target's change feed was started (its cursor stored with the listing).
    pub feed_started: bool,
}

/// What a full read found that the shadows did not know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Accounts that appeared.
    pub appeared: usize,
    /// Accounts whose login name, state or attributes changed.
    pub changed: usize,
    /// Accounts that went.
    pub gone: usize,
    /// Memberships that appeared.
    pub granted: usize,
    /// Memberships that went.
    pub revoked: usize,
}

impl Drift {
    /// Whether anything drifted.
    pub fn any(&self) -> bool {
        *self != Self::default()
    }
}

/// Reads one page after another until the cursor runs out, refusing loops and endless lists.
macro_rules! all_pages {
    ($system:expr, $what:literal, |$cursor:ident| $call:expr, $field:ident) => {{
        let mut items = Vec::new();
        let mut pager = Pager::new(MAX_PAGES);
        while let Some($cursor) = pager.next_page() {
            let page = $call.await.map_err(|source| Error::Connector {
                system: $system.to_owned(),
                operation: $what,
                source,
            })?;
            items.extend(page.$field);
            pager
                .turn(page.next_cursor)
                .map_err(|u| u.error($system, $what))?;
        }
        items
    }};
}

/// Asks a target about itself.
pub async fn describe(system: &str, target: &mut dyn TargetConnector) -> Result<TargetInfo> {
    target.describe().await.map_err(|source| Error::Connector {
        system: system.to_owned(),
        operation: "describe",
        source,
    })
}

/// A target's entitlement catalogue, every page, as it lists it now; nothing is stored.
pub async fn read_catalogue(
    system: &str,
    target: &mut dyn TargetConnector,
) -> Result<Vec<tessera_domain::Entitlement>> {
    Ok(all_pages!(
        system,
        "list entitlements",
        |c| target.list_entitlements(c),
        entitlements
    ))
}

/// Lists a target's accounts, entitlements and memberships into the store's shadows. A target
/// with a change feed starts it first, and its cursor is stored with the listing, so the next
/// incremental run reads what changed since.
pub async fn read_target(
    store: &dyn Store,
    system: &str,
    target: &mut dyn TargetConnector,
    now: DateTime<Utc>,
) -> Result<IstReport> {
    let info = describe(system, target).await?;
    let cursor = match info.feed {
        Some(_) => feed::start(system, target).await?,
        None => None,
    };
    let accounts = all_pages!(
        system,
        "list accounts",
        |c| target.list_accounts(c),
        accounts
    );
    let entitlements = all_pages!(
        system,
        "list entitlements",
        |c| target.list_entitlements(c),
        entitlements
    );
    let memberships = all_pages!(
        system,
        "list memberships",
        |c| target.list_memberships(c),
        memberships
    );
    store.atomically(|| {
        let synced = store.sync_shadows(system, &accounts, now)?;
        store.replace_entitlements(system, &entitlements)?;
        let (granted, revoked) = store.replace_memberships(system, &memberships)?;
        match &cursor {
            Some(c) => store.set_cursor(system, feed::ACCOUNTS, c, now)?,
            None => store.clear_cursor(system, feed::ACCOUNTS)?,
        }
        let drift = Drift {
            appeared: synced.appeared,
            changed: synced.changed,
            gone: synced.gone.len(),
            granted,
            revoked,
        };
        Ok(IstReport {
            system: system.to_owned(),
            info: info.clone(),
            accounts: accounts.len(),
            entitlements: entitlements.len(),
            memberships: memberships.len(),
            gone: synced.gone,
            drift,
            feed_started: cursor.is_some(),
        })
    })
}

/// How an account relates to the persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Situation {
    /// Owned by a person.
    Linked,
    /// Exactly one person correlates; not yet owned.
    Unlinked,
    /// Nobody correlates.
    Unmatched,
    /// Several persons correlate; a human must choose.
    Disputed,
    /// Owned, but gone from the target.
    Deleted,
}

/// One account's situation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSituation {
    /// The account key.
    pub account: String,
    /// Its login name.
    pub username: Option<String>,
    /// The situation.
    pub situation: Situation,
    /// The owner or the single candidate.
    pub person: Option<String>,
    /// Every candidate, for disputed accounts.
    pub candidates: Vec<String>,
}

/// Classifies every shadow of a system; `values` maps correlation values to person ids.
pub fn situations(
    shadows: &[Shadow],
    values: Option<&HashMap<String, Vec<String>>>,
    correlation: Option<&Correlation>,
) -> Vec<AccountSituation> {
    shadows
        .iter()
        .filter(|s| !s.dead || s.person.is_some())
        .map(|s| {
            let mut entry = AccountSituation {
                account: s.key.clone(),
                username: s.username.clone(),
                situation: Situation::Unmatched,
                person: s.person.clone(),
                candidates: Vec::new(),
            };
            if s.person.is_some() {
                entry.situation = if s.dead {
                    Situation::Deleted
                } else {
                    Situation::Linked
                };
                return entry;
            }
            let value = correlation.and_then(|c| account_value(s, &c.account_attribute));
            let candidates = value
                .and_then(|v| values?.get(&v).cloned())
                .unwrap_or_default();
            entry.situation = match candidates.len() {
                0 => Situation::Unmatched,
                1 => Situation::Unlinked,
                _ => Situation::Disputed,
            };
            entry.person = (candidates.len() == 1).then(|| candidates[0].clone());
            entry.candidates = candidates;
            entry
        })
        .collect()
}

/// An account attribute as correlation compares it (trimmed, lower case); `username` is the
/// login name.
pub(crate) fn account_value(s: &Shadow, attribute: &str) -> Option<String> {
    let raw = if attribute == "username" {
        s.username.clone()
    } else {
        s.attributes
            .iter()
            .find(|a| a.name == attribute)
            .map(|a| a.value.clone())
    };
    raw.map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
}
