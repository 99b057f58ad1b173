//! What a run did, as data: per system and per stage. Callers print it as they like.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;
use tessera_engine::apply::ApplyReport;
use tessera_engine::import::ImportReport;
use tessera_engine::ist::{Drift, IstReport};

use crate::stages::{Mode, Reading};
use tessera_engine::plan::Plan;

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

impl Status {
    /// `ok`, `blocked` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Blocked => "blocked",
            Self::Failed => "failed",
        }
    }
}

/// What the target listed.
#[derive(Debug, Clone, Serialize)]
pub struct IstCounts {
    /// Accounts.
    pub accounts: usize,
    /// Entitlements in the catalogue.
    pub entitlements: usize,
    /// Memberships.
    pub memberships: usize,
    /// Known accounts that were gone.
    pub gone: usize,
}

/// The plan in numbers, with the ids of blocked actions to approve.
#[derive(Debug, Clone, Serialize)]
pub struct PlanCounts {
    /// The stored plan, on a real run.
    pub id: Option<i64>,
    /// Operations to run.
    pub operations: usize,
    /// Operations by kind: `create`, `grant`, `link`, …
    pub by_kind: BTreeMap<&'static str, usize>,
    /// Operations a threshold held back.
    pub blocked: usize,
    /// Their ids, to approve by.
    pub blocked_ids: Vec<i64>,
    /// Operations waiting for a blocked one.
    pub deferred: usize,
    /// Grants waiting until their follow-up ticket is closed.
    pub waiting: usize,
    /// Entitlements held without a reason.
    pub deviations: usize,
    /// How many persons it covered, when it covered only some (an incremental run).
    pub scope: Option<usize>,
}

/// What a change feed said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedSummary {
    /// Changes read.
    pub changes: usize,
    /// Why the cursor was dead, when it was (the system was then read in full).
    pub reset: Option<String>,
}

impl FeedSummary {
    pub(crate) fn read(changes: usize) -> Self {
        Self {
            changes,
            reset: None,
        }
    }

    pub(crate) fn reset(why: String) -> Self {
        Self {
            changes: 0,
            reset: Some(why),
        }
    }
}

/// How long each stage of a run took, over all systems, in seconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StageSeconds {
    /// Loading plugins.
    pub load: f64,
    /// Finishing what a crashed run left.
    pub recover: f64,
    /// Importing the sources.
    pub import: f64,
    /// Computing the desired state.
    pub soll: f64,
    /// Reading the targets.
    pub read: f64,
    /// Planning.
    pub plan: f64,
    /// Applying.
    pub apply: f64,
    /// The whole run, loading included: less than the stages' sum in an incremental run,
    /// whose targets are read while its sources import.
    pub wall: f64,
}

impl StageSeconds {
    /// Every stage, in order, by name.
    pub fn stages(&self) -> [(&'static str, f64); 7] {
        [
            ("load", self.load),
            ("recover", self.recover),
            ("import", self.import),
            ("soll", self.soll),
            ("read", self.read),
            ("plan", self.plan),
            ("apply", self.apply),
        ]
    }

    /// The whole run: its wall time once it is known, else the stages' sum.
    pub fn total(&self) -> f64 {
        match self.wall > 0.0 {
            true => self.wall,
            false => self.stages().iter().map(|(_, s)| s).sum(),
        }
    }
}

impl std::fmt::Display for StageSeconds {
    /// `load 0.1 s · import 2.3 s · … · total 4.0 s`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (name, s) in self.stages() {
            write!(f, "{name} {s:.1} s · ")?;
        }
        write!(f, "total {:.1} s", self.total())
    }
}

/// One system's run.
#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    /// The system.
    pub system: String,
    /// `source`, `target`, or `unknown` when its plugin did not load.
    pub kind: &'static str,
    /// `id@version` of its plugin.
    pub plugin: Option<String>,
    /// How it ended.
    pub status: Status,
    /// Why it failed or what was blocked, one line each.
    pub notes: Vec<String>,
    /// Warnings from loading it.
    pub warnings: Vec<String>,
    /// How it was read: in full, through its change feed, or not at all.
    pub reading: Option<Reading>,
    /// Its import, for a source.
    pub import: Option<ImportReport>,
    /// Plans an earlier run left unfinished and this one finished.
    pub resumed: Vec<ApplyReport>,
    /// What it listed, for a target.
    pub ist: Option<IstCounts>,
    /// What the listing found that was not known: drift the change feeds missed, or changes
    /// made to a target without a feed.
    pub drift: Option<Drift>,
    /// What its change feed said, in an incremental run.
    pub feed: Option<FeedSummary>,
    /// Its plan in numbers.
    pub plan: Option<PlanCounts>,
    /// The whole plan, on a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned: Option<Plan>,
    /// Its apply.
    pub apply: Option<ApplyReport>,
    /// Seconds it spent in each stage it took part in.
    pub seconds: BTreeMap<&'static str, f64>,
}

impl SystemSummary {
    /// A system that has not run yet.
    pub fn new(system: &str) -> Self {
        Self {
            system: system.to_owned(),
            kind: "unknown",
            reading: None,
            plugin: None,
            status: Status::Ok,
            notes: Vec::new(),
            warnings: Vec::new(),
            import: None,
            resumed: Vec::new(),
            ist: None,
            drift: None,
            feed: None,
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

    pub(crate) fn ist(&mut self, r: &IstReport) {
        self.ist = Some(IstCounts {
            accounts: r.accounts,
            entitlements: r.entitlements,
            memberships: r.memberships,
            gone: r.gone.len(),
        });
        self.drift = Some(r.drift);
    }

    /// Records the time since `started` for `stage`.
    pub(crate) fn time(&mut self, stage: &'static str, started: Instant) {
        self.seconds.insert(stage, started.elapsed().as_secs_f64());
    }

    pub(crate) fn plan(&mut self, p: &Plan) {
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
            waiting: p.waiting.len(),
            deviations: p.deviations.len(),
            scope: p.scope.as_ref().map(Vec::len),
        });
    }
}

/// What one run did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncOutcome {
    /// The day it planned for.
    pub today: NaiveDate,
    /// Full or incremental.
    pub mode: Mode,
    /// Whether it committed, stored and applied nothing.
    pub dry_run: bool,
    /// How long each stage took.
    pub seconds: StageSeconds,
    /// Every system, sources first.
    pub systems: Vec<SystemSummary>,
    /// The plans it made.
    #[serde(skip)]
    pub plans: Vec<Plan>,
}

impl SyncOutcome {
    /// Systems that failed.
    pub fn failed(&self) -> impl Iterator<Item = &SystemSummary> {
        self.systems.iter().filter(|s| s.status == Status::Failed)
    }

    /// Systems where a threshold held something back.
    pub fn blocked(&self) -> impl Iterator<Item = &SystemSummary> {
        self.systems.iter().filter(|s| s.status == Status::Blocked)
    }
}
