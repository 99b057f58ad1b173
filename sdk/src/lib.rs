//! The Tessera plugin SDK.
//!
//! A plugin is a `cdylib` crate built for `wasm32-wasip2`. It implements [`Source`] or
//! [`Target`], describes itself in a `tessera.toml` beside its `Cargo.toml`, and calls
//! [`export_source!`] or [`export_target!`] once. The macro exports the world and writes the
//! manifest (id, version, configuration schema, requested capabilities) into the component, so
//! operators and security teams can read it without running the plugin. See `sdk/README.md`.
//!
//! Plugins are built against WIT 0.2.3 by default, the frozen 0.2.0 with the `wit-0-2-0`
//! feature, or the frozen 0.1.0 with the `wit-0-1` feature (for hosts that predate them). Plugin code is the same for both: [`types`] are the
//! SDK's own structs, and the export glue moves them into the records of the version built
//! for, WIT 0.2's pages with all their text in one string.
#![deny(missing_docs)]

#[doc(hidden)]
pub mod bindings;
pub mod config;
#[cfg(not(feature = "wit-0-1"))]
pub mod digest_feed;
mod error;
#[doc(hidden)]
pub mod export;
pub mod ldap;
pub mod listing;
pub mod log;
pub mod password;
pub mod rest;
#[cfg(not(any(feature = "wit-0-1", feature = "wit-0-2-0")))]
mod text_table;
mod traits;
pub mod types;
#[doc(hidden)]
pub mod wire;

pub use traits::{Source, Target, Tickets};

#[cfg(all(not(target_arch = "wasm32"), not(feature = "wit-0-1")))]
pub mod mock;

/// The host's capabilities, in the bindings of the WIT version the plugin is built for. Each
/// must be requested in `tessera.toml` and granted by the operator; calls outside the grant
/// return [`host::errors::HostError::Denied`]. Built for the machine the tests run on, the
/// same functions are answered by the [`mock`] host the test installs.
#[cfg(all(not(target_arch = "wasm32"), not(feature = "wit-0-1")))]
pub use mock::shim as host;

/// The host's capabilities, in the bindings of the WIT version the plugin is built for. Each
/// must be requested in `tessera.toml` and granted by the operator; calls outside the grant
/// return [`host::errors::HostError::Denied`].
#[cfg(any(target_arch = "wasm32", feature = "wit-0-1"))]
pub mod host {
    /// Read-only files of the granted directory; since WIT 0.2.1.
    #[cfg(not(any(feature = "wit-0-1", feature = "wit-0-2-0")))]
    pub use crate::bindings::source_world::tessera::host::files;
    pub use crate::bindings::source_world::tessera::host::{
        config, errors, http, ldap, log, vault, xml,
    };
}

pub use types::ConnectorError;

#[doc(hidden)]
pub use tessera_sdk_macros::manifest as __manifest;

/// The WIT release the plugin is built for, written into its manifest: `0.2.3`, or `0.2.0`
/// with the `wit-0-2-0` feature, or `0.1.0` with the `wit-0-1` feature.
pub const WIT_RELEASE: &str = bindings::RELEASE;

/// Writes the manifest for the WIT version of this build.
#[doc(hidden)]
#[cfg(not(any(feature = "wit-0-1", feature = "wit-0-2-0")))]
#[macro_export]
macro_rules! __manifest_for {
    ($kind:ident) => {
        $crate::__manifest!($kind, "0.2.3");
    };
}

/// Writes the manifest for the WIT version of this build.
#[doc(hidden)]
#[cfg(feature = "wit-0-2-0")]
#[macro_export]
macro_rules! __manifest_for {
    ($kind:ident) => {
        $crate::__manifest!($kind, "0.2.0");
    };
}

/// Writes the manifest for the WIT version of this build.
#[doc(hidden)]
#[cfg(feature = "wit-0-1")]
#[macro_export]
macro_rules! __manifest_for {
    ($kind:ident) => {
        $crate::__manifest!($kind, "0.1.0");
    };
}

/// Exports a [`Source`] implementation and embeds the plugin manifest.
#[macro_export]
macro_rules! export_source {
    ($plugin:ty) => {
        type __TesseraSource = $crate::export::SourceExport<$plugin>;
        $crate::bindings::source_world::__export_source_world!(
            __TesseraSource with_types_in $crate::bindings::source_world
        );
        $crate::__manifest_for!(source);
    };
}

/// Exports a [`Target`] implementation and embeds the plugin manifest.
#[macro_export]
macro_rules! export_target {
    ($plugin:ty) => {
        type __TesseraTarget = $crate::export::TargetExport<$plugin>;
        $crate::bindings::target_world::__export_target_world!(
            __TesseraTarget with_types_in $crate::bindings::target_world
        );
        $crate::__manifest_for!(target);
    };
}

/// Exports a [`Target`] that also implements [`Tickets`] (WIT 0.2.2) and embeds the plugin
/// manifest.
#[cfg(not(any(feature = "wit-0-1", feature = "wit-0-2-0")))]
#[macro_export]
macro_rules! export_ticketing_target {
    ($plugin:ty) => {
        $crate::export_target!($plugin);
        $crate::bindings::ticketing_world::__export_ticket_desk_world!(
            __TesseraTarget with_types_in $crate::bindings::ticketing_world
        );
    };
}

#[cfg(test)]
mod tests {
    /// The literal the manifest macro is given is the release the bindings were made from.
    #[test]
    fn the_manifest_names_the_release_of_the_bindings() {
        let literal = if cfg!(feature = "wit-0-1") {
            "0.1.0"
        } else if cfg!(feature = "wit-0-2-0") {
            "0.2.0"
        } else {
            "0.2.3"
        };
        assert_eq!(super::WIT_RELEASE, literal);
    }
}
