//! Generated bindings, one module per frozen WIT version. The SDK builds plugins against the
//! newest one (`tessera_manifest::WIT_VERSION`, written into every manifest), re-exported
//! here so the export macros and the public `types` / `host` modules name no version.
//!
//! WIT 0.2 arrives as `v0_2.rs` and a changed re-export; the host keeps the bindings of every
//! version, so plugins built with this SDK keep loading.

pub mod v0_1;

pub use v0_1::{source_world, target_world};
