//! `tessera plan` and `tessera deviations`: a dry run of the sync library (the targets read
//! and compared with what the role model wants; nothing stored or applied).

use super::Day;
use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};
use tessera_engine::plan::{Deviation, Plan};
use tessera_store::{Approvals, BlockedStatus, SqliteStore};
use tessera_sync::{Clock, Installation, Mode, Status, SyncOptions, SystemSummary};

use super::approve::{pending_table, to_json};
use super::exit::finish;
use super::sync::Bars;
use super::table::Table;
use crate::args::PlanArgs;

/// The dry run, and the installation for what else the command shows; sources are left out
/// of the summaries.
fn dry_run(
    config: &Path,
    day: Day,
    args: &PlanArgs,
) -> Result<(Installation, Vec<SystemSummary>, Clock)> {
    let mut installation = Installation::open(config)?;
    let clock = day.clock(&installation.settings);
    let systems = installation.targets(args.system.as_deref())?;
    super::print_warnings(&systems);
    let options = SyncOptions {
        dry_run: true,
        force: false,
        mode: Mode::Full,
        ..SyncOptions::default()
    };
    let bars = Bars::new(args.json);
    let outcome = super::block_on(installation.sync(&systems, options, clock, &bars))??;
    let targets = outcome.systems.into_iter().filter(|s| s.kind != "source");
    Ok((installation, targets.collect(), clock))
}

pub fn run(config: &Path, day: Day, args: &PlanArgs) -> Result<()> {
    let (installation, mut summaries, clock) = dry_run(config, day, args)?;
    let store = &installation.store;
    let pending = store.blocked_actions(args.system.as_deref(), BlockedStatus::Blocked)?;
    label_blocked(store, &mut summaries)?;
    let plans: Vec<&Plan> = summaries
        .iter()
        .filter_map(|s| s.planned.as_ref())
        .collect();
    if args.json {
        let value = json!({
            "today": clock.today,
            "plans": plans,
            "failed": failures(&summaries)
                .into_iter()
                .map(|(system, error)| json!({"system": system, "error": error}))
                .collect::<Vec<Value>>(),
            "pending_approvals": pending.iter().map(to_json).collect::<Vec<Value>>(),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        for plan in &plans {
            println!("{}", plan.to_text());
        }
        for (system, why) in failures(&summaries) {
            println!("{system}: {why}");
        }
        if !pending.is_empty() {
            println!("waiting for approval (from the last sync):");
            print!("{}", pending_table(&pending));
        }
    }
    outcome(&summaries)
}

pub fn deviations(config: &Path, day: Day, args: &PlanArgs) -> Result<()> {
    let (_, summaries, _) = dry_run(config, day, args)?;
    let found: Vec<&Deviation> = summaries
        .iter()
        .filter_map(|s| s.planned.as_ref())
        .flat_map(|p| &p.deviations)
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else if found.is_empty() {
        println!("no deviations");
    } else {
        print!("{}", deviations_table(&found));
    }
    for (system, why) in failures(&summaries) {
        eprintln!("{system}: {why}");
    }
    let failed: Vec<String> = failures(&summaries).into_iter().map(|(s, _)| s).collect();
    finish(&failed, &[])
}

fn deviations_table(found: &[&Deviation]) -> String {
    let mut table = Table::new(&[
        "SYSTEM",
        "ACCOUNT",
        "USER",
        "OWNER",
        "ENTITLEMENT",
        "POLICY",
    ]);
    for d in found {
        table.row(vec![
            d.system.clone(),
            d.account.clone(),
            d.username.clone().unwrap_or_default(),
            d.person.clone().unwrap_or_else(|| "-".to_owned()),
            d.shown(),
            format!("{:?}", d.policy).to_lowercase(),
        ]);
    }
    table.render()
}

/// Gives blocked operations the id of the matching action the last sync stored, so the
/// operator knows what to approve.
fn label_blocked(store: &SqliteStore, summaries: &mut [SystemSummary]) -> Result<()> {
    for plan in summaries.iter_mut().filter_map(|s| s.planned.as_mut()) {
        let ids: HashMap<String, i64> = store
            .blocked_actions(Some(&plan.system), BlockedStatus::Blocked)?
            .into_iter()
            .map(|b| (b.op_key, b.id))
            .collect();
        for b in &mut plan.blocked {
            b.blocked_id = ids.get(&b.planned.key).copied();
        }
    }
    Ok(())
}

fn failures(summaries: &[SystemSummary]) -> Vec<(String, String)> {
    summaries
        .iter()
        .filter(|s| s.status == Status::Failed)
        .map(|s| (s.system.clone(), s.notes.join("; ")))
        .collect()
}

/// Failed systems give 1; blocked actions in a plan give 3, as a sync would.
fn outcome(summaries: &[SystemSummary]) -> Result<()> {
    let failed: Vec<String> = failures(summaries)
        .into_iter()
        .map(|(s, _)| format!("{s} failed"))
        .collect();
    let blocked: Vec<String> = summaries
        .iter()
        .filter(|s| s.status == Status::Blocked)
        .map(|s| format!("{} has actions a threshold holds back", s.system))
        .collect();
    finish(&failed, &blocked)
}
