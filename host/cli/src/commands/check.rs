//! `tessera check`: the configuration, the role model, the vault, the installed plugins and
//! each system's connection, with every problem listed at once.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;
use tessera_domain::{SourceConnector, TargetConnector};
use tessera_runtime::{Installation, OperatorConfig, Runtime, RuntimeOptions};

use super::context::{load_config, load_model, open_store};
use super::exit::Finished;

/// One finding.
#[derive(Debug, Serialize)]
struct Finding {
    /// Where: `rules`, `vault`, `systems.NAME`, …
    place: String,
    /// What is wrong, or what was checked.
    message: String,
}

#[derive(Debug, Default, Serialize)]
struct Report {
    problems: Vec<Finding>,
    passed: Vec<Finding>,
}

impl Report {
    fn problem(&mut self, place: &str, message: impl Into<String>) {
        self.problems.push(Finding {
            place: place.to_owned(),
            message: message.into(),
        });
    }

    fn pass(&mut self, place: &str, message: impl Into<String>) {
        self.passed.push(Finding {
            place: place.to_owned(),
            message: message.into(),
        });
    }
}

pub fn run(config_path: &Path, json: bool) -> Result<()> {
    // An unreadable configuration is a usage error on its own: nothing else can be checked.
    let config = load_config(config_path)?;
    let mut report = Report::default();
    check_rules(&config, &mut report);
    check_settings(&config, &mut report);
    check_vault(&config, &mut report);
    match Installation::open(config_path) {
        Ok(mut inst) => {
            // Without a usable vault (already reported) plugins still load; their secret
            // reads then fail and say so in the connection check.
            if let Ok(services) = crate::services::open_services(&inst.config) {
                inst.set_services(services);
            }
            super::block_on(check_systems(inst, &mut report))?;
        }
        Err(e) => report.problem("plugins", e.to_string()),
    }
    print(&report, json)?;
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(Finished::Failed(format!("{} problem(s) found", report.problems.len())).into())
    }
}

fn check_rules(config: &OperatorConfig, report: &mut Report) {
    let model = match load_model(config) {
        Ok(model) => model,
        Err(e) => return report.problem("rules", format!("{e:#}")),
    };
    let configured: BTreeSet<&str> = config.systems.keys().map(String::as_str).collect();
    for name in model.systems.keys() {
        if !configured.contains(name.as_str()) {
            report.problem(
                "rules",
                format!(
                    "[system.{name}] names a system that is not configured under [systems.{name}]"
                ),
            );
        }
    }
    for rule in &model.rules {
        for (system, entitlement) in &rule.grants {
            if !configured.contains(system.as_str()) {
                report.problem(
                    "rules",
                    format!(
                        "rule `{}` grants {}/{} in system `{system}`, which is not configured",
                        rule.name, entitlement.kind, entitlement.key
                    ),
                );
            }
        }
    }
    report.pass(
        "rules",
        format!(
            "{} business rules, {} target systems",
            model.rules.len(),
            model.systems.len()
        ),
    );
}

fn check_settings(config: &OperatorConfig, report: &mut Report) {
    for (name, spec) in &config.systems {
        let place = format!("systems.{name}");
        if let Err(e) = tessera_engine::settings::source_settings(name, spec.source.as_ref()) {
            report.problem(&place, e.to_string());
        }
        if let Err(e) = tessera_engine::settings::apply_settings(name, spec.apply.as_ref(), None) {
            report.problem(&place, e.to_string());
        }
    }
}

/// Every secret name the configuration refers to, with where.
fn referenced_secrets(config: &OperatorConfig) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, conn) in &config.ldap {
        out.extend(
            conn.bind_secret
                .iter()
                .map(|s| (s.clone(), format!("ldap.{name}.bind_secret"))),
        );
    }
    for (name, spec) in &config.systems {
        for (i, auth) in spec.http_auth.iter().enumerate() {
            out.extend(
                auth.secret_names()
                    .into_iter()
                    .map(|s| (s.to_owned(), format!("systems.{name}.http_auth[{i}]"))),
            );
        }
        out.extend(
            spec.grants
                .secrets
                .iter()
                .map(|s| (s.clone(), format!("systems.{name}.grants.secrets"))),
        );
        for (key, value) in &spec.config {
            if let Some(secret) = value.get("secret").and_then(toml::Value::as_str) {
                out.push((secret.to_owned(), format!("systems.{name}.config.{key}")));
            }
        }
    }
    out
}

fn check_vault(config: &OperatorConfig, report: &mut Report) {
    let wanted = referenced_secrets(config);
    let key = match crate::services::vault_key(config) {
        Ok(key) => key,
        Err(e) => return report.problem("vault", format!("{e:#}")),
    };
    if key.is_none() && !wanted.is_empty() {
        report.problem(
            "vault",
            format!(
                "no vault key, but {} secret(s) are referenced: {}",
                wanted.len(),
                crate::services::KEY_HINT
            ),
        );
    }
    let stored: BTreeSet<String> = match open_store(config).and_then(|s| Ok(s.secret_names()?)) {
        Ok(names) => names.into_iter().map(|i| i.name).collect(),
        Err(e) => return report.problem("store", format!("{e:#}")),
    };
    for (secret, place) in &wanted {
        if !stored.contains(secret) {
            report.problem(place, format!("secret `{secret}` is not in the vault; set it with `tessera secret set {secret}`"));
        }
    }
    report.pass(
        "vault",
        format!("{} secret reference(s) checked", wanted.len()),
    );
}

async fn check_systems(mut inst: Installation, report: &mut Report) {
    let runtime = match Runtime::new(RuntimeOptions::default()) {
        Ok(rt) => rt,
        Err(e) => return report.problem("runtime", e.to_string()),
    };
    let names: Vec<String> = inst.config.systems.keys().cloned().collect();
    for name in names {
        let place = format!("systems.{name}");
        let (system, warnings) = match inst.prepare(&runtime, &name) {
            Ok(prepared) => prepared,
            Err(e) => {
                report.problem(&place, e.to_string());
                continue;
            }
        };
        for warning in warnings {
            report.problem(&place, warning);
        }
        let answer = if system.is_source() {
            match system.source().await {
                Ok(mut s) => s.test_connection().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        } else {
            match system.target().await {
                Ok(mut t) => t.test_connection().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        };
        match answer {
            Ok(text) => report.pass(
                &place,
                format!("{}: connection ok ({text})", system.plugin()),
            ),
            Err(e) => report.problem(
                &place,
                format!("{}: test-connection failed: {e}", system.plugin()),
            ),
        }
    }
}

fn print(report: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    for f in &report.passed {
        println!("ok       {:<30} {}", f.place, f.message);
    }
    for f in &report.problems {
        println!("PROBLEM  {:<30} {}", f.place, f.message);
    }
    println!("{} problem(s)", report.problems.len());
    Ok(())
}
