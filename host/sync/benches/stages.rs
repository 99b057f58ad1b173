//! The sync library's stages at hospital scale against fakes, with printed figures (not a
//! timed test): 30,000 persons with 600,000 shift contracts, 300 rules, five fake targets
//! holding 25,000 accounts and 75,000 memberships. Prints the time of every stage and the
//! peak RSS at its end, for a first sync (the take-over, applied) and for a sync when nothing
//! changed.
//!
//! Goals: the stages up to the plan ≤ 20 s for the first sync and ≤ 5 s when nothing
//! changed, peak RSS ≤ 500 MiB. Run with `cargo bench -p tessera-sync --bench stages`.
#![allow(clippy::unwrap_used, reason = "a benchmark")]

use std::cell::RefCell;
use std::rc::Rc;

use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, Utc};
use tessera_config::{ApplySettings, SourceSettings};
use tessera_domain::{
    Account, Attribute, ConnectorError, EntitlementRef, Person, SourceConnector, SourceInfo,
    SourcePage, TargetConnector,
};
use tessera_engine::model::RoleModel;
use tessera_store::SqliteStore;
use tessera_sync::{
    Clock, Connect, ConnectError, Kind, Mode, Progress, StageProgress, SyncOptions, SyncOutcome,
    System, Systems,
};
use tessera_testkit::fakes::{FakeTarget, Fixed};
use tessera_testkit::{ContractExt, PersonExt, shift};

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

