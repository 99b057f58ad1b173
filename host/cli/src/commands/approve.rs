//! `tessera approve ID` and `tessera approve --list`: actions a target threshold held back,
//! approved one by one.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};
use tessera_engine::decisions;
use tessera_store::{Approvals, BlockedAction, BlockedStatus, SqliteStore};
use tessera_sync::Clock;

use super::loaders::{actor, settings, store};
use super::table::Table;
use crate::args::ApproveArgs;

pub fn run(config: &Path, clock: Clock, args: &ApproveArgs) -> Result<()> {
    let store = store(&settings(config)?)?;
    let Some(id) = args.id.filter(|_| !args.list) else {
        return list(&store, args.json);
    };
    let by = actor(args.by.as_deref())?;
    let action = decisions::approve(&store, id, &by, clock.now)?;
    println!(
        "approved #{id} in {}: {} ({}); the next sync of {} carries it out",
        action.system,
        summary(&action),
        action.reason,
        action.system
    );
    Ok(())
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
        .map(|p| p.op.summary())
        .unwrap_or_else(|_| b.op_key.clone())
}
