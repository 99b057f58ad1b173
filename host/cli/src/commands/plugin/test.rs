//! `tessera plugin test FILE --system NAME`: the contract of tessera-contract, run against a
//! built component linked for one configured system, without installing it, so a plugin's
//! author can try it against a real (or mock) system before anyone runs it for real.

mod case;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::Serialize;
use tessera_config::Settings;
use tessera_contract::{Broken, Outcome, TargetCase};
use tessera_domain::TargetConnector;
use tessera_runtime::{HostEnv, PreparedSystem, Runtime, RuntimeOptions};
use tessera_sync::{StoreServices, open_store, vault_key};

use crate::args::TestArgs;
use crate::commands::exit::{ConfigError, Finished};

/// What `plugin test` printed, `--json` as is.
#[derive(Debug, Serialize)]
struct Report {
    plugin: String,
    system: String,
    kind: &'static str,
    scenarios: Vec<Scenario>,
}

/// One scenario: the steps that passed, and the one that broke or why it did not run.
#[derive(Debug, Serialize)]
struct Scenario {
    name: &'static str,
    passed: Vec<&'static str>,
    broken: Option<BrokenStep>,
    skipped: Option<String>,
}

#[derive(Debug, Serialize)]
struct BrokenStep {
    step: &'static str,
    message: String,
}

impl Scenario {
    fn ran(name: &'static str, outcome: Outcome) -> Self {
        let (passed, broken) = match outcome {
            Ok(passed) => (passed, None),
            Err(Broken {
                step,
                message,
                passed,
            }) => (passed, Some(BrokenStep { step, message })),
        };
        Self {
            name,
            passed,
            broken,
            skipped: None,
        }
    }

    fn skipped(name: &'static str, why: &str) -> Self {
        Self {
            name,
            passed: Vec::new(),
            broken: None,
            skipped: Some(why.to_owned()),
        }
    }
}

/// Runs `plugin test` with the configuration at `config`.
pub fn run(config: &Path, args: &TestArgs) -> Result<()> {
    let settings = Settings::load(config)?;
    let runtime = Runtime::new(RuntimeOptions::default())?;
    let prepared = prepare(&runtime, &settings, &args.file, &args.system)?;
    let case = match (prepared.is_source(), &args.case) {
        (true, Some(path)) => return Err(source_with_case(&prepared, path)),
        (true, None) => None,
        (false, path) => Some(case::load(path.as_deref(), prepared.plugin())?),
    };
    let report = crate::commands::block_on(scenarios(&prepared, case.as_ref()))??;
    show(&report, args.json)?;
    verdict(&report)
}

/// Reads, checks and links `file` for `system`, with the store behind its secrets.
fn prepare(
    runtime: &Runtime,
    settings: &Settings,
    file: &Path,
    system: &str,
) -> Result<PreparedSystem> {
    let spec = settings.system(system)?;
    let bytes =
        std::fs::read(file).with_context(|| format!("reading the plugin {}", file.display()))?;
    let loaded = runtime.load_bytes(&bytes, &file.display().to_string())?;
    let env = host_env(settings)?;
    let (prepared, warnings) = loaded
        .prepare(runtime, system, spec, &env)
        .with_context(|| format!("linking {} for system `{system}`", file.display()))?;
    for warning in warnings {
        eprintln!("warning: {system}: {warning}");
    }
    Ok(prepared)
}

/// What the capabilities draw on, as for an installed plugin: the configuration's store and
/// vault key behind secrets, state and audit, and its LDAP connections.
fn host_env(settings: &Settings) -> Result<HostEnv> {
    let services = StoreServices::new(open_store(settings)?, vault_key(settings)?);
    Ok(HostEnv {
        services: Arc::new(services),
        ldap: settings.ldap.clone(),
    })
}

fn source_with_case(prepared: &PreparedSystem, path: &Path) -> anyhow::Error {
    ConfigError(format!(
        "--case {}: {} is a source plugin; a case is for targets only",
        path.display(),
        prepared.plugin()
    ))
    .into()
}

/// Runs the scenarios of the plugin's kind, each in a fresh instance; `run` gave a target,
/// and only a target, its case.
async fn scenarios(prepared: &PreparedSystem, case: Option<&case::Cases>) -> Result<Report> {
    let (kind, scenarios) = match case {
        None => ("source", vec![source(prepared).await?]),
        Some(case) => ("target", target(prepared, case).await?),
    };
    Ok(Report {
        plugin: prepared.plugin().to_owned(),
        system: prepared.system().to_owned(),
        kind,
        scenarios,
    })
}

async fn source(prepared: &PreparedSystem) -> Result<Scenario> {
    let mut conn = prepared.source().await?;
    let outcome = tessera_contract::source_steps(&mut conn).await;
    Ok(Scenario::ran("source", outcome.map(|(_, steps)| steps)))
}

/// The target scenario, then the change-feed one where the target declares a feed.
async fn target(prepared: &PreparedSystem, case: &case::Cases) -> Result<Vec<Scenario>> {
    let mut conn = prepared.target().await?;
    let first = Scenario::ran(
        "target",
        tessera_contract::target(&mut conn, &case.target).await,
    );
    if first.broken.is_some() {
        let why = "the target scenario broke";
        return Ok(vec![first, Scenario::skipped("feed", why)]);
    }
    let mut conn = prepared.target().await?;
    let feed = match conn.describe().await {
        Ok(info) if info.feed.is_none() => {
            Scenario::skipped("feed", "the target declares no change feed")
        }
        _ => feed(&mut conn, &case.feed).await,
    };
    Ok(vec![first, feed])
}

async fn feed(conn: &mut dyn TargetConnector, case: &TargetCase) -> Scenario {
    Scenario::ran("feed", tessera_contract::feed(conn, case).await)
}

fn show(report: &Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    println!(
        "{} ({}) as system `{}`",
        report.plugin, report.kind, report.system
    );
    for s in &report.scenarios {
        println!("{} scenario", s.name);
        for step in &s.passed {
            println!("  ok  {step}");
        }
        if let Some(b) = &s.broken {
            println!("  BROKEN {}: {}", b.step, b.message);
        }
        if let Some(why) = &s.skipped {
            println!("  skipped: {why}");
        }
    }
    Ok(())
}

/// Success when nothing broke; else the scenarios and steps that did, for the exit code.
fn verdict(report: &Report) -> Result<()> {
    let broken: Vec<String> = report
        .scenarios
        .iter()
        .filter_map(|s| {
            s.broken
                .as_ref()
                .map(|b| format!("{} at {}", s.name, b.step))
        })
        .collect();
    if broken.is_empty() {
        return Ok(());
    }
    let plugin = &report.plugin;
    let text = format!("{plugin} broke the contract: {}", broken.join(", "));
    Err(Finished::Failed(text).into())
}
