//! Apply: carry out a stored plan through a target connector, journalled.
//!
//! Every operation is written to the journal as `started` before its connector call and as
//! `done` or `failed` after it, together with its shadow change and audit record. A run that
//! finds a `started` row (the previous run died mid-call) re-reads the target before deciding,
//! so after a crash nothing is lost and nothing is applied twice. Errors are judged by their type only: unavailable is retried with
//! exponential backoff, outcome-unknown re-reads the target, not-found on disable, delete and
//! revoke and already-exists on grant count as success, everything else is reported.
//!
//! Phases run one after another; inside a phase up to `concurrency` connectors (one instance
//! each) work at once, and the operations of one account stay in order on one connector when
//! the target says its writes must be serial.
//!
//! Operations that only change the store (link, adopt) have no call to guard, so up to
//! [`LOCAL_BATCH`] of them are recorded in one store unit instead of one unit each: a
//! take-over links every existing account, and a commit per link was most of its apply. Each
//! keeps its own journal row and audit record; a crash loses a whole batch or none of it, and
//! the next run does it again.

mod call;
mod clash;
mod local;
mod record;
mod stop;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tessera_domain::{EntitlementRef, TargetConnector};
use tessera_store::{BlockedStatus, JournalEntry, JournalState, PlanStatus, Store};

use crate::error::{Result, json};

use crate::plan::{AccountRef, Operation, Plan, PlannedOp};
use call::{Effect, call_with_retry, check_effect};
pub use local::LOCAL_BATCH;
pub use stop::Stop;
pub use tessera_config::{ApplySettings, RetryPolicy};

/// One operation that did not succeed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedOp {
    /// Its index in the plan.
    pub seq: usize,
    /// Its key.
    pub key: String,
    /// Its kind: `create`, `grant`, …
    pub kind: &'static str,
    /// What went wrong.
    pub error: String,
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApplyReport {
    /// The plan.
    pub plan_id: i64,
    /// The system.
    pub system: String,
    /// Operations carried out now.
    pub done: usize,
    /// Of those, how many of each kind: `create`, `grant`, …
    pub done_by_kind: BTreeMap<&'static str, usize>,
    /// Operations an earlier run had already finished.
    pub already_done: usize,
    /// In-flight operations of a crashed run found to have taken effect.
    pub recovered: usize,
    /// Operations that failed.
    pub failed: Vec<FailedOp>,
    /// A stop was asked for before the plan's end: the operations left wait in the journal
    /// for the next run, which finishes the plan.
    pub stopped: bool,
}

struct Run<'a> {
    store: &'a dyn Store,
    plan: &'a Plan,
    plan_id: i64,
    settings: &'a ApplySettings,
    plugin: Option<&'a str>,
    stop: &'a Stop,
    stopped: Cell<bool>,
    now: DateTime<Utc>,
    journal: HashMap<usize, JournalEntry>,
    created: RefCell<HashMap<String, String>>,
    /// The grants on this system that no one withdrew, as (person, entitlement): loaded at
    /// the first `adopt`, so a plan that adopts tens of thousands of rights reads them once.
    held: RefCell<Option<HashSet<(String, EntitlementRef)>>>,
    approved: HashMap<String, i64>,
    report: RefCell<ApplyReport>,
    failure: RefCell<Option<crate::Error>>,
}

/// How a target's plans are applied: its settings, its plugin (named in the audit trail) and
/// the stop request every run watches.
#[derive(Debug, Clone, Copy)]
pub struct Applier<'a> {
    /// Concurrency and retries.
    pub settings: &'a ApplySettings,
    /// `id@version`, for the audit trail.
    pub plugin: Option<&'a str>,
    /// Checked before every operation.
    pub stop: &'a Stop,
}

/// Applies a stored plan, finishing whatever an earlier run of the same plan left open.
pub async fn apply_plan(
    store: &dyn Store,
    plan_id: i64,
    pool: &mut [Box<dyn TargetConnector>],
    applier: Applier<'_>,
    now: DateTime<Utc>,
) -> Result<ApplyReport> {
    let plan: Plan = json("plan", serde_json::from_str(&store.plan(plan_id)?))?;
    apply_saved(store, plan_id, &plan, pool, applier, now).await
}