/// Person `i`: twenty single-day shifts from ten days ago to nine days ahead, each in
/// another department; employer `E{i % 6}` (`E5` has no account anywhere).
fn person(i: usize) -> Person {
    let contracts = (0..SHIFTS)
        .map(|j| {
            let date = (today() + Days::new(j as u64)) - Days::new(10);
            let department = format!("D{:03}", (i * 7 + j) % DEPARTMENTS);
            let title = format!("T{}", (i + j) % 10);
            shift(&format!("S{i:05}-{j:02}"), &department, date, date)
                .titled((&title, &title))
                .employed_by(&format!("E{}", i % 6))
        })
        .collect();
    tessera_testkit::person(
        &format!("P{i:05}"),
        "Anne",
        &format!("Jansen{i}"),
        contracts,
    )
    .with_email(&format!("anne{i}@example.org"))
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

/// The peak RSS at the end of each stage, recorded as the run reports its progress.
#[derive(Clone, Default)]
struct Peaks(Rc<RefCell<Vec<(&'static str, f64)>>>);

struct StagePeak {
    name: &'static str,
    peaks: Peaks,
}

impl Progress for Peaks {
    fn stage(&self, name: &'static str, _: usize) -> Box<dyn StageProgress> {
        Box::new(StagePeak {
            name,
            peaks: self.clone(),
        })
    }
}

impl StageProgress for StagePeak {
    fn start(&self, _: &str) {}
    fn done(&self) {}
    fn finish(&self, _: &str) {
        let peak = peak_rss_mib().unwrap_or_default();
        self.peaks.0.borrow_mut().push((self.name, peak));
    }
}

/// Prints one run's stages with the peak RSS at each one's end, and the total of the stages
/// up to the plan against `goal`.
fn print(name: &str, outcome: &SyncOutcome, peaks: &Peaks, goal: f64) {
    println!("{name}:");
    let peaks = peaks.0.borrow();
    for (stage, seconds) in outcome.seconds.stages() {
        let peak = peaks.iter().find(|(s, _)| *s == stage).map(|(_, p)| *p);
        let peak = peak.map_or(String::new(), |p| {
            format!("   peak RSS so far {p:>5.0} MiB")
        });
        println!("  {stage:<10} {seconds:>8.2} s{peak}");
    }
    let planning = outcome.seconds.total() - outcome.seconds.apply;
    let verdict = if planning <= goal { "meets" } else { "MISSES" };
    let (mut operations, mut deviations, mut applied) = (0, 0, 0);
    for s in &outcome.systems {
        operations += s.plan.as_ref().map_or(0, |p| p.operations);
        deviations += s.plan.as_ref().map_or(0, |p| p.deviations);
        applied += s.apply.as_ref().map_or(0, |a| a.done);
        assert!(s.notes.is_empty(), "{}: {:?}", s.system, s.notes);
    }
    println!(
        "  {:<10} {planning:>8.2} s  up to the plan ({verdict} the goal of {goal} s; \
         {operations} operations, {deviations} deviations; {applied} applied, not a goal)",
        "total"
    );
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A source system whose connectors make their pages as they are read.
struct Generated;

#[async_trait]
impl Connect for Generated {
    fn kind(&self) -> Kind {
        Kind::Source
    }

    fn plugin(&self) -> &str {
        "generated@1.0.0"
    }

    async fn source(&self) -> Result<Box<dyn SourceConnector>, ConnectError> {
        Ok(Box::new(GeneratedSource { page_size: 500 }))
    }

    async fn target(&self) -> Result<Box<dyn TargetConnector>, ConnectError> {
        Err("a source".into())
    }
}

fn systems(targets: &[FakeTarget]) -> Systems {
    let mut systems = vec![System {
        name: "hr".into(),
        source: SourceSettings::default(),
        apply: ApplySettings::default(),
        connect: Box::new(Generated),
    }];
    for (s, t) in targets.iter().enumerate() {
        systems.push(System {
            name: format!("sys{s}"),
            source: SourceSettings::default(),
            apply: ApplySettings::default(),
            connect: Box::new(Fixed::target(t.clone())),
        });
    }
    Systems {
        systems,
        ..Systems::default()
    }
}

/// The take-over at hospital scale: every right the targets' owned accounts hold adopted as a
/// manual grant (as `tessera adopt --all` does before the rules exist), a sync over those
/// grants, then `takeover report` and `takeover withdraw` of those the rules give.
fn takeover(
    rt: &tokio::runtime::Runtime,
    store: &SqliteStore,
    model: &RoleModel,
    systems: &Systems,
    clock: Clock,
) {
    use std::collections::HashMap;
    use std::time::Instant;
    use tessera_engine::{decisions, takeover};
    use tessera_store::NewGrant;
    use tessera_store::prelude::*;

    let started = Instant::now();
    let mut adopted = 0;
    store
        .atomically(|| {
            for s in 0..SYSTEMS {
                let system = format!("sys{s}");
                let owners: HashMap<String, String> = store
                    .shadows(&system)?
                    .into_iter()
                    .filter_map(|sh| sh.person.map(|p| (sh.key, p)))
                    .collect();
                for m in store.memberships(&system)? {
                    let Some(person) = owners.get(&m.account) else {
                        continue;
                    };
                    let grant = NewGrant {
                        person: person.clone(),
                        system: system.clone(),
                        entitlement: m.entitlement,
                        reason: "kept at take-over".into(),
                        author: "bench".into(),
                        until: None,
                        needs_approval: false,
                    };
                    decisions::add_grant(store, &grant, clock.now)?;
                    adopted += 1;
                }
            }
            Ok::<_, tessera_engine::Error>(())
        })
        .unwrap();
    println!(
        "\ntake-over: {adopted} rights adopted as manual grants in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let options = SyncOptions {
        dry_run: false,
        force: true,
        mode: Mode::Full,
        ..SyncOptions::default()
    };
    let peaks = Peaks::default();
    let outcome = rt
        .block_on(tessera_sync::sync(
            store, model, systems, options, clock, &peaks,
        ))
        .unwrap();
    print("sync with the adopted grants", &outcome, &peaks, 5.0);
    let started = Instant::now();
    let covered: usize = (0..SYSTEMS)
        .map(|s| {
            takeover::covered(store, model, &format!("sys{s}"), clock.today)
                .unwrap()
                .len()
        })
        .sum();
    println!(
        "takeover report: {covered} grants a rule gives too, in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let withdrawn: usize = (0..SYSTEMS)
        .map(|s| {
            let reason = ("the role model gives it", "bench");
            takeover::withdraw(store, model, &format!("sys{s}"), reason, clock.now)
                .unwrap()
                .len()
        })
        .sum();
    println!(
        "takeover withdraw: {withdrawn} grants withdrawn, audited, in {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("bench.db")).unwrap();
    let model = RoleModel::parse("bench.toml", &model_text()).unwrap();
    let targets: Vec<FakeTarget> = (0..SYSTEMS).map(target).collect();
    let accounts: usize = targets.iter().map(|t| t.state().accounts.len()).sum();
    let memberships: usize = targets.iter().map(|t| t.state().memberships.len()).sum();
    println!(
        "stages benchmark: {PERSONS} persons, {} shifts, {} rules, {SYSTEMS} targets with \
         {accounts} accounts and {memberships} memberships",
        PERSONS * SHIFTS,
        model.rules.len()
    );
    let systems = systems(&targets);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let clock = Clock {
        today: today(),
        now: now(),
    };
    let options = SyncOptions {
        dry_run: false,
        force: true,
        mode: Mode::Full,
        ..SyncOptions::default()
    };
    for (name, goal) in [
        ("first sync (take-over)", 20.0),
        ("sync, nothing changed", 5.0),
    ] {
        let peaks = Peaks::default();
        let run = tessera_sync::sync(&store, &model, &systems, options.clone(), clock, &peaks);
        let outcome = rt.block_on(run).unwrap();
        print(name, &outcome, &peaks, goal);
    }
    takeover(&rt, &store, &model, &systems, clock);
    match peak_rss_mib() {
        Some(mib) => {
            let verdict = if mib <= 500.0 { "meets" } else { "MISSES" };
            println!("peak RSS: {mib:.0} MiB ({verdict} the goal of 500 MiB)");
        }
        None => println!("peak RSS: unknown (no /proc/self/status)"),
    }
}
