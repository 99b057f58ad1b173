//! Host bindings for every frozen WIT version this host supports, one module each.
//!
//! A plugin runs in the bindings of the version its manifest names ([`WitVersion::of`]):
//! - [`SourcePre`] / [`TargetPre`]: the plugin linked and pre-instantiated, one variant per
//!   version;
//! - [`SourceExports`] / [`TargetExports`]: one instance's exports in domain types, implemented
//!   by each version's module, so a run never sees WIT types.
//!
//! The capabilities implement the host traits of the newest version, re-exported here as
//! [`host`]; an older version's host traits delegate to them, converting types only
//! (`v0_1/delegate.rs`). The exports are written once (`exports.rs`) and instantiated per version
//! with that version's conversions. A new version is one more module here, its conversions in
//! `convert/`, one more variant in each enum below, the delegation of the version it replaces
//! as newest, and each capability's `add_to_linker` arm, which the compiler lists.

mod exports;
pub(crate) mod v0_1;
pub(crate) mod v0_2;

use async_trait::async_trait;
use tessera_domain as d;
use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::host_state::HostState;

use exports::{source_exports, target_exports};
pub(crate) use v0_2::host;

/// A tessera WIT version this host has bindings for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WitVersion {
    /// `wit/since_v0.1.0`, bound in [`v0_1`].
    V0_1,
    /// `wit/since_v0.2.3`, bound in [`v0_2`]; it serves 0.2.0 to 0.2.2 plugins as well.
    V0_2,
}

impl WitVersion {
    /// Every version, oldest first: the runtime's side of [`tessera_manifest::SUPPORTED_WIT`].
    pub(crate) const ALL: [Self; 2] = [Self::V0_1, Self::V0_2];

    /// The frozen release the bindings were generated from.
    pub(crate) fn release(self) -> &'static str {
        match self {
            Self::V0_1 => v0_1::RELEASE,
            Self::V0_2 => v0_2::RELEASE,
        }
    }

    /// The bindings for a plugin built for `version`.
    pub(crate) fn of(version: &semver::Version) -> Option<Self> {
        let release = tessera_manifest::supported_wit(version)?;
        Self::ALL.into_iter().find(|v| v.release() == release)
    }
}

/// A connector's answer: a value, or its typed refusal (bad output included).
pub(crate) type Answer<T> = Result<T, d::ConnectorError>;

