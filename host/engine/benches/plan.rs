//! The engine at hospital scale, with printed figures (not a timed test): 30,000 persons with
//! 600,000 shift contracts, 300 rules, five fake targets holding 25,000 accounts and 75,000
//! memberships. Prints the time of import, SOLL, reconcile and plan for a first full plan and
//! for a re-plan when nothing changed, the apply in between, and the peak RSS.
//!
//! Goals from issue 4: full plan ≤ 20 s, no-change re-plan ≤ 5 s, peak RSS ≤ 500 MiB.
//! Run with `cargo bench -p tessera-engine --bench plan`.
#![allow(clippy::unwrap_used)]

#[allow(dead_code, reason = "the fakes are shared with the tests")]
#[path = "../tests/support/fakes.rs"]
mod fakes;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, Utc};
use tessera_domain::{
    Account, Attribute, CodeName, ConnectorError, Contract, ContractKind, EntitlementRef, Person,
    PersonName, SourceConnector, SourceInfo, SourcePage, TargetConnector, Timestamp,
};
use tessera_engine::apply::{ApplySettings, apply_plan};
use tessera_engine::import::{ImportOptions, SourceSettings, import};
use tessera_engine::model::RoleModel;
use tessera_engine::plan::{plan_system_for, save_plan};
use tessera_engine::reconcile::read_target;
use tessera_engine::soll;
use tessera_store::Store;

use fakes::FakeTarget;

const PERSONS: usize = 30_000;
const SHIFTS: usize = 20;
const SYSTEMS: usize = 5;
const DEPARTMENTS: usize = 100;
const RULES_PER_SYSTEM: usize = 60;
/// Every 100th eligible person has no account yet; every 50th account holds a stray group.
const MISSING_EVERY: usize = 100;
const STRAY_EVERY: usize = 50;
/// Accounts per target whose owner left long ago; they bring the totals to 25,000 accounts
/// and 75,000 memberships.
const LEAVERS: usize = 100;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
}

fn now() -> DateTime<Utc> {
    today().and_hms_opt(6, 0, 0).unwrap().and_utc()
}

/// Five systems, each giving an account to one employer's staff, and 60 rules per system,
/// each granting a group to five departments (so every department has three rules in each
/// system), ANDed with a title condition.
fn model_text() -> String {
    let mut text = String::new();
    for s in 0..SYSTEMS {
        text.push_str(&format!(
            "[system.sys{s}]\ncorrelation = {{ account_attribute = \"employeeId\", person_field = \"id\" }}\n\
             [system.sys{s}.account]\nwhen = {{ employer = \"E{s}\" }}\ncreate_days_before = 5\n\
             disable_after_days = 1\ndelete_after_days = 30\nmax_length = 30\n\
             username = [\"{{given:1}}{{family}}\", \"{{given}}.{{family}}{{n}}\"]\n\
             attributes = {{ employeeId = \"{{id}}\", displayName = \"{{given}} {{family}}\" }}\n\n"
        ));
    }
    for s in 0..SYSTEMS {
        for k in 0..RULES_PER_SYSTEM {
            let departments: Vec<String> = (0..5)
                .map(|m| format!("\"D{:03}\"", (k * 5 + m) % DEPARTMENTS))
                .collect();
            text.push_str(&format!(
                "[[rule]]\nname = \"sys{s} rule {k}\"\n\
                 when = {{ department = [{}], title = {{ prefix = \"T\" }} }}\n\
                 grants = [{{ system = \"sys{s}\", kind = \"group\", key = \"g{s}-{k}\" }}]\n\n",
                departments.join(", ")
            ));
        }
    }
    text
}

fn code(c: String) -> Option<CodeName> {
    Some(CodeName {
        name: c.clone(),
        code: c,
    })
}

