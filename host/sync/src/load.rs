//! The load stage: everything a run needs, read once from the configuration.

use std::env::VarError;
use std::path::Path;
use std::sync::Arc;

use tessera_config::{KEY_ENV, Settings};
use tessera_engine::model::RoleModel;
use tessera_engine::soll::{self, PersonSoll};
use tessera_runtime::{Plugins, Runtime, RuntimeOptions};
use tessera_store::{CheckpointKey, SqliteStore, VaultKey};
use zeroize::Zeroizing;

use crate::systems::{Kind, System, Systems};
use crate::{Clock, Error, Progress, Result, StoreServices, SyncOptions, SyncOutcome};

/// An operator's installation, loaded: the settings, the role model, the store, and the
/// installed plugins with the store behind their secrets, state and audit.
pub struct Installation {
    /// `tessera.toml`, parsed and checked.
    pub settings: Settings,
    /// The role model from every rule file, checked as one.
    pub model: RoleModel,
    /// The store.
    pub store: SqliteStore,
    /// The installed plugins and the runtime that runs them.
    pub host: PluginHost,
    /// Signs the audit chain's head after each run; `None` without a vault key.
    pub checkpoints: Option<Arc<CheckpointKey>>,
}

impl Installation {
    /// Loads the configuration, the role model, the vault key and the store, and opens the
    /// plugin store; the configuration and the role model are checked before the store is
    /// touched.
    pub fn open(config: &Path) -> Result<Self> {
        let settings = Settings::load(config)?;
        let model = load_model(&settings)?;
        // A system the model names but nobody configured would silently get no accounts.
        let unconfigured = unconfigured(&settings, &model);
        if !unconfigured.is_empty() {
            return Err(Error::Unconfigured(unconfigured));
        }
        let host = PluginHost::open(&settings)?;
        let store = open_store(&settings)?;
        let checkpoints = checkpoint_key(&settings)?;
        Ok(Self {
            settings,
            model,
            store,
            host,
            checkpoints,
        })
    }

    /// Compiles and links the plugin of every configured system, or of `only`; see
    /// [`PluginHost::systems`].
    pub fn systems(&mut self, only: Option<&str>) -> Result<Systems> {
        self.host.systems(&self.settings, only)
    }

    /// [`Installation::systems`] for a command that plans targets: `only` must name one.
    pub fn targets(&mut self, only: Option<&str>) -> Result<Systems> {
        let systems = self.systems(only)?;
        if let (Some(name), Some(first)) = (only, systems.systems.first())
            && first.kind() == Kind::Source
        {
            return Err(Error::NotATarget(name.to_owned()));
        }
        Ok(systems)
    }

    /// Runs every stage over `systems`; see [`crate::sync`].
    pub async fn sync(
        &self,
        systems: &Systems,
        options: SyncOptions,
        clock: Clock,
        progress: &dyn Progress,
    ) -> Result<SyncOutcome> {
        let mut options = options;
        if options.checkpoint.is_none() {
            options.checkpoint.clone_from(&self.checkpoints);
        }
        crate::sync(&self.store, &self.model, systems, options, clock, progress).await
    }

    /// What the role model gives one person today, and why; `None` for an unknown person.
    pub fn preview(&self, person: &str, clock: Clock) -> Result<Option<PersonSoll>> {
        Ok(soll::preview(
            &self.store,
            &self.model,
            person,
            clock.today,
        )?)
    }
}

/// The installed plugins, with the store behind their secrets, state and audit, and the wasm
/// runtime that compiles and runs them.
pub struct PluginHost {
    /// The plugin store and lockfile.
    pub plugins: Plugins,
    runtime: Option<Runtime>,
}

impl PluginHost {
    /// Opens the plugin store and lockfile, and a store connection of the plugins' own with
    /// the vault key, so a plugin's host calls never wait on the engine's in Rust (SQLite
    /// still serialises the writes).
    pub fn open(settings: &Settings) -> Result<Self> {
        let key = vault_key(settings)?;
        let mut plugins = Plugins::open(settings)?;
        if let Some(key) = &key {
            plugins.cache_compiled(key.compiled_cache_key());
        }
        let services = StoreServices::new(open_store(settings)?, key);
        plugins.set_services(Arc::new(services));
        Ok(Self {
            plugins,
            runtime: None,
        })
    }

