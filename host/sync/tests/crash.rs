//! Crash safety with real processes: a child process syncs against a file-backed target and
//! aborts at a chosen step of apply (just before or just after each write takes effect); a
//! second child syncs again. Its recover stage must finish the dead run's plan from the
//! journal, so that for every step the target ends exactly as after an uninterrupted run,
//! with every write applied once, nothing left to plan and the audit chain intact.
//!
//! `harness = false`: the same binary is the parent (no environment set) and the child
//! (`TESSERA_CRASH_DIR` set), so no helper binary has to be built or shipped.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;
use tessera_config::{ApplySettings, SourceSettings};
use tessera_domain::Person;
use tessera_engine::model::RoleModel;
use tessera_store::SqliteStore;
use tessera_store::prelude::*;
use tessera_sync::{Clock, Mode, NoProgress, SyncOptions, SyncOutcome, System, Systems};
use tessera_testkit::fakes::{FakeSource, FileState, FileSystem, Fixed};
use tessera_testkit::{day, noon, person, shift};

const MODEL: &str = r#"
[system.ad]
deviations = "revoke"

[system.ad.account]
create_days_before = 5
disable_after_days = 1
delete_after_days = 2
username = ["{given:1}{family}", "{given}.{family}{n}"]
attributes = { displayName = "{given} {family}" }

[[rule]]
name = "IC nurses"
when = { department = "IC" }
grants = [{ system = "ad", kind = "group", key = "ic" }]
"#;

const DB: &str = "tessera.db";
const TARGET: &str = "target.json";

