//! Runs: each system's runs, the plans they applied, and each operation of a plan with its
//! reason (rule and contracts, manual grant, lifecycle step) and outcome, failures first.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use tessera_engine::plan::{Plan, PlannedOp};
use tessera_store::{JournalState, PlanHeader, RunRecord};

use super::App;
use crate::auth::User;
use crate::error::{Error, Result};
use crate::view::{Page, render, time};

/// Runs and plans listed.
const LISTED: usize = 50;

struct RunRow {
    system: String,
    mode: String,
    finished: String,
    status: String,
    /// `state-ok`, `state-waiting` (held back) or `state-failed`.
    class: &'static str,
    notes: String,
}

struct PlanRow {
    id: i64,
    system: String,
    at: String,
    scope: &'static str,
    status: String,
    done: usize,
    failed: usize,
}

#[derive(Template)]
#[template(path = "runs.html")]
struct RunsPage {
    page: Page,
    runs: Vec<RunRow>,
    plans: Vec<PlanRow>,
}

fn run_row(r: RunRecord) -> RunRow {
    RunRow {
        class: match r.status.as_str() {
            "ok" => "state-ok",
            "failed" => "state-failed",
            _ => "state-waiting",
        },
        system: r.system,
        mode: r.mode,
        finished: time(r.finished_at),
        status: r.status,
        notes: r.notes.join("; "),
    }
}

pub(crate) async fn list(State(app): State<Arc<App>>, user: User) -> Result<Html<String>> {
    let page = Page::new(&user, "/runs", "Runs", None);
    let (runs, plans) = app
        .blocking(|store, _| {
            let runs = store.recent_runs(None, LISTED)?;
            let mut plans = Vec::new();
            for h in store.recent_plans(None, false, LISTED)? {
                let journal = store.journal_entries(h.id)?;
                let count = |s| journal.iter().filter(|j| j.state == s).count();
                let (done, failed) = (count(JournalState::Done), count(JournalState::Failed));
                plans.push(plan_row(h, done, failed));
            }
            Ok((runs, plans))
        })
        .await?;
    render(&RunsPage {
        page,
        runs: runs.into_iter().map(run_row).collect(),
        plans,
    })
}

fn plan_row(h: PlanHeader, done: usize, failed: usize) -> PlanRow {
    PlanRow {
        id: h.id,
        system: h.system,
        at: time(h.created_at),
        scope: if h.whole {
            "everyone"
        } else {
            "changed persons"
        },
        status: h.status,
        done,
        failed,
    }
}

struct OpRow {
    name: &'static str,
    key: String,
    person: String,
    why: String,
    outcome: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "run.html")]
struct PlanPage {
    page: Page,
    ops: Vec<OpRow>,
    held: Vec<OpRow>,
    deviations: usize,
}

pub(crate) async fn show(
    State(app): State<Arc<App>>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (plan, outcomes) = app
        .blocking(move |store, _| {
            let plan: Plan = serde_json::from_str(&store.plan(id)?)
                .map_err(|e| Error::NotFound(format!("plan #{id} cannot be read: {e}")))?;
            let outcomes: HashMap<usize, (JournalState, Option<String>)> = store
                .journal_entries(id)?
                .into_iter()
                .map(|j| (j.seq, (j.state, j.result)))
                .collect();
            Ok((plan, outcomes))
        })
        .await?;
    let title = format!("Plan #{id} of {} for {}", plan.system, plan.today);
    let mut ops: Vec<OpRow> = plan
        .operations
        .iter()
        .enumerate()
        .map(|(seq, p)| op_row(p, outcome(outcomes.get(&seq))))
        .collect();
    // Failures first: they are what someone has to look at.
    ops.sort_by_key(|o| !o.failed);
    let held = plan
        .blocked
        .iter()
        .map(|b| op_row(&b.planned, (format!("held: {}", b.reason), false)))
        .collect();
    render(&PlanPage {
        page: Page::new(&user, "/runs", title, None),
        ops,
        held,
        deviations: plan.deviations.len(),
    })
}

fn outcome(entry: Option<&(JournalState, Option<String>)>) -> (String, bool) {
    match entry {
        None => ("not applied".to_owned(), false),
        Some((JournalState::Done, _)) => ("done".to_owned(), false),
        Some((JournalState::Started, _)) => ("started; outcome unknown".to_owned(), true),
        Some((JournalState::Failed, result)) => {
            let why = result.as_deref().unwrap_or("no detail");
            (format!("failed: {why}"), true)
        }
    }
}

fn op_row(p: &PlannedOp, (outcome, failed): (String, bool)) -> OpRow {
    OpRow {
        name: p.op.name(),
        key: p.shown_key(),
        person: p.person.clone().unwrap_or_default(),
        why: p.why.clone(),
        outcome,
        failed,
    }
}