/// Person `i`: twenty single-day shifts from ten days ago to nine days ahead, each in
/// another department; employer `E{i % 6}` (`E5` has no account anywhere).
fn person(i: usize) -> Person {
    let contracts = (0..SHIFTS)
        .map(|j| {
            let date = today()
                .checked_add_days(Days::new(j as u64))
                .and_then(|d| d.checked_sub_days(Days::new(10)))
                .unwrap();
            Contract {
                id: format!("S{i:05}-{j:02}"),
                kind: ContractKind::Shift,
                start: Some(Timestamp::Date(date)),
                end: Some(Timestamp::Date(date)),
                department: code(format!("D{:03}", (i * 7 + j) % DEPARTMENTS)),
                title: code(format!("T{}", (i + j) % 10)),
                location: None,
                cost_centre: None,
                employer: code(format!("E{}", i % 6)),
                fte: None,
                hours_per_week: None,
                sequence: None,
                attributes: vec![],
            }
        })
        .collect();
    Person {
        id: format!("P{i:05}"),
        name: PersonName {
            given: "Anne".into(),
            family: format!("Jansen{i}"),
            ..PersonName::default()
        },
        email: Some(format!("anne{i}@example.org")),
        phone: None,
        contracts,
        attributes: vec![],
    }
}

/// A source that makes its pages as it is read, like a plugin would.
struct GeneratedSource {
    page_size: usize,
}

#[async_trait]
impl SourceConnector for GeneratedSource {
    async fn describe(&mut self) -> Result<SourceInfo, ConnectorError> {
        Ok(SourceInfo::default())
    }

    async fn test_connection(&mut self) -> Result<String, ConnectorError> {
        Ok("generated".into())
    }

    async fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        let start: usize = cursor.as_deref().map_or(0, |c| c.parse().unwrap_or(0));
        let end = (start + self.page_size).min(PERSONS);
        Ok(SourcePage {
            persons: (start..end).map(person).collect(),
            warnings: vec![],
            next_cursor: (end < PERSONS).then(|| end.to_string()),
        })
    }
}

/// The groups the model gives person `i` today, in its own system.
fn groups_of(i: usize) -> Vec<String> {
    let s = i % 6;
    let department = (i * 7 + 10) % DEPARTMENTS;
    (0..RULES_PER_SYSTEM)
        .filter(|k| (0..5).any(|m| (k * 5 + m) % DEPARTMENTS == department))
        .map(|k| format!("g{s}-{k}"))
        .collect()
}

/// Target `s` as a hospital left it: accounts for its employer's staff, three groups each,
/// some accounts missing, some groups nobody granted, and leavers' accounts.
fn target(s: usize) -> FakeTarget {
    let target = FakeTarget::new(true).with_page_size(1000);
    {
        let mut state = target.state();
        for i in (s..PERSONS).step_by(6) {
            if i % MISSING_EVERY == s {
                continue;
            }
            let key = format!("{s}-{i}");
            let attributes = vec![
                Attribute {
                    name: "displayName".into(),
                    value: format!("Anne Jansen{i}"),
                },
                Attribute {
                    name: "employeeId".into(),
                    value: format!("P{i:05}"),
                },
            ];
            let account = Account {
                key: key.clone(),
                username: Some(format!("u{i}")),
                enabled: true,
                attributes,
            };
            state.accounts.insert(key.clone(), account);
            let mut groups = groups_of(i);
            if i % STRAY_EVERY == s {
                groups[0] = "stray".into();
            }
            for g in groups {
                state.memberships.insert((
                    key.clone(),
                    EntitlementRef {
                        kind: "group".into(),
                        key: g,
                    },
                ));
            }
        }
        // Leavers nobody cleaned up: no person correlates, their groups are deviations.
        for n in 0..LEAVERS {
            let key = format!("{s}-leaver-{n}");
            let attributes = vec![Attribute {
                name: "employeeId".into(),
                value: format!("X{s}{n:03}"),
            }];
            let account = Account {
                key: key.clone(),
                username: Some(format!("leaver{s}x{n}")),
                enabled: true,
                attributes,
            };
            state.accounts.insert(key.clone(), account);
            for k in 0..3 {
                let group = EntitlementRef {
                    kind: "group".into(),
                    key: format!("g{s}-{k}"),
                };
                state.memberships.insert((key.clone(), group));
            }
        }
    }
    target
}

/// Seconds of each stage of one import-to-plan cycle.
struct Cycle {
    import: Duration,
    soll: Duration,
    reconcile: Duration,
    plan: Duration,
    /// Peak RSS (MiB) at the end of each stage.
    peaks: [f64; 4],
    operations: usize,
    deviations: usize,
    plan_ids: Vec<i64>,
}

impl Cycle {
    fn total(&self) -> Duration {
        self.import + self.soll + self.reconcile + self.plan
    }