fn main() {
    if let Ok(dir) = std::env::var("TESSERA_CRASH_DIR") {
        child(Path::new(&dir));
        return;
    }
    let pristine = tempfile::tempdir().unwrap();
    sync(pristine.path(), staff("Ade"), day(0), None);
    let reference = tempfile::tempdir().unwrap();
    copy_dir(pristine.path(), reference.path());
    let out = spawn(reference.path(), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = FileState::load(&reference.path().join(TARGET));
    let writes = expected.applied.len() - day0_writes(pristine.path());
    assert!(
        writes >= 6,
        "the day-3 plan must write a good deal: {writes}"
    );
    assert!(
        expected.applied.values().all(|n| *n == 1),
        "{:?}",
        expected.applied
    );
    check_finished(reference.path());
    for point in 1..=2 * writes {
        crash_and_recover(pristine.path(), point, &expected);
    }
    let kinds: std::collections::BTreeSet<&str> = expected
        .applied
        .keys()
        .filter_map(|label| label.split(' ').next())
        .collect();
    println!(
        "crash: {} crash points over {writes} writes ({kinds:?}), none lost or doubled",
        2 * writes
    );
}

/// Day 0: four nurses, three of them get accounts. Day 3: one leaves (revoke, disable), one is
/// gone for good (revoke, delete), one changes name (update), one starts (enable) and one is
/// new (create, grant).
fn staff(name: &str) -> Vec<Person> {
    vec![
        person("p1", "Ann", name, vec![shift("s1", "IC", day(0), day(20))]),
        person("p2", "Bob", "Bee", vec![shift("s2", "IC", day(0), day(1))]),
        person("p3", "Cem", "Cee", vec![shift("s3", "OK", day(3), day(20))]),
        person("p4", "Dan", "Dee", vec![shift("s4", "IC", day(0), day(0))]),
    ]
}

fn day3_staff() -> Vec<Person> {
    let mut later = staff("Ade-Visser");
    later.push(person(
        "p5",
        "Eva",
        "Eek",
        vec![shift("s5", "IC", day(3), day(9))],
    ));
    later
}

/// One sync in `dir` of `persons` as of `today`, with a target that aborts at `abort_at`.
fn sync(
    dir: &Path,
    persons: Vec<Person>,
    today: NaiveDate,
    abort_at: Option<usize>,
) -> SyncOutcome {
    let store = SqliteStore::open(dir.join(DB)).unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let target = FileSystem {
        path: dir.join(TARGET),
        abort_at,
        gate: None,
    };
    let systems = Systems {
        systems: vec![
            System {
                name: "hr".into(),
                source: SourceSettings::default(),
                apply: ApplySettings::default(),
                connect: Box::new(Fixed::source(FakeSource::new(persons, 10))),
            },
            System {
                name: "ad".into(),
                source: SourceSettings::default(),
                // One writer: the writes, and so the crash points, come in order.
                apply: ApplySettings {
                    concurrency: 1,
                    ..ApplySettings::default()
                },
                connect: Box::new(target),
            },
        ],
        ..Systems::default()
    };
    let clock = Clock {
        today,
        now: noon(today),
    };
    let options = SyncOptions {
        dry_run: false,
        force: true,
        mode: Mode::Full,
        ..SyncOptions::default()
    };
    let run = tessera_sync::sync(&store, &model, &systems, options, clock, &NoProgress);
    let outcome = runtime().block_on(run).unwrap();
    for s in &outcome.systems {
        assert!(s.notes.is_empty(), "{}: {:?}", s.system, s.notes);
    }
    outcome
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn day0_writes(pristine: &Path) -> usize {
    FileState::load(&pristine.join(TARGET)).applied.len()
}

/// Aborts a child at `point`, syncs again in a second child, and compares with the reference.
fn crash_and_recover(pristine: &Path, point: usize, expected: &FileState) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(pristine, dir.path());
    let crashed = spawn(dir.path(), Some(point));
    assert!(
        crashed.status.code().is_none(),
        "point {point}: the child must die by abort, got {:?}",
        crashed.status
    );
    let again = spawn(dir.path(), None);
    assert!(
        again.status.success(),
        "point {point}: {}",
        text(&again.stderr)
    );
    let outcome: serde_json::Value = serde_json::from_str(text(&again.stdout).trim()).unwrap();
    let ad = &outcome["systems"][1];
    let resumed = ad["resumed"].as_array().unwrap();
    assert_eq!(
        resumed.len(),
        1,
        "point {point}: the dead run's plan is finished: {ad}"
    );
    assert_eq!(
        resumed[0]["failed"],
        serde_json::json!([]),
        "point {point}: {ad}"
    );
    // After an effect reached the target but not the journal, recovery re-reads the target
    // and finds it done instead of doing it again.
    let recovered = if point.is_multiple_of(2) { 1 } else { 0 };
    assert_eq!(resumed[0]["recovered"], recovered, "point {point}: {ad}");
    assert_eq!(
        ad["plan"]["operations"], 0,
        "point {point}: nothing left to plan"
    );
    let state = FileState::load(&dir.path().join(TARGET));
    assert_eq!(
        state.applied, expected.applied,
        "point {point}: a write lost or doubled"
    );
    check_finished(dir.path());
    assert_eq!(state.accounts, expected.accounts, "point {point}");
    assert_eq!(state.memberships, expected.memberships, "point {point}");
}

/// Nothing left open, nothing left to do, and the audit chain holds.
fn check_finished(dir: &Path) {
    {
        let store = SqliteStore::open(dir.join(DB)).unwrap();
        assert!(store.unfinished_plans("ad").unwrap().is_empty());
        assert!(store.verify_audit().unwrap().is_ok());
    }
    let again = sync(dir, day3_staff(), day(3), None);
    let ad = &again.systems[1];
    assert_eq!(ad.plan.as_ref().unwrap().operations, 0, "{:?}", again.plans);
}

fn spawn(dir: &Path, abort_at: Option<usize>) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("TESSERA_CRASH_DIR", dir)
        .env_remove("TESSERA_CRASH_AT");
    if let Some(n) = abort_at {
        cmd.env("TESSERA_CRASH_AT", n.to_string());
    }
    cmd.output().unwrap()
}

/// The child: the day-3 sync; prints its outcome.
fn child(dir: &Path) {
    let abort_at = std::env::var("TESSERA_CRASH_AT")
        .ok()
        .map(|n| n.parse().unwrap());
    let outcome = sync(dir, day3_staff(), day(3), abort_at);
    println!("{}", serde_json::to_string(&outcome).unwrap());
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
