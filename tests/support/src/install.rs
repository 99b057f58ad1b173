//! A throw-away installation: a configuration file, its lockfile and a plugin store.

use std::path::{Path, PathBuf};

use tessera_config::Settings;
use tessera_runtime::{Plugins, Runtime, RuntimeOptions};

use crate::paths::fixture;

/// A temporary installation directory.
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

    /// A file in the installation directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the installation directory.
    pub fn write(&self, name: &str, text: &str) -> &Self {
        std::fs::write(self.path(name), text).expect("write file");
        self
    }

    /// The configuration, parsed.
    pub fn settings(&self) -> Settings {
        Settings::load(&self.config).expect("configuration parses")
    }

    /// The plugin store and lockfile.
    pub fn open(&self) -> Plugins {
        Plugins::open(&self.settings()).expect("plugin store opens")
    }

    /// Opens the plugin store and installs the named test plugins unsigned.
    pub fn with_plugins(&self, names: &[&str]) -> Plugins {
        let plugins = self.open();
        for name in names {
            plugins
                .store
                .install(&fixture(name), None)
                .expect("fixture installs");
        }
        plugins
    }

    /// Installs a plugin file unsigned.
    pub fn install(&self, file: &Path) -> &Self {
        self.open()
            .store
            .install(file, None)
            .expect("plugin installs");
        self
    }
}

/// A runtime with default options.
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeOptions::default()).expect("runtime")
}
