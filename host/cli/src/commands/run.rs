//! `tessera run SYSTEM`: one run of one system, to see a plugin work with its grants.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;
use tessera_domain::{SourceConnector, TargetConnector};
use tessera_runtime::{Installation, PreparedSystem, Runtime, RuntimeOptions};

/// Pages read before giving up on a source or listing that never ends.
const MAX_PAGES: usize = 100_000;

pub fn run(config: &Path, system: &str, json: bool) -> Result<()> {
    let mut inst =
        Installation::open(config).with_context(|| format!("opening {}", config.display()))?;
    let runtime = Runtime::new(RuntimeOptions::default())?;
    inst.set_services(crate::services::open_services(&inst.config)?);
    let (prepared, warnings) = inst.prepare(&runtime, system)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let report = super::block_on(run_prepared(&prepared))??;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&report)?
                .replace(['{', '}', '"', ','], "")
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}

/// Runs a prepared system once and reports what it saw.
pub(crate) async fn run_prepared(prepared: &PreparedSystem) -> Result<serde_json::Value> {
    let base = json!({"system": prepared.system(), "plugin": prepared.plugin(), "grant": prepared.effective_grant()});
    match prepared.is_source() {
        true => {
            let mut source = prepared.source().await?;
            let connection = source.test_connection().await;
            let (mut persons, mut contracts, mut warnings, mut cursor) =
                (0usize, 0usize, 0usize, None);
            for _ in 0..MAX_PAGES {
                let page = source
                    .read(cursor.take())
                    .await
                    .with_context(|| format!("system `{}`: read", prepared.system()))?;
                persons += page.persons.len();
                contracts += page
                    .persons
                    .iter()
                    .map(|p| p.contracts.len())
                    .sum::<usize>();
                warnings += page.warnings.len();
                cursor = page.next_cursor;
                if cursor.is_none() {
                    break;
                }
            }
            Ok(merge(
                base,
                json!({"kind": "source", "connection": connection.map_err(|e| e.to_string()), "persons": persons, "contracts": contracts, "warnings": warnings}),
            ))
        }
        false => {
            let mut target = prepared.target().await?;
            let info = target.describe().await?;
            let connection = target.test_connection().await;
            let (mut accounts, mut cursor) = (0usize, None);
            for _ in 0..MAX_PAGES {
                let page = target
                    .list_accounts(cursor.take())
                    .await
                    .with_context(|| format!("system `{}`: list-accounts", prepared.system()))?;
                accounts += page.accounts.len();
                cursor = page.next_cursor;
                if cursor.is_none() {
                    break;
                }
            }
            Ok(merge(
                base,
                json!({"kind": "target", "connection": connection.map_err(|e| e.to_string()), "entitlement_kinds": info.entitlement_kinds, "serial_writes": info.serial_writes, "accounts": accounts}),
            ))
        }
    }
}

fn merge(mut a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    if let (Some(a), serde_json::Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}
