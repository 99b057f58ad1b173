//! Loading what a command needs, through the sync library, with the operator's identity.

use std::path::Path;

use anyhow::Result;
use tessera_config::Settings;
use tessera_engine::model::RoleModel;
use tessera_store::SqliteStore;

use super::exit::ConfigError;

/// The configuration alone.
pub fn settings(path: &Path) -> Result<Settings> {
    Ok(Settings::load(path)?)
}

/// The store the configuration names.
pub fn store(settings: &Settings) -> Result<SqliteStore> {
    Ok(tessera_sync::open_store(settings)?)
}

/// The role model from every file in `rules`, checked as one.
pub fn model(settings: &Settings) -> Result<RoleModel> {
    Ok(tessera_sync::load_model(settings)?)
}

/// The role model, refusing a `system` it does not know.
pub fn model_for(settings: &Settings, system: &str) -> Result<RoleModel> {
    let model = model(settings)?;
    if !model.systems.contains_key(system) {
        anyhow::bail!(tessera_engine::Error::UnknownSystem(system.to_owned()));
    }
    Ok(model)
}

/// Who is acting: `--by`, else `$USER`.
pub fn actor(by: Option<&str>) -> Result<String> {
    by.map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ConfigError("say who is acting with --by NAME".to_owned()).into())
}
