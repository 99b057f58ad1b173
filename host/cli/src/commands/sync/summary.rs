//! What `tessera sync` reports per system, as JSON or as a table, and the exit code for it.

use anyhow::Result;
use serde_json::json;
use tessera_sync::{SyncOutcome, SystemSummary};

use crate::commands::exit::finish;
use crate::commands::table::Table;

/// The CHANGES cell: what the import or the plan and apply did.
fn changes(s: &SystemSummary) -> String {
    if let Some(i) = &s.import {
        let c = &i.counts;
        let verb = if i.committed { "" } else { " (not committed)" };
        return format!(
            "+{} ~{} -{} of {} persons{verb}",
            c.added, c.changed, c.removed, c.total
        );
    }
    let Some(p) = &s.plan else {
        return "-".to_owned();
    };
    let applied = s.apply.as_ref().map_or(String::new(), |a| {
        format!(
            ": {} done, {} failed",
            a.done + a.already_done,
            a.failed.len()
        )
    });
    let resumed: usize = s.resumed.iter().map(|r| r.done + r.recovered).sum();
    let resumed = if resumed > 0 {
        format!("; {resumed} finished from an earlier run")
    } else {
        String::new()
    };
    format!(
        "{} operations{applied}; {} blocked; {} deviations{resumed}",
        p.operations, p.blocked, p.deviations
    )
}

/// One row per system, then each system's notes.
pub fn render(summaries: &[SystemSummary]) -> String {
    let mut table = Table::new(&["SYSTEM", "KIND", "STATUS", "CHANGES"]);
    for s in summaries {
        table.row(vec![
            s.system.clone(),
            s.kind.to_owned(),
            s.status.as_str().to_owned(),
            changes(s),
        ]);
    }
    let mut out = table.render();
    for s in summaries {
        for note in &s.notes {
            out.push_str(&format!("{}: {note}\n", s.system));
        }
    }
    out
}

/// Prints plans (dry run), the summary, and turns the outcome into the exit code.
pub fn report(outcome: &SyncOutcome, json: bool) -> Result<()> {
    if json {
        let value = json!({
            "today": outcome.today,
            "dry_run": outcome.dry_run,
            "seconds": outcome.seconds,
            "systems": outcome.systems,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        for plan in outcome.systems.iter().filter_map(|s| s.planned.as_ref()) {
            println!("{}", plan.to_text());
        }
        print!("{}", render(&outcome.systems));
        println!("{}", outcome.seconds);
    }
    let failures: Vec<String> = outcome
        .failed()
        .map(|s| format!("{} failed", s.system))
        .collect();
    let blocks: Vec<String> = outcome
        .blocked()
        .map(|s| format!("{} held back", s.system))
        .collect();
    finish(&failures, &blocks)
}
