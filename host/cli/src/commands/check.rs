//! `tessera check`: the sync library's check of the configuration, the role model, the
//! secrets, the installed plugins and each system's connection, every problem at once.

use std::path::Path;

use anyhow::Result;
use tessera_sync::CheckReport;

use super::exit::{ConfigError, Finished};

pub fn run(config: &Path, json: bool) -> Result<()> {
    // An unreadable configuration is a usage error on its own: nothing else can be checked.
    let report = super::block_on(tessera_sync::check(config))??;
    print(&report, json)?;
    let found = format!("{} problem(s) found", report.problems.len());
    // A file to fix exits like `run` and `sync` do on one (2); only failures outside the
    // files (a secret not set, a connection that failed) exit 1.
    if report.has_configuration_problems() {
        Err(ConfigError(found).into())
    } else if report.problems.is_empty() {
        Ok(())
    } else {
        Err(Finished::Failed(found).into())
    }
}

fn print(report: &CheckReport, json: bool) -> Result<()> {
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
