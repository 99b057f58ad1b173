//! An operator's installation: the configuration file, its lockfile, the plugin store and the
//! runtime. Resolves which exact plugin each system runs and keeps the lockfile honest.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::{
    Error, HostEnv, HostServices, InstalledPlugin, Lockfile, OperatorConfig, PluginStore,
    PreparedSystem, Result, Runtime, SignatureStatus,
};

/// Configuration, lockfile and store, opened together.
pub struct Installation {
    /// The configuration.
    pub config: OperatorConfig,
    /// The configuration file.
    pub config_path: PathBuf,
    /// The lockfile beside it.
    pub lock: Lockfile,
    /// The plugin store.
    pub store: PluginStore,
    /// Secrets, state, audit and LDAP connections for the capabilities.
    pub env: HostEnv,
}

impl Installation {
    /// Opens `tessera.toml`, `tessera.lock` beside it and the plugin store it names.
    pub fn open(config_path: &Path) -> Result<Self> {
        let config = OperatorConfig::load(config_path)?;
        let lock = Lockfile::load(&config_path.with_file_name("tessera.lock"))?;
        let p = &config.plugins;
        let store = PluginStore::open(&config.plugin_dir(), &p.trusted_keys, p.require_signatures)?;
        let env = HostEnv {
            ldap: config.ldap.clone(),
            ..HostEnv::default()
        };
        Ok(Self {
            env,
            config,
            config_path: config_path.to_owned(),
            lock,
            store,
        })
    }

    /// The exact plugin a system runs: the locked one (digest checked), or on first use the
    /// highest installed version matching the system's requirement, which is then locked.
    pub fn resolve(&mut self, system: &str) -> Result<(InstalledPlugin, Vec<u8>)> {
        let spec = self
            .config
            .systems
            .get(system)
            .ok_or_else(|| Error::Config {
                file: self.config_path.display().to_string(),
                problems: vec![format!(
                    "no system `{system}` (known: {})",
                    self.system_names().join(", ")
                )],
            })?;
        let pinned = self
            .lock
            .systems
            .get(system)
            .filter(|pin| pin.plugin == spec.plugin && spec.version.matches(&pin.version))
            .cloned();
        let (plugin, expected) = match pinned {
            Some(pin) => (self.store.get(&pin.plugin, &pin.version)?, pin.sha256),
            None => {
                let best = self.store.best(&spec.plugin, &spec.version)?;
                self.lock.pin(system, &best.id, &best.version, &best.sha256);
                self.lock.save()?;
                let sha = best.sha256.clone();
                (best, sha)
            }
        };
        if self.config.plugins.require_signatures && plugin.signature == SignatureStatus::Unsigned {
            return Err(Error::Signature {
                path: plugin.path.display().to_string(),
                message: "unsigned, and plugins.require_signatures = true".into(),
            });
        }
        let bytes = self
            .store
            .read_verified(&plugin, &expected, self.lock.path())?;
        Ok((plugin, bytes))
    }

    /// Resolves, compiles and links a system. Returns grant warnings alongside.
    pub fn prepare(
        &mut self,
        runtime: &Runtime,
        system: &str,
    ) -> Result<(PreparedSystem, Vec<String>)> {
        let (plugin, bytes) = self.resolve(system)?;
        let loaded = runtime.load_bytes(&bytes, &plugin.path.display().to_string())?;
        let spec = &self.config.systems[system];
        loaded.prepare(runtime, system, spec, &self.env)
    }

    /// Backs secrets, state and audit with `services` (the store, in the CLI) from now on.
    pub fn set_services(&mut self, services: Arc<dyn HostServices>) {
        self.env.services = services;
    }

    /// Moves every system using `plugin` to the highest installed version its requirement
    /// allows; returns (system, old, new) for those that changed.
    pub fn upgrade(&mut self, plugin: &str) -> Result<Vec<(String, Option<String>, String)>> {
        let mut changed = Vec::new();
        for (name, spec) in self
            .config
            .systems
            .iter()
            .filter(|(_, s)| s.plugin == plugin)
        {
            let best = self.store.best(plugin, &spec.version)?;
            let old = self.lock.systems.get(name).map(|e| e.version.to_string());
            if old.as_deref() != Some(best.version.to_string().as_str()) {
                self.lock.pin(name, &best.id, &best.version, &best.sha256);
                changed.push((name.clone(), old, best.version.to_string()));
            }
        }
        if changed.is_empty() && !self.config.systems.values().any(|s| s.plugin == plugin) {
            return Err(Error::Store(format!(
                "no configured system uses plugin `{plugin}`"
            )));
        }
        self.lock.save()?;
        Ok(changed)
    }

    /// Puts every system pinned to `plugin` back on its previous version.
    pub fn rollback(&mut self, plugin: &str) -> Result<Vec<(String, String)>> {
        let systems: Vec<String> = self
            .lock
            .systems
            .iter()
            .filter(|(_, e)| e.plugin == plugin)
            .map(|(s, _)| s.clone())
            .collect();
        if systems.is_empty() {
            return Err(Error::Store(format!(
                "no system is pinned to plugin `{plugin}`"
            )));
        }
        let mut out = Vec::new();
        for system in systems {
            let entry = self.lock.rollback(&system)?;
            out.push((system, entry.version.to_string()));
        }
        self.lock.save()?;
        Ok(out)
    }

    fn system_names(&self) -> Vec<String> {
        self.config.systems.keys().cloned().collect()
    }
}
