//! WIT 0.1.0 (`wit/since_v0.1.0`, frozen): the generated bindings, and the exports of a 0.1
//! plugin in domain types through [`crate::convert::v0_1`].
//!
//! Host functions that touch the instance's resource table are `trappable`: a handle the table
//! has lost, or a full table, is a host bug or exhaustion, so the call traps instead of handing
//! the guest a string.

use async_trait::async_trait;
use tessera_domain as d;
use wasmtime::Store;

use super::{Answer, SourceExports, TargetExports};
use crate::convert::v0_1 as convert;
use crate::host_state::HostState;

/// The frozen release these bindings were generated from.
pub(crate) const RELEASE: &str = "0.1.0";

#[allow(missing_docs, clippy::all, reason = "bindgen-generated code")]
mod source {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.1.0/connector",
        world: "tessera:connector/source",
        imports: {
            "tessera:host/ldap.search": async | trappable,
            "tessera:host/ldap.[method]search-results.next": async | trappable,
            "tessera:host/xml.[static]document.parse": async | trappable,
            "tessera:host/xml.[method]document.select": async | trappable,
            "tessera:host/xml.[method]document.text": async | trappable,
            "tessera:host/xml.[method]element.name": async | trappable,
            "tessera:host/xml.[method]element.text": async | trappable,
            "tessera:host/xml.[method]element.attribute": async | trappable,
            "tessera:host/xml.[method]element.attributes": async | trappable,
            "tessera:host/xml.[method]element.select": async | trappable,
            default: async,
        },
        exports: { default: async },
        with: {
            "tessera:host/ldap.search-results": crate::capability::ldap::SearchResults,
            "tessera:host/xml.document": crate::capability::xml::Document,
            "tessera:host/xml.element": crate::capability::xml::Element,
        },
    });
}

// The target world reuses the source world's host interfaces and types, so one set of host
// trait impls and resource types serves both worlds.
#[allow(missing_docs, clippy::all, reason = "bindgen-generated code")]
mod target {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.1.0/connector",
        world: "tessera:connector/target",
        imports: { default: async },
        exports: { default: async },
        with: {
            "tessera:host": crate::bindings::v0_1::source::tessera::host,
            "tessera:connector/types": crate::bindings::v0_1::source::tessera::connector::types,
        },
    });
}

pub(crate) use source::tessera::connector::types;
pub(crate) use source::tessera::host;
pub(crate) use source::{Source, SourcePre};
pub(crate) use target::{Target, TargetPre};

#[async_trait]
impl SourceExports for Source {
    async fn describe(&self, store: &mut Store<HostState>) -> wasmtime::Result<d::SourceInfo> {
        let e = self.tessera_connector_source_connector();
        Ok(convert::source_info(e.call_describe(store).await?))
    }

    async fn test_connection(
        &self,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Answer<String>> {
        let e = self.tessera_connector_source_connector();
        Ok(e.call_test_connection(store).await?.map_err(convert::error))
    }

    async fn read(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::SourcePage>> {
        let e = self.tessera_connector_source_connector();
        let page = e.call_read(store, cursor).await?;
        Ok(page.map_err(convert::error).and_then(convert::source_page))
    }
}

#[async_trait]
impl TargetExports for Target {
    async fn describe(&self, store: &mut Store<HostState>) -> wasmtime::Result<d::TargetInfo> {
        let e = self.tessera_connector_target_connector();
        Ok(convert::target_info(e.call_describe(store).await?))
    }

    async fn test_connection(
        &self,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Answer<String>> {
        let e = self.tessera_connector_target_connector();
        Ok(e.call_test_connection(store).await?.map_err(convert::error))
    }

    async fn list_accounts(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::AccountPage>> {
        let e = self.tessera_connector_target_connector();
        let page = e.call_list_accounts(store, cursor).await?;
        Ok(page.map_err(convert::error).and_then(convert::account_page))
    }

    async fn list_entitlements(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::EntitlementPage>> {
        let e = self.tessera_connector_target_connector();
        let page = e.call_list_entitlements(store, cursor).await?;
        Ok(page
            .map_err(convert::error)
            .and_then(convert::entitlement_page))
    }

    async fn list_memberships(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&str>,
    ) -> wasmtime::Result<Answer<d::MembershipPage>> {
        let e = self.tessera_connector_target_connector();
        let page = e.call_list_memberships(store, cursor).await?;
        Ok(page
            .map_err(convert::error)
            .and_then(convert::membership_page))
    }

    async fn correlate(
        &self,
        store: &mut Store<HostState>,
        attribute: &str,
        value: &str,
    ) -> wasmtime::Result<Answer<Option<d::Account>>> {
        let e = self.tessera_connector_target_connector();
        let found = e.call_correlate(store, attribute, value).await?;
        Ok(found
            .map(|a| a.map(convert::account))
            .map_err(convert::error))
    }

    async fn create(
        &self,
        store: &mut Store<HostState>,
        spec: &d::AccountSpec,
    ) -> wasmtime::Result<Answer<d::Account>> {
        let e = self.tessera_connector_target_connector();
        let created = e.call_create(store, &convert::spec_to_wit(spec)).await?;
        Ok(created.map(convert::account).map_err(convert::error))
    }

    async fn update(
        &self,
        store: &mut Store<HostState>,
        account: &str,
        changes: &[d::AttributeChange],
    ) -> wasmtime::Result<Answer<d::Account>> {
        let e = self.tessera_connector_target_connector();
        let changes = match convert::changes_to_wit(changes) {
            Ok(changes) => changes,
            Err(refused) => return Ok(Err(refused)),
        };
        let updated = e.call_update(store, account, &changes).await?;
        Ok(updated.map(convert::account).map_err(convert::error))
    }

    async fn enable(
        &self,
        store: &mut Store<HostState>,
        account: &str,
    ) -> wasmtime::Result<Answer<()>> {
        let e = self.tessera_connector_target_connector();
        Ok(e.call_enable(store, account).await?.map_err(convert::error))
    }

    async fn disable(
        &self,
        store: &mut Store<HostState>,
        account: &str,
    ) -> wasmtime::Result<Answer<()>> {
        let e = self.tessera_connector_target_connector();
        Ok(e.call_disable(store, account)
            .await?
            .map_err(convert::error))
    }

    async fn delete(
        &self,
        store: &mut Store<HostState>,
        account: &str,
    ) -> wasmtime::Result<Answer<()>> {
        let e = self.tessera_connector_target_connector();
        Ok(e.call_delete(store, account).await?.map_err(convert::error))
    }

    async fn grant(
        &self,
        store: &mut Store<HostState>,
        account: &str,
        entitlement: &d::EntitlementRef,
    ) -> wasmtime::Result<Answer<()>> {
        let e = self.tessera_connector_target_connector();
        let entitlement = convert::ref_to_wit(entitlement);
        let granted = e.call_grant(store, account, &entitlement).await?;
        Ok(granted.map_err(convert::error))
    }

    async fn revoke(
        &self,
        store: &mut Store<HostState>,
        account: &str,
        entitlement: &d::EntitlementRef,
    ) -> wasmtime::Result<Answer<()>> {
        let e = self.tessera_connector_target_connector();
        let entitlement = convert::ref_to_wit(entitlement);
        let revoked = e.call_revoke(store, account, &entitlement).await?;
        Ok(revoked.map_err(convert::error))
    }
}
