//! The Tessera plugin SDK.
//!
//! A plugin is a `cdylib` crate built for `wasm32-wasip2`. It implements [`Source`] or
//! [`Target`], describes itself in a `tessera.toml` beside its `Cargo.toml`, and calls
//! [`export_source!`] or [`export_target!`] once. The macro exports the world and writes the
//! manifest (id, version, configuration schema, requested capabilities) into the component, so
//! operators and security teams can read it without running the plugin. See `sdk/README.md`.
#![deny(missing_docs)]

#[doc(hidden)]
pub mod bindings;
pub mod config;
mod error;
#[doc(hidden)]
pub mod export;
pub mod ldap;
pub mod listing;
pub mod log;
mod traits;

pub use traits::{Source, Target};

/// The records that cross the plugin boundary.
pub mod types {
    pub use crate::bindings::source_world::tessera::connector::types::*;
}

/// The host's capabilities. Each must be requested in `tessera.toml` and granted by the
/// operator; calls outside the grant return [`host::errors::HostError::Denied`].
pub mod host {
    pub use crate::bindings::source_world::tessera::host::{
        config, errors, http, ldap, log, vault, xml,
    };
}

pub use types::ConnectorError;

#[doc(hidden)]
pub use tessera_sdk_macros::manifest as __manifest;

/// Exports a [`Source`] implementation and embeds the plugin manifest.
#[macro_export]
macro_rules! export_source {
    ($plugin:ty) => {
        struct __TesseraSource;
        ::std::thread_local! {
            static __TESSERA_INSTANCE: ::std::cell::RefCell<::std::option::Option<$plugin>> =
                const { ::std::cell::RefCell::new(::std::option::Option::None) };
        }
        impl $crate::bindings::source_world::exports::tessera::connector::source_connector::Guest
            for __TesseraSource
        {
            fn describe() -> $crate::types::SourceInfo {
                <$plugin as $crate::Source>::describe()
            }
            fn test_connection() -> ::std::result::Result<::std::string::String, $crate::ConnectorError> {
                $crate::export::with(&__TESSERA_INSTANCE, <$plugin as $crate::Source>::new, |p| $crate::Source::test_connection(p))
            }
            fn read(
                cursor: ::std::option::Option<::std::string::String>,
            ) -> ::std::result::Result<$crate::types::SourcePage, $crate::ConnectorError> {
                $crate::export::with(&__TESSERA_INSTANCE, <$plugin as $crate::Source>::new, |p| $crate::Source::read(p, cursor))
            }
        }
        $crate::bindings::source_world::__export_source_world!(__TesseraSource with_types_in $crate::bindings::source_world);
        $crate::__manifest!(source);
    };
}

/// Exports a [`Target`] implementation and embeds the plugin manifest.
#[macro_export]
macro_rules! export_target {
    ($plugin:ty) => {
        struct __TesseraTarget;
        ::std::thread_local! {
            static __TESSERA_INSTANCE: ::std::cell::RefCell<::std::option::Option<$plugin>> =
                const { ::std::cell::RefCell::new(::std::option::Option::None) };
        }
        $crate::__target_glue!(__TesseraTarget, __TESSERA_INSTANCE, $plugin);
        $crate::bindings::target_world::__export_target_world!(__TesseraTarget with_types_in $crate::bindings::target_world);
        $crate::__manifest!(target);
    };
}
