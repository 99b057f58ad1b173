//! `check`: the configuration, the role model, the secrets, the installed plugins and each
//! system's connection, with every problem found at once.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tessera_config::Settings;
use tessera_domain::ConnectorError;
use tessera_runtime::{Plugins, Runtime, RuntimeOptions};
use tessera_store::Secrets;

use tessera_engine::ist;
use tessera_engine::model::{RoleModel, grant_problems};

use crate::systems::{Connect, Kind};
use crate::{KEY_HINT, Result, StoreServices, load_model, open_store, vault_key};

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Where: `rules`, `vault`, `systems.NAME`, …
    pub place: String,
    /// What is wrong, or what was checked.
    pub message: String,
    /// Whether a file must be fixed (`tessera.toml`, the role model, a plugin's configuration
    /// or version): the problems `run` and `sync` stop on with the same exit code.
    pub configuration: bool,
}

/// Every problem found, and what passed.
#[derive(Debug, Default, Serialize)]
pub struct CheckReport {
    /// What is wrong.
    pub problems: Vec<Finding>,
    /// What was checked and is fine.
    pub passed: Vec<Finding>,
}

impl CheckReport {
    /// A problem in a file the operator must fix.
    fn problem(&mut self, place: &str, message: impl Into<String>) {
        self.problems.push(Finding::new(place, message, true));
    }

    /// A problem outside the files: a secret not set, a store or connection that failed.
    fn failure(&mut self, place: &str, message: impl Into<String>) {
        self.problems.push(Finding::new(place, message, false));
    }

    fn pass(&mut self, place: &str, message: impl Into<String>) {
        self.passed.push(Finding::new(place, message, false));
    }

    /// Whether any problem is in a file (see [`Finding::configuration`]).
    pub fn has_configuration_problems(&self) -> bool {
        self.problems.iter().any(|f| f.configuration)
    }
}

impl Finding {
    fn new(place: &str, message: impl Into<String>, configuration: bool) -> Self {
        Self {
            place: place.to_owned(),
            message: message.into(),
            configuration,
        }
    }
}

/// Checks an installation. A configuration that cannot be read or parsed is an error: nothing
/// else can be checked without it. Everything after that is a finding.
pub async fn check(config: &Path) -> Result<CheckReport> {
    let settings = Settings::load(config)?;
    let mut report = CheckReport::default();
    let model = check_rules(&settings, &mut report);
    let key = check_vault(&settings, &mut report);
    match Plugins::open(&settings) {
        Ok(mut plugins) => {
            // Without a usable key (already reported) plugins still load; their secret reads
            // then fail and say so in the connection check.
            if let Ok(store) = open_store(&settings) {
                plugins.set_services(Arc::new(StoreServices::new(store, key)));
            }
            check_systems(&settings, model.as_ref(), plugins, &mut report).await;
        }
        Err(e) => report.problem("plugins", e.to_string()),
    }
    Ok(report)
}

/// The role model, checked against the configured systems; `None` when it cannot be read.
fn check_rules(settings: &Settings, report: &mut CheckReport) -> Option<RoleModel> {
    let model = match load_model(settings) {
        Ok(model) => model,
        Err(e) => {
            report.problem("rules", e.to_string());
            return None;
        }
    };
    for problem in crate::load::unconfigured(settings, &model) {
        report.problem("rules", problem);
    }
    report.pass(
        "rules",
        format!(
            "{} business rules, {} target systems",
            model.rules.len(),
            model.systems.len()
        ),
    );
    Some(model)
}