/// What one instance of a source plugin exports, in domain types. `Err` is a trap.
#[async_trait]
pub(crate) trait SourceExports: Send + Sync {
    async fn describe(&self, store: &mut Store<HostState>) -> wasmtime::Result<d::SourceInfo>;
    async fn test_connection(
        &self,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Answer<String>>;
    async fn read(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::SourcePage>>;
    /// WIT 0.2 and later; older plugins have no change feed.
    async fn read_changes(
        &self,
        _store: &mut Store<HostState>,
        _cursor: Option<&[u8]>,
    ) -> wasmtime::Result<Answer<d::SourceChanges>> {
        Ok(Err(unsupported("read-changes")))
    }
}

/// What a plugin built for a WIT version without `what` answers.
fn unsupported(what: &str) -> d::ConnectorError {
    d::ConnectorError::Unsupported(format!(
        "{what}: the plugin targets a WIT version without it"
    ))
}

/// What one instance of a target plugin exports, in domain types. `Err` is a trap.
#[async_trait]
pub(crate) trait TargetExports: Send + Sync {
    async fn describe(&self, store: &mut Store<HostState>) -> wasmtime::Result<d::TargetInfo>;
    async fn test_connection(
        &self,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Answer<String>>;
    async fn list_accounts(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::AccountPage>>;
    async fn list_entitlements(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::EntitlementPage>>;
    async fn list_memberships(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::MembershipPage>>;
    /// WIT 0.2 and later; older plugins have no change feed.
    async fn read_changes(
        &self,
        _store: &mut Store<HostState>,
        _cursor: Option<&[u8]>,
    ) -> wasmtime::Result<Answer<d::TargetChanges>> {
        Ok(Err(unsupported("read-changes")))
    }
    /// WIT 0.2 and later.
    async fn get_account(
        &self,
        _store: &mut Store<HostState>,
        _key: &str,
    ) -> wasmtime::Result<Answer<Option<d::Account>>> {
        Ok(Err(unsupported("get-account")))
    }
    async fn correlate(
        &self,
        store: &mut Store<HostState>,
        attribute: &str,
        value: &str,
    ) -> wasmtime::Result<Answer<Option<d::Account>>>;
    async fn create(
        &self,
        store: &mut Store<HostState>,
        spec: &d::AccountSpec,
    ) -> wasmtime::Result<Answer<d::Account>>;
    async fn update(
        &self,
        store: &mut Store<HostState>,
        account: &str,
        changes: &[d::AttributeChange],
    ) -> wasmtime::Result<Answer<d::Account>>;
    async fn enable(
        &self,
        store: &mut Store<HostState>,
        account: &str,
    ) -> wasmtime::Result<Answer<()>>;
    async fn disable(
        &self,
        store: &mut Store<HostState>,
        account: &str,
    ) -> wasmtime::Result<Answer<()>>;
    async fn delete(
        &self,
        store: &mut Store<HostState>,
        account: &str,
    ) -> wasmtime::Result<Answer<()>>;
    async fn grant(
        &self,
        store: &mut Store<HostState>,
        account: &str,
        entitlement: &d::EntitlementRef,
    ) -> wasmtime::Result<Answer<()>>;
    async fn revoke(
        &self,
        store: &mut Store<HostState>,
        account: &str,
        entitlement: &d::EntitlementRef,
    ) -> wasmtime::Result<Answer<()>>;
    /// WIT 0.2.2 and later, for a plugin that exports `tickets`.
    async fn open_ticket(
        &self,
        _store: &mut Store<HostState>,
        _spec: &d::TicketSpec,
    ) -> wasmtime::Result<Answer<d::Ticket>> {
        Ok(Err(unsupported("tickets")))
    }
    /// WIT 0.2.2 and later, for a plugin that exports `tickets`.
    async fn ticket(
        &self,
        _store: &mut Store<HostState>,
        _key: &str,
    ) -> wasmtime::Result<Answer<d::Ticket>> {
        Ok(Err(unsupported("tickets")))
    }
}

/// A source plugin linked and pre-instantiated in the bindings of its WIT version.
pub(crate) enum SourcePre {
    /// WIT 0.1.
    V0_1(v0_1::SourcePre<HostState>),
    /// WIT 0.2.
    V0_2(v0_2::SourcePre<HostState>),
}

impl SourcePre {
    /// Checks the linked component against the source world of `wit`.
    pub(crate) fn new(wit: WitVersion, pre: InstancePre<HostState>) -> wasmtime::Result<Self> {
        Ok(match wit {
            WitVersion::V0_1 => Self::V0_1(v0_1::SourcePre::new(pre)?),
            WitVersion::V0_2 => Self::V0_2(v0_2::SourcePre::new(pre)?),
        })
    }

    /// A fresh instance in `store`.
    pub(crate) async fn instantiate(
        &self,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Box<dyn SourceExports>> {
        Ok(match self {
            Self::V0_1(pre) => Box::new(pre.instantiate_async(store).await?),
            Self::V0_2(pre) => Box::new(pre.instantiate_async(store).await?),
        })
    }
}

/// A target plugin linked and pre-instantiated in the bindings of its WIT version.
pub(crate) enum TargetPre {
    /// WIT 0.1.
    V0_1(v0_1::TargetPre<HostState>),
    /// WIT 0.2, with the tickets the plugin may offer.
    V0_2(v0_2::TargetPre),
}

impl TargetPre {
    /// Checks the linked component against the target world of `wit`.
    pub(crate) fn new(wit: WitVersion, pre: InstancePre<HostState>) -> wasmtime::Result<Self> {
        Ok(match wit {
            WitVersion::V0_1 => Self::V0_1(v0_1::TargetPre::new(pre)?),
            WitVersion::V0_2 => Self::V0_2(v0_2::TargetPre::new(pre)?),
        })
    }

    /// A fresh instance in `store`.
    pub(crate) async fn instantiate(
        &self,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Box<dyn TargetExports>> {
        Ok(match self {
            Self::V0_1(pre) => Box::new(pre.instantiate_async(store).await?),
            Self::V0_2(pre) => Box::new(pre.instantiate_async(store).await?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_bindings_for_every_supported_version() {
        let releases: Vec<&str> = WitVersion::ALL.iter().map(|v| v.release()).collect();
        assert_eq!(releases, tessera_manifest::SUPPORTED_WIT);
        for release in tessera_manifest::SUPPORTED_WIT {
            let version = semver::Version::parse(release).expect("a release parses");
            assert!(WitVersion::of(&version).is_some(), "{release}");
        }
    }
}
