//! Storing a plan, and the operations its thresholds held back until someone approves them.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use tessera_store::{AuditRecord, BlockedStatus, NewBlockedAction, Store};

use super::{BlockedOp, Plan};
use crate::error::{Result, json};
use crate::model::RoleModel;

/// Stores the plan, replaces the system's open blocked actions with this plan's, and audits
/// each block, as one unit of writes. Returns the plan id.
pub fn save_plan(store: &dyn Store, plan: &mut Plan, now: DateTime<Utc>) -> Result<i64> {
    store.atomically(|| {
        // The row comes first for the id the blocked actions point to, and gets its JSON once
        // they have theirs, streamed: a take-over's plan is tens of MiB of JSON, and as
        // strings (written twice, plus SQLite's copy) it was the run's peak. The row without
        // JSON is never seen outside this unit.
        let id = store.add_plan(&plan.system, now, plan.scope.is_none())?;
        plan.id = Some(id);
        match &plan.scope {
            None => store.cancel_blocked(&plan.system, now)?,
            // A plan of some persons replaces only their waiting actions.
            Some(persons) => store.cancel_blocked_of(&plan.system, persons, now)?,
        };
        for b in &mut plan.blocked {
            b.blocked_id = Some(save_blocked(store, &plan.system, id, b, now)?);
        }
        let plan = &*plan;
        store.write_plan(id, &|out| serde_json::to_writer(out, plan))?;
        Ok(id)
    })
}

/// Stores one held-back operation of plan `id` and audits the block; returns its id.
fn save_blocked(
    store: &dyn Store,
    system: &str,
    id: i64,
    b: &BlockedOp,
    now: DateTime<Utc>,
) -> Result<i64> {
    tracing::info!(system = %system, op = %b.planned.key, reason = %b.reason, "blocked");
    let new = NewBlockedAction {
        system: system.to_owned(),
        person: b.planned.person.clone(),
        plan_id: Some(id),
        action: b.planned.op.name().to_owned(),
        op_key: b.planned.key.clone(),
        op: json("operation", serde_json::to_string(&b.planned))?,
        reason: b.reason.clone(),
    };
    let blocked_id = store.add_blocked(&new, now)?;
    store.append_audit(&AuditRecord {
        at: now,
        action: "threshold-block".to_owned(),
        system: Some(system.to_owned()),
        person: b.planned.person.clone(),
        after: serde_json::to_value(&b.planned.op).ok(),
        why: Some(b.reason.clone()),
        actor: Some("engine".to_owned()),
        run: Some(format!("plan-{id}")),
        outcome: "blocked".to_owned(),
        ..AuditRecord::default()
    })?;
    Ok(blocked_id)
}

/// Reads the keys of approved blocked actions of a system. An approval older than the
/// system's `approval_days` lapses here (cancelled, and audited) instead of counting.
pub fn approved_keys(
    store: &dyn Store,
    model: &RoleModel,
    system: &str,
    today: NaiveDate,
) -> Result<HashSet<String>> {
    let days = model.approval_days(system);
    let mut keys = HashSet::new();
    for b in store.blocked_actions(Some(system), BlockedStatus::Approved)? {
        let decided = b.decided_at.map(|t| model.zone.day_of(t));
        if decided.is_some_and(|d| crate::contract::shift(d, days) < today) {
            lapse(store, &b, days, today)?;
            continue;
        }
        keys.insert(b.op_key);
    }
    Ok(keys)
}

fn lapse(
    store: &dyn Store,
    b: &tessera_store::BlockedAction,
    days: i64,
    today: NaiveDate,
) -> Result<()> {
    let at = today.and_time(chrono::NaiveTime::MIN).and_utc();
    store.decide_blocked(b.id, BlockedStatus::Cancelled, None, at)?;
    store.append_audit(&AuditRecord {
        at,
        action: "approval-lapsed".to_owned(),
        system: Some(b.system.clone()),
        person: b.person.clone(),
        after: serde_json::from_str(&b.op).ok(),
        why: Some(format!(
            "approved #{} was not carried out within {days} days (approval_days)",
            b.id
        )),
        actor: Some("engine".to_owned()),
        outcome: "cancelled".to_owned(),
        ..AuditRecord::default()
    })?;
    Ok(())
}
