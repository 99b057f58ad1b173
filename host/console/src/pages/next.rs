//! The next plan: a dry run of every target, planned against the shadows (the targets as
//! Tessera last read them) with today's desired state, stored and applied nowhere. It shows
//! what the next sync will do before it does it; a full read may find more.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use chrono::Utc;
use serde::Deserialize;
use tessera_engine::plan::{Desired, Plan, plan_system};
use tessera_engine::soll::compute_desired;

use super::App;
use crate::auth::User;
use crate::error::Result;
use crate::view::{Page, render};

/// Operations one system's section lists at most; the counts cover them all.
const LISTED: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Ask {
    compute: Option<String>,
}

struct Op {
    name: &'static str,
    key: String,
    person: String,
    why: String,
}

struct Section {
    system: String,
    counts: Vec<(&'static str, usize)>,
    total: usize,
    ops: Vec<Op>,
    held: Vec<(Op, String)>,
    deviations: usize,
}

#[derive(Template)]
#[template(path = "next.html")]
struct NextPage {
    page: Page,
    computed: bool,
    sections: Vec<Section>,
    unknown: Vec<String>,
}

pub(crate) async fn show(
    State(app): State<Arc<App>>,
    user: User,
    Query(ask): Query<Ask>,
) -> Result<Html<String>> {
    let page = Page::new(&user, "/plan", "Next plan", None);
    let unknown: Vec<String> = app
        .systems
        .iter()
        .filter(|s| s.kind == "target" && s.info.is_none())
        .map(|s| format!("{}: its plugin did not describe itself at start", s.name))
        .collect();
    let computed = ask.compute.is_some();
    let sections = match computed {
        true => app.blocking(|store, app| dry_run(store, app)).await?,
        false => Vec::new(),
    };
    render(&NextPage {
        page,
        computed,
        sections,
        unknown,
    })
}

fn dry_run(store: &dyn tessera_store::Store, app: &App) -> Result<Vec<Section>> {
    let now = Utc::now();
    let today = app.model.zone.day_of(now);
    let computed = compute_desired(store, &app.model, today, now, false)?;
    let empty = BTreeMap::new();
    let mut sections = Vec::new();
    for system in app.systems.iter().filter(|s| s.kind == "target") {
        let Some(info) = &system.info else { continue };
        let desired = computed
            .desired
            .as_ref()
            .and_then(|all| all.get(&system.name))
            .unwrap_or(&empty);
        let plan = plan_system(
            store,
            &app.model,
            &system.name,
            info,
            (Desired::Held(desired), &computed.index),
            today,
        )?;
        sections.push(section(plan));
    }
    Ok(sections)
}

fn section(plan: Plan) -> Section {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for p in &plan.operations {
        *counts.entry(p.op.name()).or_default() += 1;
    }
    let op = |p: &tessera_engine::plan::PlannedOp| Op {
        name: p.op.name(),
        key: p.shown_key(),
        person: p.person.clone().unwrap_or_default(),
        why: p.why.clone(),
    };
    Section {
        system: plan.system.clone(),
        counts: counts.into_iter().collect(),
        total: plan.operations.len(),
        ops: plan.operations.iter().take(LISTED).map(op).collect(),
        held: plan
            .blocked
            .iter()
            .map(|b| (op(&b.planned), b.reason.clone()))
            .collect(),
        deviations: plan.deviations.len(),
    }
}
