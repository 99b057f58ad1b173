//! Shared fixtures for the integration tests and benchmarks: where the test plugins are, and a
//! throw-away installation to put them in.

use std::path::{Path, PathBuf};

use tessera_runtime::{Installation, Runtime, RuntimeOptions};

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

/// A temporary installation: a config file, its lockfile and plugin store.
pub struct TestInstall {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The configuration file.
    pub config: PathBuf,
}

impl TestInstall {
    /// A new installation with the given `tessera.toml` text.
    pub fn new(config_text: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("tessera.toml");
        std::fs::write(&config, config_text).expect("write config");
        Self { dir, config }
    }

    /// Opens it.
    pub fn open(&self) -> Installation {
        Installation::open(&self.config).expect("installation opens")
    }

    /// Opens it and installs the named fixtures unsigned.
    pub fn with_plugins(&self, names: &[&str]) -> Installation {
        let inst = self.open();
        for name in names {
            inst.store
                .install(&fixture(name), None)
                .expect("fixture installs");
        }
        inst
    }
}

/// A runtime with default options.
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeOptions::default()).expect("runtime")
}
