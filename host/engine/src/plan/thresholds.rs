//! Target thresholds: hold back every operation of a type whose count trips its limit.

use std::collections::{BTreeMap, HashSet};

use super::{AccountRef, BlockedOp, Operation, PlanInput, PlannedOp};
use crate::model::{ActionType, Threshold};

type Split = (Vec<PlannedOp>, Vec<BlockedOp>, Vec<PlannedOp>);

/// Holds back every operation of a type whose count trips its threshold, except approved
/// ones, and then whatever waits for a held-back create.
pub(super) fn apply_thresholds(
    input: &PlanInput<'_>,
    thresholds: &BTreeMap<ActionType, Threshold>,
    ops: Vec<PlannedOp>,
) -> Split {
    let mut counts: BTreeMap<ActionType, usize> = BTreeMap::new();
    for p in ops.iter().filter(|p| !input.approved.contains(&p.key)) {
        if let Some(t) = p.op.action_type() {
            *counts.entry(t).or_default() += 1;
        }
    }
    let (live, memberships) = input.bases;
    let tripped: BTreeMap<ActionType, String> = counts
        .iter()
        .filter_map(|(t, n)| {
            let base = if matches!(t, ActionType::Grant | ActionType::Revoke) {
                memberships
            } else {
                live
            };
            let why = thresholds.get(t)?.trips(*n, base)?;
            Some((*t, format!("{} threshold: {why}", t.as_str())))
        })
        .collect();
    let (mut run, mut blocked, mut deferred) = (Vec::new(), Vec::new(), Vec::new());
    let mut held_new: HashSet<AccountRef> = HashSet::new();
    for p in ops {
        let reason =
            p.op.action_type()
                .and_then(|t| tripped.get(&t))
                .filter(|_| !input.approved.contains(&p.key));
        if let Some(reason) = reason {
            if matches!(p.op, Operation::Create { .. }) {
                held_new.insert(p.op.account());
            }
            blocked.push(BlockedOp {
                planned: p,
                reason: reason.clone(),
                blocked_id: None,
            });
        } else if held_new.contains(&p.op.account()) {
            deferred.push(p);
        } else {
            run.push(p);
        }
    }
    (run, blocked, deferred)
}
