//! Shadows: accounts as last seen in each target and who owns them, each target's
//! entitlement catalogue, and the memberships the target listed or Tessera wrote.

use chrono::{DateTime, Utc};
use tessera_domain::{Account, Attribute, Entitlement, Membership};

use crate::Result;

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
    /// Whether `other` records the same account state: login name, whether it can log in,
    /// and the same values of every attribute (in any order).
    pub fn same_account(&self, other: &Shadow) -> bool {
        fn sorted(s: &Shadow) -> Vec<(&str, &str)> {
            let mut a: Vec<(&str, &str)> = s
                .attributes
                .iter()
                .map(|a| (a.name.as_str(), a.value.as_str()))
                .collect();
            a.sort_unstable();
            a
        }
        self.username == other.username
            && self.enabled == other.enabled
            && self.dead == other.dead
            && sorted(self) == sorted(other)
    }

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

/// What each target holds, as last seen.
pub trait Shadows {
    /// Every shadow of a system, dead ones included, ordered by key.
    fn shadows(&self, system: &str) -> Result<Vec<Shadow>>;

    /// Writes one shadow, replacing what was there.
    fn put_shadow(&self, shadow: &Shadow) -> Result<()>;

    /// Replaces a system's shadows with a fresh listing in one transaction: listed accounts
    /// keep their owner, shadows not listed become tombstones. Says what differed from what
    /// was known: the drift a full read found.
    fn sync_shadows(
        &self,
        system: &str,
        accounts: &[Account],
        at: DateTime<Utc>,
    ) -> Result<ShadowSync>;

    /// Records whether an account can log in, after Tessera changed it.
    fn set_shadow_enabled(&self, system: &str, key: &str, enabled: bool) -> Result<()>;

    /// Turns a shadow into a tombstone and forgets its memberships, after a delete.
    fn bury_shadow(&self, system: &str, key: &str) -> Result<()>;

    /// Records the owner of an account.
    fn link_shadow(&self, system: &str, key: &str, person: &str) -> Result<()>;

    /// Replaces the entitlement catalogue of a system.
    fn replace_entitlements(&self, system: &str, items: &[Entitlement]) -> Result<()>;

    /// Replaces the memberships of a system with a fresh listing; returns how many were added
    /// and removed against what was known.
    fn replace_memberships(&self, system: &str, items: &[Membership]) -> Result<(usize, usize)>;

    /// Records one membership.
    fn add_membership(&self, system: &str, m: &Membership) -> Result<()>;

    /// Forgets one membership.
    fn remove_membership(&self, system: &str, m: &Membership) -> Result<()>;

    /// Every membership of a system.
    fn memberships(&self, system: &str) -> Result<Vec<Membership>>;

    /// One shadow, dead or alive.
    fn shadow(&self, system: &str, key: &str) -> Result<Option<Shadow>>;

    /// The shadows a person owns in a system.
    fn shadows_of(&self, system: &str, person: &str) -> Result<Vec<Shadow>>;

    /// The live shadows of a system that nobody owns.
    fn unowned_shadows(&self, system: &str) -> Result<Vec<Shadow>>;

    /// The login names of a system's live accounts, in lower case.
    fn usernames(&self, system: &str) -> Result<Vec<String>>;

    /// The memberships of one account.
    fn memberships_of(&self, system: &str, account: &str) -> Result<Vec<Membership>>;

    /// How many live accounts and how many memberships a system holds.
    fn shadow_counts(&self, system: &str) -> Result<(usize, usize)>;

    /// A system's entitlement catalogue as last listed, by kind and key.
    fn entitlements(&self, system: &str) -> Result<Vec<Entitlement>>;

    /// Writes one entry of a system's entitlement catalogue.
    fn put_entitlement(&self, system: &str, entitlement: &Entitlement) -> Result<()>;
}

/// What a full listing found that the shadows did not know: accounts that appeared, changed
/// or went, outside what Tessera wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ShadowSync {
    /// Keys of known accounts that are gone.
    pub gone: Vec<String>,
    /// Accounts listed that were not known.
    pub appeared: usize,
    /// Known accounts listed with another login name, state or attributes.
    pub changed: usize,
}
