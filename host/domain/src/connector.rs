use async_trait::async_trait;

use crate::{
    Account, AccountPage, AccountSpec, AttributeChange, ConnectorError, EntitlementPage,
    EntitlementRef, MembershipPage, SourceInfo, SourcePage, TargetInfo,
};

/// A system persons and contracts are read from.
#[async_trait]
pub trait SourceConnector: Send {
    /// What the source fills.
    async fn describe(&mut self) -> Result<SourceInfo, ConnectorError>;
    /// Checks the far side answers; returns a line about it.
    async fn test_connection(&mut self) -> Result<String, ConnectorError>;
    /// One page of persons; start with `None`.
    async fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError>;
}

/// A system whose accounts and entitlements Tessera keeps.
#[async_trait]
pub trait TargetConnector: Send {
    /// Entitlement kinds, write ordering and delete support.
    async fn describe(&mut self) -> Result<TargetInfo, ConnectorError>;
    /// Checks the far side answers; returns a line about it.
    async fn test_connection(&mut self) -> Result<String, ConnectorError>;
    /// One page of accounts.
    async fn list_accounts(
        &mut self,
        cursor: Option<String>,
    ) -> Result<AccountPage, ConnectorError>;
    /// One page of the entitlement catalogue.
    async fn list_entitlements(
        &mut self,
        cursor: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError>;
    /// One page of memberships.
    async fn list_memberships(
        &mut self,
        cursor: Option<String>,
    ) -> Result<MembershipPage, ConnectorError>;
    /// Finds an existing account by a correlation attribute.
    async fn correlate(
        &mut self,
        attribute: &str,
        value: &str,
    ) -> Result<Option<Account>, ConnectorError>;
    /// Creates an account.
    async fn create(&mut self, spec: &AccountSpec) -> Result<Account, ConnectorError>;
    /// Changes attributes of an account.
    async fn update(
        &mut self,
        account: &str,
        changes: &[AttributeChange],
    ) -> Result<Account, ConnectorError>;
    /// Lets the account log in.
    async fn enable(&mut self, account: &str) -> Result<(), ConnectorError>;
    /// Stops the account logging in.
    async fn disable(&mut self, account: &str) -> Result<(), ConnectorError>;
    /// Removes the account.
    async fn delete(&mut self, account: &str) -> Result<(), ConnectorError>;
    /// Adds a membership.
    async fn grant(
        &mut self,
        account: &str,
        entitlement: &EntitlementRef,
    ) -> Result<(), ConnectorError>;
    /// Removes a membership.
    async fn revoke(
        &mut self,
        account: &str,
        entitlement: &EntitlementRef,
    ) -> Result<(), ConnectorError>;
}
