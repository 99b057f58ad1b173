//! `tessera approve ID` and `tessera approve --list`: actions a target threshold held back,
//! approved one by one.

use super::Day;
use std::path::Path;

use anyhow::{Result, bail};
use serde_json::{Value, json};
use tessera_engine::decisions::{self, Verdict};
use tessera_store::{Approvals, BlockedAction, BlockedStatus, SqliteStore};

use super::ConfigError;
use super::loaders::{actor, settings, store};
use super::table::Table;
use crate::args::ApproveArgs;

pub fn run(config: &Path, day: Day, args: &ApproveArgs, verdict: Verdict) -> Result<()> {
    let settings = settings(config)?;
    let clock = day.clock(&settings);
    let store = store(&settings)?;
    if args.list {
        return list(&store, args.json);
    }
    let by = actor(args.by.as_deref())?;
    let ids = chosen(&store, args)?;
    let reason = args
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_none() && (ids.len() > 1 || args.all || verdict == Verdict::Reject) {
        bail!(ConfigError(
            "a rejection, and a decision on more than one action, needs --reason".to_owned()
        ));
    }
    if ids.is_empty() {
        println!("nothing waits for a decision");
        return Ok(());
    }
    // All or nothing: every action must still be waiting before any is decided.
    for id in &ids {
        let action = store.blocked_action(*id)?;
        if action.status != BlockedStatus::Blocked {
            bail!(
                "#{id} is {:?}, not waiting; nothing was decided",
                action.status
            );
        }
    }
    let word = match verdict {
        Verdict::Approve => "approved",
        Verdict::Reject => "rejected",
    };
    for id in ids {
        let action = decisions::decide(&store, id, verdict, &by, reason, clock.now)?;
        println!(
            "{word} #{id} in {}: {} ({})",
            action.system,
            summary(&action),
            action.reason
        );
    }
    if verdict == Verdict::Approve {
        println!("the next sync carries out what was approved");
    }
    Ok(())
}

/// The ids named, or every waiting one (of `--system`) with `--all`.
fn chosen(store: &SqliteStore, args: &ApproveArgs) -> Result<Vec<i64>> {
    if !args.all {
        return Ok(args.ids.clone());
    }
    let waiting = store.blocked_actions(args.system.as_deref(), BlockedStatus::Blocked)?;
    Ok(waiting.iter().map(|b| b.id).collect())
}

fn list(store: &SqliteStore, json: bool) -> Result<()> {
    let pending = store.blocked_actions(None, BlockedStatus::Blocked)?;
    if json {
        let items: Vec<Value> = pending.iter().map(to_json).collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(());
    }
    if pending.is_empty() {
        println!("nothing waits for approval");
        return Ok(());
    }
    print!("{}", pending_table(&pending));
    println!("approve one with `tessera approve ID`");
    Ok(())
}

/// The table of actions waiting for approval; `plan` shows it too.
pub fn pending_table(pending: &[BlockedAction]) -> String {
    let mut table = Table::new(&["ID", "SYSTEM", "ACTION", "WHY BLOCKED"]);
    for b in pending {
        table.row(vec![
            format!("#{}", b.id),
            b.system.clone(),
            summary(b),
            b.reason.clone(),
        ]);
    }
    table.render()
}

/// A blocked action as JSON, its operation parsed.
pub fn to_json(b: &BlockedAction) -> Value {
    json!({
        "id": b.id,
        "system": b.system,
        "plan_id": b.plan_id,
        "action": b.action,
        "key": b.op_key,
        "operation": serde_json::from_str::<Value>(&b.op).unwrap_or(Value::Null),
        "reason": b.reason,
        "status": b.status,
    })
}

/// One line for the blocked operation, falling back to its key.
fn summary(b: &BlockedAction) -> String {
    serde_json::from_str::<tessera_engine::plan::PlannedOp>(&b.op)
        .map(|p| p.summary())
        .unwrap_or_else(|_| b.op_key.clone())
}
