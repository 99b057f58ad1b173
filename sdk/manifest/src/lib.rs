//! The plugin manifest: what a Tessera plugin is and what it asks for.
//!
//! The SDK's export macro writes the manifest as JSON into the component's
//! [`SECTION`] custom section; the host reads it with [`ComponentInfo::parse`] without compiling
//! or running anything, and refuses a component whose real imports go beyond what the manifest
//! requests ([`ComponentInfo::check_imports`]). The operator's configuration for a system is
//! checked against the manifest's schema with [`validate_config`], every problem at once.
//!
//! Two tables here are shared with the host: [`HOST_INTERFACES`] (each `tessera:host`
//! interface, what requests it, what grants it) and [`SUPPORTED_WIT`] (the WIT versions the
//! host speaks).
#![deny(missing_docs)]

mod component;
mod config;
mod error;
mod files;
mod interfaces;
mod manifest;
mod origin;
mod wit;

pub use component::{ComponentInfo, ImportClass, classify_import};
pub use config::{ConfigProblem, ConfigValue, ResolvedConfig, validate_config};
pub use error::Error;
pub use files::refused_file_name;
pub use interfaces::{HOST_INTERFACES, HostInterface, host_interface};
pub use manifest::{Capabilities, ConfigField, FieldType, Kind, Manifest};
pub use origin::{Origin, OriginPattern};
pub use wit::{SUPPORTED_WIT, WIT_VERSION, supported_wit};

/// Name of the custom section that carries the manifest.
pub const SECTION: &str = "tessera:manifest";

/// Manifest format this crate writes and reads.
pub const FORMAT: u32 = 1;
