//! Store-only operations (link, adopt), recorded in batches: see the module notes of
//! `apply.rs`.

use std::collections::VecDeque;

use super::Run;
use super::call::Effect;
use crate::error::{Result, json};
use crate::plan::Operation;

/// Most store-only operations recorded in one store unit.
pub const LOCAL_BATCH: usize = 512;

/// Whether `op` only changes the store: it has no connector call to guard.
pub(super) fn is_local(op: &Operation) -> bool {
    matches!(op, Operation::Link { .. } | Operation::Adopt { .. })
}

impl Run<'_> {
    /// Whether every operation of `unit` only changes the store.
    pub(super) fn is_local_unit(&self, unit: &[usize]) -> bool {
        unit.iter()
            .all(|&seq| is_local(&self.plan.operations[seq].op))
    }

    /// `first` and the store-only units that follow it in `queue`, up to [`LOCAL_BATCH`]
    /// operations.
    pub(super) fn local_batch(
        &self,
        first: Vec<usize>,
        queue: &mut VecDeque<Vec<usize>>,
    ) -> Vec<usize> {
        let mut batch = first;
        while let Some(unit) = queue.front() {
            if batch.len() + unit.len() > LOCAL_BATCH || !self.is_local_unit(unit) {
                break;
            }
            batch.extend(unit);
            queue.pop_front();
        }
        batch
    }

    /// Records store-only operations in one store unit. Nothing in it awaits, so no other
    /// worker's writes can land inside the unit.
    pub(super) fn record_local(&self, batch: Vec<usize>) {
        if self.failure.borrow().is_some() {
            return;
        }
        if self.stop.requested() {
            self.stopped.set(true);
            return;
        }
        let recorded = self.store.atomically(|| {
            let open = batch.iter().filter(|&&seq| !self.finished_earlier(seq));
            open.copied().try_for_each(|seq| self.local_operation(seq))
        });
        if let Err(e) = recorded {
            self.failure.replace(Some(e));
        }
    }

    /// A link or adopt no earlier run finished: only its record.
    pub(super) fn local_operation(&self, seq: usize) -> Result<()> {
        let planned = &self.plan.operations[seq];
        let op_text = json("operation", serde_json::to_string(planned))?;
        let outcome = match self.resolve(&planned.op) {
            Some(_) => Ok(Effect::Done),
            None => Err("its account was not created".to_owned()),
        };
        self.finish(seq, &op_text, outcome)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};
    use tessera_domain::{EntitlementRef, TargetConnector};
    use tessera_store::{AuditLog, JournalState, Plans, SqliteStore};
    use tessera_testkit::fakes::FakeTarget;

    use super::*;
    use crate::apply::{Applier, Stop, apply_saved};
    use crate::plan::{Plan, PlannedOp, save_plan};

    fn op(op: Operation, person: &str) -> PlannedOp {
        PlannedOp::new(op, Some(person), "taken over".into())
    }

    /// Links and adopts filling more than two batches, followed by a grant (a connector call)
    /// in the adopts' phase: every one is journalled done and audited once, in plan order,
    /// the chain holds, and applying the plan again finds them all done.
    #[tokio::test]
    async fn store_only_operations_in_batches_are_each_journalled_and_audited() {
        let links = 2 * LOCAL_BATCH + 76;
        let right = EntitlementRef {
            kind: "login-group".into(),
            key: "LG-1".into(),
        };
        let mut ops: Vec<PlannedOp> = (0..links)
            .map(|i| {
                op(
                    Operation::Link {
                        account: format!("k{i}"),
                    },
                    &format!("p{i}"),
                )
            })
            .collect();
        let adopt = |i: usize| Operation::Adopt {
            account: format!("k{i}"),
            entitlement: right.clone(),
        };
        ops.extend((0..3).map(|i| op(adopt(i), &format!("p{i}"))));
        let grant = Operation::Grant {
            account: crate::plan::AccountRef::Key("k9".into()),
            entitlement: right.clone(),
        };
        ops.push(op(grant, "p9"));
        let store = SqliteStore::open_in_memory().expect("store");
        let mut plan = Plan::of("hix", NaiveDate::default(), ops);
        let id = save_plan(&store, &mut plan, Utc::now()).expect("saved");
        let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(FakeTarget::new(true))];
        let (settings, stop) = (Default::default(), Stop::default());
        let applier = Applier {
            settings: &settings,
            plugin: None,
            stop: &stop,
        };
        let report = apply_saved(&store, id, &plan, &mut pool, applier, Utc::now())
            .await
            .expect("applied");
        let total = links + 4;
        assert_eq!(report.done, total);
        assert_eq!(report.done_by_kind["link"], links);
        assert_eq!(report.done_by_kind["adopt"], 3);
        let journal = store.journal_entries(id).expect("journal");
        assert_eq!(journal.len(), total);
        assert!(journal.iter().all(|e| e.state == JournalState::Done));
        let audited: Vec<String> = store
            .audit_entries(None)
            .expect("audit")
            .into_iter()
            .map(|e| e.record.action)
            .filter(|a| matches!(a.as_str(), "link" | "adopt" | "grant"))
            .collect();
        let mut want = vec!["link"; links];
        want.extend(["adopt", "adopt", "adopt", "grant"]);
        assert_eq!(audited, want);
        assert!(store.verify_audit().expect("verify").is_ok());

        let again = apply_saved(&store, id, &plan, &mut pool, applier, Utc::now())
            .await
            .expect("applied again");
        assert_eq!((again.done, again.already_done), (0, total));
    }
}
