//! `tessera check`: the sync library's check of the configuration, the role model, the
//! secrets, the installed plugins and each system's connection, every problem at once.

use std::path::Path;

use anyhow::Result;
use tessera_sync::CheckReport;

use super::exit::Finished;

pub fn run(config: &Path, json: bool) -> Result<()> {
    // An unreadable configuration is a usage error on its own: nothing else can be checked.
    let report = super::block_on(tessera_sync::check(config))??;
    print(&report, json)?;
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(Finished::Failed(format!("{} problem(s) found", report.problems.len())).into())
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
