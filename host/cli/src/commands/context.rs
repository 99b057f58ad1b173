//! What the engine commands share: the configuration, the store, the role model and the day.

use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use tessera_engine::model::RoleModel;
use tessera_runtime::{Installation, OperatorConfig};
use tessera_store::Store;

use super::exit::ConfigError;

/// The day the engine plans for and the instant it records.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// The day.
    pub today: NaiveDate,
    /// The instant audit records and plans carry.
    pub now: DateTime<Utc>,
}

impl Clock {
    /// The real day, or the simulated one from `--today`.
    pub fn new(today: Option<NaiveDate>) -> Self {
        let now = Utc::now();
        match today {
            None => Self {
                today: now.date_naive(),
                now,
            },
            // The real time of day on the simulated day keeps audit records in order.
            Some(today) => Self {
                today,
                now: today.and_time(now.time()).and_utc(),
            },
        }
    }
}

/// The configuration alone, for commands that run no plugin.
pub fn load_config(path: &Path) -> Result<OperatorConfig> {
    OperatorConfig::load(path).map_err(|e| ConfigError(e.to_string()).into())
}

/// The installation, for commands that run plugins.
pub fn open_installation(path: &Path) -> Result<Installation> {
    let mut inst = Installation::open(path).map_err(|e| ConfigError(e.to_string()))?;
    // Plugins reach vault secrets, their state and the audit log through the store.
    inst.set_services(crate::services::open_services(&inst.config)?);
    Ok(inst)
}

/// The store the configuration names.
pub fn open_store(config: &OperatorConfig) -> Result<Store> {
    let path = config.store_path();
    Store::open(&path).with_context(|| format!("opening the store {}", path.display()))
}

/// The role model from every file in `rules`, checked as one.
pub fn load_model(config: &OperatorConfig) -> Result<RoleModel> {
    if config.rules.is_empty() {
        return Err(ConfigError(
            "no role model: add `rules = [\"roles.toml\"]` to the configuration".to_owned(),
        )
        .into());
    }
    let mut files = Vec::new();
    for path in &config.rules {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        files.push((path.display().to_string(), text));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(f, t)| (f.as_str(), t.as_str()))
        .collect();
    RoleModel::parse_files(&borrowed)
        .map_err(|e| ConfigError(format!("the role model has problems:\n{e}")).into())
}

/// Who is acting: `--by`, else `$USER`.
pub fn actor(by: Option<&str>) -> Result<String> {
    by.map(str::trim)
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ConfigError("say who is acting with --by NAME".to_owned()).into())
}
