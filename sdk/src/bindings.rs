//! Generated bindings of the WIT version a plugin is built for: 0.2.3 by default, the frozen
//! 0.2.0 with the `wit-0-2-0` feature, the frozen 0.1.0 with the `wit-0-1` feature. Only one version is compiled, so every helper of the SDK
//! (config, log, LDAP, …) imports the host interfaces of that same version; a component mixing
//! versions would be refused by the host.
//!
//! Re-exported here without a version, so the export macros and the public `host` module
//! name none.

#[cfg(feature = "wit-0-1")]
pub mod v0_1;
#[cfg(not(feature = "wit-0-1"))]
pub mod v0_2;

#[cfg(feature = "wit-0-1")]
pub use v0_1::{RELEASE, source_world, target_world};
#[cfg(not(any(feature = "wit-0-1", feature = "wit-0-2-0")))]
pub use v0_2::ticketing_world;
#[cfg(not(feature = "wit-0-1"))]
pub use v0_2::{RELEASE, source_world, target_world};
