use crate::ConnectorError;
use crate::types::{
    Account, AccountPage, AccountSpec, AttributeChange, EntitlementPage, EntitlementRef,
    MembershipPage, SourceInfo, SourcePage, TargetInfo,
};

fn unsupported<T>(what: &str) -> Result<T, ConnectorError> {
    Err(ConnectorError::Unsupported(format!(
        "this plugin does not implement {what}"
    )))
}

/// A connector that reads persons and their contracts.
///
/// The host makes a fresh instance per run; [`Source::new`] is called on the first call of the
/// run, so fields can cache what one run needs (a product catalogue, a token).
pub trait Source: Sized + 'static {
    /// Builds the plugin from its configuration ([`crate::config`]).
    fn new() -> Result<Self, ConnectorError>;

    /// Which person and contract fields this source fills.
    fn describe() -> SourceInfo {
        SourceInfo { fields: Vec::new() }
    }

    /// Checks the far side answers and says something about it.
    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        unsupported("test-connection")
    }

    /// One page of persons; the first call gets `None`, later calls the page's `next_cursor`.
    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError>;
}

/// A connector that keeps accounts and entitlements in a target system.
///
/// Only the listings and [`Target::describe`] are required; write operations a target lacks
/// default to `unsupported`, and `delete` must be declared in `describe` to be used.
pub trait Target: Sized + 'static {
    /// Builds the plugin from its configuration ([`crate::config`]).
    fn new() -> Result<Self, ConnectorError>;

    /// Entitlement kinds, whether writes to one account must be serial, whether delete exists.
    fn describe() -> TargetInfo;

    /// Checks the far side answers and says something about it.
    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        unsupported("test-connection")
    }

    /// One page of accounts.
    fn list_accounts(&mut self, cursor: Option<String>) -> Result<AccountPage, ConnectorError>;

    /// One page of the entitlement catalogue.
    fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError>;

    /// One page of memberships.
    fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError>;

    /// Finds an account by a correlation attribute.
    fn correlate(
        &mut self,
        _attribute: &str,
        _value: &str,
    ) -> Result<Option<Account>, ConnectorError> {
        unsupported("correlate")
    }

    /// Creates an account.
    fn create(&mut self, _spec: AccountSpec) -> Result<Account, ConnectorError> {
        unsupported("create")
    }

    /// Changes attributes.
    fn update(
        &mut self,
        _account: &str,
        _changes: Vec<AttributeChange>,
    ) -> Result<Account, ConnectorError> {
        unsupported("update")
    }

    /// Lets the account log in.
    fn enable(&mut self, _account: &str) -> Result<(), ConnectorError> {
        unsupported("enable")
    }

    /// Stops the account logging in.
    fn disable(&mut self, _account: &str) -> Result<(), ConnectorError> {
        unsupported("disable")
    }

    /// Removes the account.
    fn delete(&mut self, _account: &str) -> Result<(), ConnectorError> {
        unsupported("delete")
    }

    /// Adds a membership.
    fn grant(
        &mut self,
        _account: &str,
        _entitlement: EntitlementRef,
    ) -> Result<(), ConnectorError> {
        unsupported("grant")
    }

    /// Removes a membership.
    fn revoke(
        &mut self,
        _account: &str,
        _entitlement: EntitlementRef,
    ) -> Result<(), ConnectorError> {
        unsupported("revoke")
    }
}