/// Applies a plan the caller has just saved as `plan_id` and still holds, so it is not read
/// back and held twice (a take-over's plan has a hundred thousand operations).
pub async fn apply_saved(
    store: &dyn Store,
    plan_id: i64,
    plan: &Plan,
    pool: &mut [Box<dyn TargetConnector>],
    applier: Applier<'_>,
    now: DateTime<Utc>,
) -> Result<ApplyReport> {
    store.set_plan_status(plan_id, PlanStatus::Applying)?;
    let run = Run::new(store, plan, plan_id, applier, now)?;
    for phase in phases(plan) {
        run.phase(phase, pool).await;
        if let Some(err) = run.failure.take() {
            return Err(err);
        }
        if run.stopped.get() {
            // The plan stays `applying`: the next run's recovery finishes it.
            let mut report = run.report.into_inner();
            report.stopped = true;
            return Ok(report);
        }
    }
    store.set_plan_status(plan_id, PlanStatus::Finished)?;
    Ok(run.report.into_inner())
}

impl<'a> Run<'a> {
    /// Loads what earlier runs of the plan journalled: finished operations and the keys of
    /// accounts they created.
    fn new(
        store: &'a dyn Store,
        plan: &'a Plan,
        plan_id: i64,
        applier: Applier<'a>,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let journal: HashMap<usize, JournalEntry> = store
            .journal_entries(plan_id)?
            .into_iter()
            .map(|e| (e.seq, e))
            .collect();
        let created = journal
            .values()
            .filter(|e| e.state == JournalState::Done)
            .filter_map(|e| {
                Some((
                    serde_json::from_str::<PlannedOp>(&e.op).ok()?,
                    e.result.clone()?,
                ))
            })
            .filter_map(|(p, key)| match p.op {
                Operation::Create { username, .. } => Some((username, key)),
                _ => None,
            })
            .collect();
        let approved = store
            .blocked_actions(Some(&plan.system), BlockedStatus::Approved)?
            .into_iter()
            .map(|b| (b.op_key, b.id))
            .collect();
        let report = ApplyReport {
            plan_id,
            system: plan.system.clone(),
            ..ApplyReport::default()
        };
        Ok(Self {
            store,
            plan,
            plan_id,
            settings: applier.settings,
            plugin: applier.plugin,
            stop: applier.stop,
            stopped: Cell::new(false),
            now,
            journal,
            created: RefCell::new(created),
            held: RefCell::default(),
            approved,
            report: RefCell::new(report),
            failure: RefCell::new(None),
        })
    }
}