    fn print(&self, name: &str, goal: Duration) {
        println!("{name}:");
        let stages = [
            ("import", self.import),
            ("soll", self.soll),
            ("reconcile", self.reconcile),
            ("plan", self.plan),
        ];
        for ((stage, d), peak) in stages.iter().zip(self.peaks) {
            println!(
                "  {stage:<10} {:>8.2} s   peak RSS so far {peak:>5.0} MiB",
                d.as_secs_f64()
            );
        }
        let verdict = if self.total() <= goal {
            "meets"
        } else {
            "MISSES"
        };
        println!(
            "  {:<10} {:>8.2} s  ({verdict} the goal of {} s; {} operations, {} deviations)",
            "total",
            self.total().as_secs_f64(),
            goal.as_secs(),
            self.operations,
            self.deviations
        );
    }
}

async fn cycle(store: &Store, model: &RoleModel, targets: &[FakeTarget]) -> Cycle {
    let mut peaks = [0.0; 4];
    let started = Instant::now();
    let mut source = GeneratedSource { page_size: 500 };
    let settings = SourceSettings::new("hr");
    let report = import(
        store,
        &mut source,
        &settings,
        ImportOptions::default(),
        now(),
    )
    .await
    .unwrap();
    assert!(report.blocked.is_none(), "{:?}", report.blocked);
    let import_done = Instant::now();
    peaks[0] = peak_rss_mib().unwrap_or_default();
    // One load of the vault serves SOLL and every system's plan, as in `tessera sync`.
    let persons = store.persons().unwrap();
    soll::compute_for(store, model, &persons, today(), now()).unwrap();
    let soll_done = Instant::now();
    peaks[1] = peak_rss_mib().unwrap_or_default();
    let mut infos = Vec::new();
    for (s, t) in targets.iter().enumerate() {
        let mut conn = t.clone();
        infos.push(
            read_target(store, &format!("sys{s}"), &mut conn, now())
                .await
                .unwrap()
                .info,
        );
    }
    let read_done = Instant::now();
    peaks[2] = peak_rss_mib().unwrap_or_default();
    let (mut operations, mut deviations, mut plan_ids) = (0, 0, Vec::new());
    for (s, info) in infos.iter().enumerate() {
        let system = format!("sys{s}");
        let mut plan = plan_system_for(store, model, &persons, &system, info, today()).unwrap();
        operations += plan.operations.len();
        deviations += plan.deviations.len();
        plan_ids.push(save_plan(store, &mut plan, now()).unwrap());
    }
    peaks[3] = peak_rss_mib().unwrap_or_default();
    Cycle {
        import: import_done - started,
        soll: soll_done - import_done,
        reconcile: read_done - soll_done,
        plan: read_done.elapsed(),
        peaks,
        operations,
        deviations,
        plan_ids,
    }
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("bench.db")).unwrap();
    let model = RoleModel::parse("bench.toml", &model_text()).unwrap();
    let targets: Vec<FakeTarget> = (0..SYSTEMS).map(target).collect();
    let accounts: usize = targets.iter().map(|t| t.state().accounts.len()).sum();
    let memberships: usize = targets.iter().map(|t| t.state().memberships.len()).sum();
    println!(
        "plan benchmark: {PERSONS} persons, {} shifts, {} rules, {SYSTEMS} targets with {accounts} accounts and {memberships} memberships",
        PERSONS * SHIFTS,
        model.rules.len()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let first = rt.block_on(cycle(&store, &model, &targets));
    first.print("full plan", Duration::from_secs(20));
    let started = Instant::now();
    let mut done = 0;
    for (s, id) in first.plan_ids.iter().enumerate() {
        let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(targets[s].clone())];
        let report = rt
            .block_on(apply_plan(
                &store,
                *id,
                &mut pool,
                &ApplySettings::default(),
                now(),
            ))
            .unwrap();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        done += report.done;
    }
    println!(
        "apply of the full plan: {done} operations in {:.2} s (not a goal)",
        started.elapsed().as_secs_f64()
    );
    let again = rt.block_on(cycle(&store, &model, &targets));
    again.print("no-change re-plan", Duration::from_secs(5));
    match peak_rss_mib() {
        Some(mib) => {
            let verdict = if mib <= 500.0 { "meets" } else { "MISSES" };
            println!("peak RSS: {mib:.0} MiB ({verdict} the goal of 500 MiB)");
        }
        None => println!("peak RSS: unknown (no /proc/self/status)"),
    }
}