/// Checks that every secret the configuration names is set; returns the key if usable.
fn check_vault(settings: &Settings, report: &mut CheckReport) -> Option<tessera_store::VaultKey> {
    let wanted = settings.referenced_secrets();
    let key = match vault_key(settings) {
        Ok(key) => key,
        Err(e) => {
            report.failure("vault", e.to_string());
            return None;
        }
    };
    if key.is_none() && !wanted.is_empty() {
        report.failure(
            "vault",
            format!(
                "no vault key, but {} secret(s) are referenced: {KEY_HINT}",
                wanted.len()
            ),
        );
    }
    let names = open_store(settings).and_then(|s| Ok(s.secret_names()?));
    let stored: BTreeSet<String> = match names {
        Ok(names) => names.into_iter().map(|i| i.name).collect(),
        Err(e) => {
            report.failure("store", e.to_string());
            return key;
        }
    };
    for (secret, place) in &wanted {
        if !stored.contains(secret) {
            report.failure(
                place,
                format!(
                    "secret `{secret}` is not in the vault; set it with `tessera secret set {secret}`"
                ),
            );
        }
    }
    report.pass(
        "vault",
        format!("{} secret reference(s) checked", wanted.len()),
    );
    key
}

async fn check_systems(
    settings: &Settings,
    model: Option<&RoleModel>,
    mut plugins: Plugins,
    report: &mut CheckReport,
) {
    let runtime = match Runtime::new(RuntimeOptions::default()) {
        Ok(rt) => rt,
        Err(e) => return report.failure("runtime", e.to_string()),
    };
    for name in settings.systems.keys() {
        let place = format!("systems.{name}");
        let (system, warnings) = match plugins.prepare(&runtime, name) {
            Ok(prepared) => prepared,
            Err(e) => {
                if matches!(e, tessera_runtime::Error::Config { .. }) {
                    report.problem(&place, e.to_string());
                } else {
                    report.failure(&place, e.to_string());
                }
                continue;
            }
        };
        for warning in warnings {
            report.problem(&place, warning);
        }
        let plugin = Connect::plugin(&system).to_owned();
        match test_connection(&system).await {
            Ok(text) => {
                report.pass(&place, format!("{plugin}: connection ok ({text})"));
                if let (Some(model), Kind::Target) = (model, system.kind()) {
                    check_grants(model, name, &system, report).await;
                }
            }
            // The plugin refused its configuration before connecting: a configuration
            // problem at the key it names, not a failed connection.
            Err(Failed::Config { field, message }) => {
                report.problem(&format!("{place}.config.{field}"), message);
            }
            Err(Failed::Other(e)) => {
                report.failure(&place, format!("{plugin}: test-connection failed: {e}"));
            }
        }
    }
}

/// The rules' grants in `name` against the kinds the target declares and the catalogue it
/// lists now.
async fn check_grants(
    model: &RoleModel,
    name: &str,
    system: &dyn Connect,
    report: &mut CheckReport,
) {
    let read = async {
        let mut target = system.target().await.map_err(|e| e.to_string())?;
        let info = ist::describe(name, target.as_mut())
            .await
            .map_err(|e| e.to_string())?;
        let catalogue = ist::read_catalogue(name, target.as_mut())
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((info.entitlement_kinds, catalogue))
    };
    match read.await {
        Ok((kinds, catalogue)) => {
            for problem in grant_problems(model, name, &kinds, &catalogue) {
                report.problem("rules", problem);
            }
            report.pass(
                "rules",
                format!(
                    "grants in `{name}` checked against its {} catalogue entries",
                    catalogue.len()
                ),
            );
        }
        Err(e) => report.failure(&format!("systems.{name}"), format!("catalogue: {e}")),
    }
}

/// Why a connection test failed.
enum Failed {
    /// The plugin refused a configuration value.
    Config {
        field: String,
        message: String,
    },
    Other(String),
}

async fn test_connection(system: &dyn Connect) -> std::result::Result<String, Failed> {
    let answer = match system.kind() {
        Kind::Source => match system.source().await {
            Ok(mut s) => s.test_connection().await,
            Err(e) => return Err(Failed::Other(e.to_string())),
        },
        Kind::Target => match system.target().await {
            Ok(mut t) => t.test_connection().await,
            Err(e) => return Err(Failed::Other(e.to_string())),
        },
    };
    answer.map_err(|e| match e {
        ConnectorError::Invalid { field, message } if !field.is_empty() => {
            Failed::Config { field, message }
        }
        other => Failed::Other(other.to_string()),
    })
}