/// Applies every plan of `system` an earlier run started but did not finish.
pub async fn resume(
    store: &dyn Store,
    system: &str,
    pool: &mut [Box<dyn TargetConnector>],
    applier: Applier<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<ApplyReport>> {
    let mut reports = Vec::new();
    for id in store.unfinished_plans(system)? {
        let report = apply_plan(store, id, pool, applier, now).await?;
        let stopped = report.stopped;
        reports.push(report);
        if stopped {
            break;
        }
    }
    Ok(reports)
}

/// Splits the plan into phases of units; a unit is a list of operation indices run in order.
fn phases(plan: &Plan) -> Vec<Vec<Vec<usize>>> {
    let mut phases: Vec<Vec<Vec<usize>>> = Vec::new();
    let mut last_phase = None;
    let mut by_account: HashMap<AccountRef, usize> = HashMap::new();
    for (seq, p) in plan.operations.iter().enumerate() {
        if last_phase != Some(p.op.phase()) {
            phases.push(Vec::new());
            by_account.clear();
            last_phase = Some(p.op.phase());
        }
        let Some(units) = phases.last_mut() else {
            continue;
        };
        match by_account
            .get(&p.op.account())
            .filter(|_| plan.serial_writes)
        {
            Some(&unit) => units[unit].push(seq),
            None => {
                by_account.insert(p.op.account(), units.len());
                units.push(vec![seq]);
            }
        }
    }
    phases
}

impl Run<'_> {
    async fn phase(&self, units: Vec<Vec<usize>>, pool: &mut [Box<dyn TargetConnector>]) {
        let queue = RefCell::new(VecDeque::from(units));
        let workers = self.settings.concurrency.max(1);
        let workers = pool
            .iter_mut()
            .take(workers)
            .map(|conn| self.worker(conn.as_mut(), &queue));
        futures_util::future::join_all(workers).await;
    }

    async fn worker(&self, conn: &mut dyn TargetConnector, queue: &RefCell<VecDeque<Vec<usize>>>) {
        loop {
            let next = queue.borrow_mut().pop_front();
            let Some(unit) = next else { return };
            if self.is_local_unit(&unit) {
                let batch = self.local_batch(unit, &mut queue.borrow_mut());
                self.record_local(batch);
                continue;
            }
            for seq in unit {
                if self.failure.borrow().is_some() {
                    return;
                }
                if self.stop.requested() {
                    self.stopped.set(true);
                    return;
                }
                if let Err(e) = self.operation(conn, seq).await {
                    self.failure.replace(Some(e));
                }
            }
        }
    }

    async fn operation(&self, conn: &mut dyn TargetConnector, seq: usize) -> Result<()> {
        let planned = &self.plan.operations[seq];
        if self.finished_earlier(seq) {
            return Ok(());
        }
        if local::is_local(&planned.op) {
            return self.local_operation(seq);
        }
        let previous = self.journal.get(&seq).map(|e| e.state);
        let op_text = json("operation", serde_json::to_string(planned))?;
        let Some(key) = self.resolve(&planned.op) else {
            let error = "its account was not created".to_owned();
            return self.finish(seq, &op_text, Err(error));
        };
        if previous == Some(JournalState::Started) {
            // The last run died during this call: look before acting again.
            if let Ok(Some(effect)) = check_effect(conn, &planned.op, &key).await {
                self.report.borrow_mut().recovered += 1;
                return self.finish(seq, &op_text, Ok(effect));
            }
        }
        self.store.journal(
            self.plan_id,
            seq,
            JournalState::Started,
            &op_text,
            None,
            self.now,
        )?;
        let outcome = call_with_retry(conn, &planned.op, &key, &self.settings.retry)
            .await
            .map_err(|e| e.to_string());
        self.finish(seq, &op_text, outcome)
    }

    /// Whether an earlier run of the plan finished operation `seq`; counted in the report.
    fn finished_earlier(&self, seq: usize) -> bool {
        let previous = self.journal.get(&seq).map(|e| e.state);
        let finished = matches!(previous, Some(JournalState::Done | JournalState::Failed));
        if finished {
            self.report.borrow_mut().already_done += 1;
        }
        finished
    }

    /// The account key an operation writes to; `None` when it waits for a failed create.
    fn resolve(&self, op: &Operation) -> Option<String> {
        match (op, op.account()) {
            (Operation::Create { .. }, AccountRef::New(username)) => Some(username),
            (_, AccountRef::New(username)) => self.created.borrow().get(&username).cloned(),
            (_, AccountRef::Key(key)) => Some(key),
        }
    }

    /// Records an operation's end: the shadows, the journal, an approval and the audit
    /// record are written as one unit, so a crash leaves all of them or none.
    fn finish(
        &self,
        seq: usize,
        op_text: &str,
        outcome: std::result::Result<Effect, String>,
    ) -> Result<()> {
        self.store
            .atomically(|| self.record_finish(seq, op_text, outcome))
    }

    fn record_finish(
        &self,
        seq: usize,
        op_text: &str,
        outcome: std::result::Result<Effect, String>,
    ) -> Result<()> {
        let planned = &self.plan.operations[seq];
        let before = self.before_state(planned)?;
        let (state, result, verdict) = match &outcome {
            Ok(effect) => {
                let key = self.record_effect(planned, effect)?;
                let verdict = match effect {
                    Effect::Resolved { how, .. } => format!("ok: {how}"),
                    _ => "ok".to_owned(),
                };
                (JournalState::Done, key, verdict)
            }
            Err(error) => {
                tracing::warn!(system = %self.plan.system, op = %planned.key, %error, "operation failed");
                self.report.borrow_mut().failed.push(FailedOp {
                    seq,
                    key: planned.key.clone(),
                    kind: planned.op.name(),
                    error: error.clone(),
                });
                (JournalState::Failed, None, format!("failed: {error}"))
            }
        };
        self.store.journal(
            self.plan_id,
            seq,
            state,
            op_text,
            result.as_deref(),
            self.now,
        )?;
        if state == JournalState::Done {
            let mut report = self.report.borrow_mut();
            report.done += 1;
            *report.done_by_kind.entry(planned.op.name()).or_default() += 1;
            drop(report);
            if let Some(id) = self.approved.get(&planned.key) {
                self.store
                    .decide_blocked(*id, BlockedStatus::Done, None, self.now)?;
            }
        }
        self.audit(planned, before, verdict)
    }
}
