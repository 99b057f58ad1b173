//! Glue the export macros expand to; not part of the public API.

use std::cell::RefCell;
use std::thread::LocalKey;

use crate::ConnectorError;

/// Runs `f` on the run's plugin instance, building it with `new` on first use. The host gives
/// every run a fresh component instance, so this state lives exactly one run.
pub fn with<T, R>(
    cell: &'static LocalKey<RefCell<Option<T>>>,
    new: fn() -> Result<T, ConnectorError>,
    f: impl FnOnce(&mut T) -> Result<R, ConnectorError>,
) -> Result<R, ConnectorError> {
    cell.with(|slot| {
        let mut slot = slot.borrow_mut();
        let plugin = match slot.as_mut() {
            Some(plugin) => plugin,
            None => slot.insert(new()?),
        };
        f(plugin)
    })
}

/// Implements the generated target `Guest` trait by delegating to [`crate::Target`].
#[doc(hidden)]
#[macro_export]
macro_rules! __target_glue {
    ($export:ident, $cell:ident, $plugin:ty) => {
        impl $crate::bindings::target_world::exports::tessera::connector::target_connector::Guest
            for $export
        {
            fn describe() -> $crate::types::TargetInfo {
                <$plugin as $crate::Target>::describe()
            }
            fn test_connection() -> Result<String, $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.test_connection())
            }
            fn list_accounts(
                cursor: Option<String>,
            ) -> Result<$crate::types::AccountPage, $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.list_accounts(cursor))
            }
            fn list_entitlements(
                cursor: Option<String>,
            ) -> Result<$crate::types::EntitlementPage, $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.list_entitlements(cursor))
            }
            fn list_memberships(
                cursor: Option<String>,
            ) -> Result<$crate::types::MembershipPage, $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.list_memberships(cursor))
            }
            fn correlate(
                attribute: String,
                value: String,
            ) -> Result<Option<$crate::types::Account>, $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.correlate(&attribute, &value))
            }
            fn create(
                spec: $crate::types::AccountSpec,
            ) -> Result<$crate::types::Account, $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.create(spec))
            }
            fn update(
                account: String,
                changes: Vec<$crate::types::AttributeChange>,
            ) -> Result<$crate::types::Account, $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.update(&account, changes))
            }
            fn enable(account: String) -> Result<(), $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.enable(&account))
            }
            fn disable(account: String) -> Result<(), $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.disable(&account))
            }
            fn delete(account: String) -> Result<(), $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.delete(&account))
            }
            fn grant(
                account: String,
                entitlement: $crate::types::EntitlementRef,
            ) -> Result<(), $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.grant(&account, entitlement))
            }
            fn revoke(
                account: String,
                entitlement: $crate::types::EntitlementRef,
            ) -> Result<(), $crate::ConnectorError> {
                $crate::__target_call!($cell, $plugin, |p| p.revoke(&account, entitlement))
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __target_call {
    ($cell:ident, $plugin:ty, |$p:ident| $body:expr) => {
        $crate::export::with(
            &$cell,
            <$plugin as $crate::Target>::new,
            |$p: &mut $plugin| {
                use $crate::Target as _;
                $body
            },
        )
    };
}
