//! The exports of every WIT version in domain types, written once: each version's module
//! invokes these macros with its own `Source`, `Target` and `convert` in scope (conversions of
//! the same name in every `convert::vX_Y`), plus the functions only that version has.

/// `SourceExports for Source`: the functions of WIT 0.1, then `$extra`.
macro_rules! source_exports {
    ($($extra:tt)*) => {
        #[async_trait::async_trait]
        impl $crate::bindings::SourceExports for Source {
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

            $($extra)*
        }
    };
}

/// `TargetExports for Target`: the functions of WIT 0.1, then `$extra`.
macro_rules! target_exports {
    ($($extra:tt)*) => {
        #[async_trait::async_trait]
        impl $crate::bindings::TargetExports for Target {
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

            $($extra)*
        }
    };
}

pub(crate) use {source_exports, target_exports};