    /// Compiles and links the plugin of every configured system, or of `only`. A system that
    /// cannot load is listed in [`Systems::failed`] and left out; an unknown name is an error.
    pub fn systems(&mut self, settings: &Settings, only: Option<&str>) -> Result<Systems> {
        if let Some(name) = only {
            settings.system(name)?;
        }
        let started = std::time::Instant::now();
        let runtime = match self.runtime.take() {
            Some(runtime) => runtime,
            None => Runtime::new(RuntimeOptions::default())?,
        };
        let mut systems = Systems::default();
        let chosen = settings
            .systems
            .iter()
            .filter(|(name, _)| only.is_none_or(|o| o == name.as_str()));
        for (name, spec) in chosen {
            match self.plugins.prepare(&runtime, name) {
                Ok((prepared, warnings)) => {
                    let warnings = warnings.into_iter().map(|w| (name.clone(), w));
                    systems.warnings.extend(warnings);
                    systems.systems.push(System {
                        name: name.clone(),
                        source: spec.source.clone(),
                        apply: spec.apply,
                        connect: Box::new(prepared),
                    });
                }
                Err(e) => systems.failed.push((name.clone(), format!("load: {e}"))),
            }
        }
        self.runtime = Some(runtime);
        systems.load_seconds = started.elapsed().as_secs_f64();
        if let Some((cached, compiled)) = self.plugins.compiled_cache().map(|c| c.counts()) {
            tracing::debug!(
                cached,
                compiled,
                seconds = systems.load_seconds,
                "plugins loaded"
            );
        }
        Ok(systems)
    }
}

/// The store the settings name.
pub fn open_store(settings: &Settings) -> Result<SqliteStore> {
    let path = &settings.store.path;
    SqliteStore::open(path).map_err(|source| Error::Store {
        path: path.clone(),
        source,
    })
}

/// The role model from every file in `rules`, checked as one.
pub fn load_model(settings: &Settings) -> Result<RoleModel> {
    if settings.rules.is_empty() {
        return Err(Error::NoRoleModel(settings.file.clone()));
    }
    let mut files = Vec::new();
    for path in &settings.rules {
        let text = std::fs::read_to_string(path).map_err(|source| Error::RuleFile {
            path: path.clone(),
            source,
        })?;
        files.push((path.display().to_string(), text));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    RoleModel::parse_files(&borrowed)
        .map(|model| model.in_zone(settings.timezone))
        .map_err(Error::Model)
}

/// Where the role model names a system `tessera.toml` does not configure: a `[system.NAME]`
/// table, or a rule granting in one.
pub fn unconfigured(settings: &Settings, model: &RoleModel) -> Vec<String> {
    let configured = |name: &str| settings.systems.contains_key(name);
    let tables = model.systems.keys().filter(|n| !configured(n)).map(|name| {
        format!("[system.{name}] names a system that is not configured under [systems.{name}]")
    });
    let grants = model.rules.iter().flat_map(|rule| {
        rule.entitlements
            .iter()
            .filter(|(system, _)| !configured(system))
            .map(|(system, e)| {
                format!(
                    "rule `{}` grants {}/{} in system `{system}`, which is not configured",
                    rule.name, e.kind, e.key
                )
            })
    });
    tables.chain(grants).collect()
}

/// The key that signs audit checkpoints, derived from the vault key; `None` without one.
pub fn checkpoint_key(settings: &Settings) -> Result<Option<Arc<CheckpointKey>>> {
    let key = vault_key(settings)?;
    Ok(key.map(|k| Arc::new(CheckpointKey::from_vault_key(&k))))
}

/// The vault key from `[vault] key_file`, else from the `TESSERA_VAULT_KEY` environment
/// variable; `None` when neither is set. A key that is set but unusable is an error.
pub fn vault_key(settings: &Settings) -> Result<Option<VaultKey>> {
    if let Some(path) = &settings.vault.key_file {
        return VaultKey::from_file(path)
            .map(Some)
            .map_err(|e| Error::VaultKey(e.to_string()));
    }
    match std::env::var(KEY_ENV) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            // An empty variable is how shells and service files spell "unset".
            if text.trim().is_empty() {
                return Ok(None);
            }
            VaultKey::from_hex(&text)
                .map(Some)
                .map_err(|e| Error::VaultKey(format!("{KEY_ENV}: {e}")))
        }
        Err(VarError::NotPresent) => Ok(None),
        Err(VarError::NotUnicode(_)) => {
            Err(Error::VaultKey(format!("{KEY_ENV} is not valid text")))
        }
    }
}
