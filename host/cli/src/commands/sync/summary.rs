//! What `tessera sync` reports per system, as JSON or as a table.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Result;
use serde::Serialize;
use serde_json::json;
use tessera_engine::apply::ApplyReport;
use tessera_engine::import::ImportReport;
use tessera_engine::plan::Plan;
use tessera_engine::reconcile::IstReport;

use crate::args::SyncArgs;
use crate::commands::context::Clock;
use crate::commands::exit::finish;
use crate::commands::table::Table;

/// How a system's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Everything went through.
    Ok,
    /// A threshold held something back.
    Blocked,
    /// Something failed.
    Failed,
}

/// What the target listed.
#[derive(Debug, Clone, Serialize)]
pub struct IstCounts {
    pub accounts: usize,
    pub entitlements: usize,
    pub memberships: usize,
    pub gone: usize,
}

/// The plan in numbers, with the ids of blocked actions to approve.
#[derive(Debug, Clone, Serialize)]
pub struct PlanCounts {
    pub id: Option<i64>,
    pub operations: usize,
    /// Operations by kind: `create`, `grant`, `link`, …
    pub by_kind: BTreeMap<&'static str, usize>,
    pub blocked: usize,
    pub blocked_ids: Vec<i64>,
    pub deferred: usize,
    pub deviations: usize,
}

/// How long each stage of a sync took, over all systems, in seconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StageSeconds {
    pub load: f64,
    pub import: f64,
    pub read: f64,
    pub soll: f64,
    pub plan: f64,
    pub apply: f64,
}

impl StageSeconds {
    pub fn total(&self) -> f64 {
        self.load + self.import + self.read + self.soll + self.plan + self.apply
    }

    /// `load 0.1 s · import 2.3 s · … · total 4.0 s`.
    pub fn line(&self) -> String {
        let stages = [
            ("load", self.load),
            ("import", self.import),
            ("read", self.read),
            ("soll", self.soll),
            ("plan", self.plan),
            ("apply", self.apply),
            ("total", self.total()),
        ];
        let parts: Vec<String> = stages
            .iter()
            .map(|(name, s)| format!("{name} {s:.1} s"))
            .collect();
        parts.join(" · ")
    }
}

/// One system's run.
#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    pub system: String,
    pub kind: &'static str,
    pub plugin: Option<String>,
    pub status: Status,
    /// Why it failed or what was blocked, one line each.
    pub notes: Vec<String>,
    pub import: Option<ImportReport>,
    pub resumed: Vec<ApplyReport>,
    pub ist: Option<IstCounts>,
    pub plan: Option<PlanCounts>,
    /// The whole plan, on a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned: Option<Plan>,
    pub apply: Option<ApplyReport>,
    /// Seconds this system spent in each stage it took part in.
    pub seconds: BTreeMap<&'static str, f64>,
}

impl SystemSummary {
    pub fn new(system: &str) -> Self {
        Self {
            system: system.to_owned(),
            kind: "unknown",
            plugin: None,
            status: Status::Ok,
            notes: Vec::new(),
            import: None,
            resumed: Vec::new(),
            ist: None,
            plan: None,
            planned: None,
            apply: None,
            seconds: BTreeMap::new(),
        }
    }

    /// Records a failure; it outranks a block.
    pub fn fail(&mut self, why: String) {
        self.status = Status::Failed;
        self.notes.push(why);
    }

    /// Records a block unless something already failed.
    pub fn block(&mut self, why: String) {
        if self.status == Status::Ok {
            self.status = Status::Blocked;
        }
        self.notes.push(why);
    }

    pub fn ist(&mut self, r: &IstReport) {
        self.ist = Some(IstCounts {
            accounts: r.accounts,
            entitlements: r.entitlements,
            memberships: r.memberships,
            gone: r.gone.len(),
        });
    }

    /// Records the time since `started` for `stage`.
    pub fn time(&mut self, stage: &'static str, started: Instant) {
        self.seconds.insert(stage, started.elapsed().as_secs_f64());
    }

    pub fn plan(&mut self, p: &Plan) {
        self.plan = Some(PlanCounts {
            id: p.id,
            operations: p.operations.len(),
            by_kind: p.operations.iter().fold(BTreeMap::new(), |mut m, o| {
                *m.entry(o.op.name()).or_default() += 1;
                m
            }),
            blocked: p.blocked.len(),
            blocked_ids: p.blocked.iter().filter_map(|b| b.blocked_id).collect(),
            deferred: p.deferred.len(),
            deviations: p.deviations.len(),
        });
    }

    /// The CHANGES cell: what the import or the plan and apply did.
    fn changes(&self) -> String {
        if let Some(i) = &self.import {
            let c = &i.counts;
            let verb = if i.committed { "" } else { " (not committed)" };
            return format!(
                "+{} ~{} -{} of {} persons{verb}",
                c.added, c.changed, c.removed, c.total
            );
        }
        let Some(p) = &self.plan else {
            return "-".to_owned();
        };
        let applied = self.apply.as_ref().map_or(String::new(), |a| {
            format!(
                ": {} done, {} failed",
                a.done + a.already_done,
                a.failed.len()
            )
        });
        let resumed: usize = self.resumed.iter().map(|r| r.done + r.recovered).sum();
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
}

/// One row per system.
pub fn render(summaries: &[SystemSummary]) -> String {
    let mut table = Table::new(&["SYSTEM", "KIND", "STATUS", "CHANGES"]);
    for s in summaries {
        let status = serde_json::to_value(s.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        table.row(vec![
            s.system.clone(),
            s.kind.to_owned(),
            status,
            s.changes(),
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
pub fn report(
    clock: Clock,
    args: &SyncArgs,
    mut summaries: Vec<SystemSummary>,
    seconds: &StageSeconds,
) -> Result<()> {
    // Sources first, as they ran.
    summaries.sort_by_key(|s| s.kind != "source");
    let failures: Vec<String> = summaries
        .iter()
        .filter(|s| s.status == Status::Failed)
        .map(|s| s.system.clone())
        .collect();
    let blocks: Vec<String> = summaries
        .iter()
        .filter(|s| s.status == Status::Blocked)
        .map(|s| s.system.clone())
        .collect();
    if args.json {
        let value = json!({
            "today": clock.today,
            "dry_run": args.dry_run,
            "seconds": seconds,
            "systems": summaries,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        for plan in summaries.iter().filter_map(|s| s.planned.as_ref()) {
            println!("{}", plan.to_text());
        }
        print!("{}", render(&summaries));
        println!("{}", seconds.line());
    }
    let failures: Vec<String> = failures.iter().map(|s| format!("{s} failed")).collect();
    let blocks: Vec<String> = blocks.iter().map(|s| format!("{s} held back")).collect();
    finish(&failures, &blocks)
}
