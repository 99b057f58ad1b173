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
    /// keep their owner, shadows not listed become tombstones. Returns the keys that died.
    fn sync_shadows(
        &self,
        system: &str,
        accounts: &[Account],
        at: DateTime<Utc>,
    ) -> Result<Vec<String>>;

    /// Records whether an account can log in, after Tessera changed it.
    fn set_shadow_enabled(&self, system: &str, key: &str, enabled: bool) -> Result<()>;

    /// Turns a shadow into a tombstone and forgets its memberships, after a delete.
    fn bury_shadow(&self, system: &str, key: &str) -> Result<()>;

    /// Records the owner of an account.
    fn link_shadow(&self, system: &str, key: &str, person: &str) -> Result<()>;

    /// Replaces the entitlement catalogue of a system.
    fn replace_entitlements(&self, system: &str, items: &[Entitlement]) -> Result<()>;

    /// Replaces the memberships of a system with a fresh listing.
    fn replace_memberships(&self, system: &str, items: &[Membership]) -> Result<()>;

    /// Records one membership.
    fn add_membership(&self, system: &str, m: &Membership) -> Result<()>;

    /// Forgets one membership.
    fn remove_membership(&self, system: &str, m: &Membership) -> Result<()>;

    /// Every membership of a system.
    fn memberships(&self, system: &str) -> Result<Vec<Membership>>;
}
