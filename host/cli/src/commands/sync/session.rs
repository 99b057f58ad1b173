//! What a sync or plan opens before its stages: the installation, the role model, the lock
//! on the store, the store and the runtime, and every system's settings checked.

use std::path::Path;

use anyhow::{Context, Result};
use tessera_engine::model::RoleModel;
use tessera_engine::settings;
use tessera_runtime::{Installation, Runtime, RuntimeOptions};
use tessera_store::Store;

use super::{SystemRun, SystemSummary};
use crate::commands::context::{load_model, open_installation, open_store};
use crate::commands::exit::ConfigError;

/// What a sync opens before its stages: installation, role model, store and runtime.
pub(super) struct Session {
    /// Held while the session lives: one sync (or plan) per store at a time.
    pub(super) _lock: std::fs::File,
    pub(super) inst: Installation,
    pub(super) model: RoleModel,
    pub(super) store: Store,
    pub(super) runtime: Runtime,
    pub(super) runs: Vec<SystemRun>,
}

/// Opens everything, checking the configuration and the role model before touching the store.
pub(super) fn open_session(config: &Path, only: Option<&str>) -> Result<Session> {
    let inst = open_installation(config)?;
    let model = load_model(&inst.config)?;
    let runs = read_settings(&inst, only)?;
    let lock = lock_store(&inst.config.store_path())?;
    let store = open_store(&inst.config)?;
    let runtime = Runtime::new(RuntimeOptions::default()).context("starting the wasm runtime")?;
    Ok(Session {
        _lock: lock,
        inst,
        model,
        store,
        runtime,
        runs,
    })
}

/// Takes `<store>.lock`, so that two runs never read, plan and apply against one store at
/// once (their plans would be made from each other's half-written shadows).
fn lock_store(store: &Path) -> Result<std::fs::File> {
    let mut name = store.as_os_str().to_owned();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another tessera sync or plan is running on this store ({} is locked); \
             try again when it has finished",
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Every system's source and apply tables (or only one system's), checked before anything
/// runs.
fn read_settings(inst: &Installation, only: Option<&str>) -> Result<Vec<SystemRun>> {
    let config = &inst.config;
    if let Some(name) = only.filter(|n| !config.systems.contains_key(*n)) {
        let known: Vec<&str> = config.systems.keys().map(String::as_str).collect();
        anyhow::bail!(ConfigError(format!(
            "no system `{name}` in {} (known: {})",
            inst.config_path.display(),
            known.join(", ")
        )));
    }
    let mut runs = Vec::new();
    let mut problems = Vec::new();
    for (name, spec) in &config.systems {
        if only.is_some_and(|o| o != name) {
            continue;
        }
        let source = settings::source_settings(name, spec.source.as_ref());
        let apply = settings::apply_settings(name, spec.apply.as_ref(), None);
        match (source, apply) {
            (Ok(source), Ok(apply)) => runs.push(SystemRun {
                prepared: None,
                source,
                apply,
                pool: Vec::new(),
                info: None,
                plan: None,
                summary: SystemSummary::new(name),
            }),
            (s, a) => problems.extend(s.err().into_iter().chain(a.err()).map(|e| e.to_string())),
        }
    }
    if !problems.is_empty() {
        let file = inst.config_path.display();
        anyhow::bail!(ConfigError(format!("{file}: {}", problems.join("\n  "))));
    }
    Ok(runs)
}
