//! The installed plugins of an installation: the plugin store, the lockfile beside the
//! configuration, and what the capabilities draw on. Resolves which exact plugin each system
//! runs and keeps the lockfile honest.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tessera_config::{Settings, SystemSettings};

use zeroize::Zeroizing;

use crate::{
    CompiledCache, Error, HostEnv, HostServices, InstalledPlugin, Lockfile, PluginStore,
    PreparedSystem, Result, Runtime,
};

/// The plugin store and lockfile, opened for the configured systems.
pub struct Plugins {
    /// The plugin store.
    pub store: PluginStore,
    /// The lockfile beside the configuration.
    pub lock: Lockfile,
    /// Secrets, state, audit and LDAP connections for the capabilities.
    pub env: HostEnv,
    systems: BTreeMap<String, SystemSettings>,
    config_file: PathBuf,
    /// Compiled plugins on disk; `None` until a key is set, and then nothing is cached.
    compiled: Option<CompiledCache>,
}

impl Plugins {
    /// Opens the plugin store and the lockfile the settings name.
    pub fn open(settings: &Settings) -> Result<Self> {
        let p = &settings.plugins;
        let store = PluginStore::open(&p.dir, &p.trusted_keys, p.require_signatures)?;
        let env = HostEnv {
            ldap: settings.ldap.clone(),
            ..HostEnv::default()
        };
        Ok(Self {
            store,
            lock: Lockfile::load(&settings.lockfile())?,
            env,
            systems: settings.systems.clone(),
            config_file: settings.file.clone(),
            compiled: None,
        })
    }

    fn spec(&self, system: &str) -> Result<&SystemSettings> {
        self.systems.get(system).ok_or_else(|| Error::Config {
            file: self.config_file.display().to_string(),
            problems: vec![format!(
                "no system `{system}` (known: {})",
                self.systems.keys().cloned().collect::<Vec<_>>().join(", ")
            )],
        })
    }

    /// The exact plugin a system runs: the locked one (digest checked), or on first use the
    /// highest installed version matching the system's requirement, which is then locked.
    pub fn resolve(&mut self, system: &str) -> Result<(InstalledPlugin, Vec<u8>)> {
        let spec = self.spec(system)?;
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
                self.lock.pin(
                    system,
                    &best.id,
                    &best.version,
                    &best.sha256,
                    best.source.as_deref(),
                );
                self.lock.save()?;
                let sha = best.sha256.clone();
                (best, sha)
            }
        };
        let (bytes, signature) = self
            .store
            .read_for_load(&plugin, &expected, self.lock.path())?;
        // The digest the bytes were checked against, not meta.json's, which is not trusted.
        let plugin = InstalledPlugin {
            signature,
            sha256: expected,
            ..plugin
        };
        Ok((plugin, bytes))
    }

    /// Resolves, compiles and links a system. Returns grant warnings alongside.
    pub fn prepare(
        &mut self,
        runtime: &Runtime,
        system: &str,
    ) -> Result<(PreparedSystem, Vec<String>)> {
        let (plugin, bytes) = self.resolve(system)?;
        let label = plugin.path.display().to_string();
        let loaded = match &self.compiled {
            // `resolve` checked the bytes against this digest.
            Some(cache) => runtime.load_cached(&bytes, &label, cache, &plugin.sha256)?,
            None => runtime.load_bytes(&bytes, &label)?,
        };
        loaded.prepare(runtime, system, self.spec(system)?, &self.env)
    }

    /// Keeps compiled plugins in the store's cache, authenticated under `key` (derived from
    /// the vault key), so later runs skip compiling.
    pub fn cache_compiled(&mut self, key: Zeroizing<[u8; 32]>) {
        self.compiled = Some(CompiledCache::new(self.store.compiled_dir(), key));
    }

    /// The compiled-plugin cache, when one is set.
    pub fn compiled_cache(&self) -> Option<&CompiledCache> {
        self.compiled.as_ref()
    }

    /// Backs secrets, state and audit with `services` (the store, in an installation) from
    /// now on.
    pub fn set_services(&mut self, services: Arc<dyn HostServices>) {
        self.env.services = services;
    }

    /// Moves every system using `plugin` to the highest installed version its requirement
    /// allows; returns (system, old, new) for those that changed.
    pub fn upgrade(&mut self, plugin: &str) -> Result<Vec<(String, Option<String>, String)>> {
        let mut changed = Vec::new();
        let users = self.systems.iter().filter(|(_, s)| s.plugin == plugin);
        for (name, spec) in users {
            let best = self.store.best(plugin, &spec.version)?;
            let old = self.lock.systems.get(name).map(|e| e.version.to_string());
            if old.as_deref() != Some(best.version.to_string().as_str()) {
                self.lock.pin(
                    name,
                    &best.id,
                    &best.version,
                    &best.sha256,
                    best.source.as_deref(),
                );
                changed.push((name.clone(), old, best.version.to_string()));
            }
        }
        if changed.is_empty() && !self.systems.values().any(|s| s.plugin == plugin) {
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
}
