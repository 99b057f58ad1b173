//! Where the built plugins are.

use std::path::{Path, PathBuf};

/// A test plugin built by build.rs, by crate name (`good-source`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("TESSERA_FIXTURES")).join(format!("{}.wasm", name.replace('-', "_")))
}

/// A first-party plugin from `plugins/`, built by build.rs, by crate name (`elanza`).
pub fn plugin(name: &str) -> PathBuf {
    Path::new(env!("TESSERA_PLUGINS")).join(format!("{}.wasm", name.replace('-', "_")))
}

/// The bytes of a test plugin.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture built by build.rs")
}
