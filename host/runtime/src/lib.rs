//! Tessera's plugin host.
//!
//! - [`Runtime`]: one wasmtime engine with the pooling allocator, epoch interruption and a
//!   ticker thread. It compiles a plugin once and prepares it per configured system.
//! - [`PreparedSystem`]: a plugin linked for one system with exactly the capabilities that are
//!   both requested by its manifest and granted by the operator; every run gets a fresh instance.
//! - [`WasmSource`] / [`WasmTarget`]: one run of a plugin, implementing the engine's
//!   [`tessera_domain::SourceConnector`] / [`tessera_domain::TargetConnector`].
//! - [`PluginStore`]: installed plugin versions side by side, signatures, the lockfile.
//!
//! Capabilities live in [`capability`], one module each, deny by default: a capability is
//! configured from the manifest's request and the operator's grant before first use, and a call
//! outside the grant returns a typed `denied` naming the configuration key that would allow it.
//! Which interfaces exist, what requests them and what grants them is one table,
//! [`tessera_manifest::HOST_INTERFACES`].
//!
//! Bindings are kept per frozen WIT version (`bindings/v0_1.rs`, …); a plugin is linked and run
//! in the bindings of the version its manifest names, so older plugins keep loading when a new
//! version ships.

mod bindings;
pub mod capability;
mod compiled;
mod connector;
mod convert;
mod error;
mod fault;
mod host_memory;
mod host_state;
mod plugin;
pub mod plugin_store;
mod plugins;
mod printable;
mod services;
mod wasm;

pub use compiled::CompiledCache;
pub use connector::{CallError, WasmSource, WasmTarget};
pub use error::{Error, Result};
pub use fault::{FaultKind, PluginFault};
pub use plugin::{LoadedPlugin, PreparedSystem};
pub use plugin_store::{InstalledPlugin, LockEntry, Lockfile, PluginStore, SignatureStatus};
pub use plugins::Plugins;
pub use services::{AccessEvent, HostEnv, HostServices, MemoryServices, ServiceError, StateScope};
use tessera_config::{HttpAuth, LdapConnection, LdapTls, Limits, SystemSettings};
pub use wasm::{Runtime, RuntimeOptions};
