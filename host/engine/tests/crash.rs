//! Crash safety with real processes: a child process applies a plan against a file-backed
//! target and aborts at a chosen step (just before or just after each write takes effect);
//! a second child resumes. For every step, the target must end exactly as after an
//! uninterrupted run, with every write applied once, the journal finished, a re-plan empty
//! and the audit chain intact.
//!
//! `harness = false`: the same binary is the parent (no environment set) and the child
//! (`TESSERA_CRASH_DIR` set), so no helper binary has to be built or shipped.
#![allow(clippy::unwrap_used)]

#[allow(
    dead_code,
    reason = "the fakes are shared with other tests and the benchmark"
)]
#[path = "support/fakes.rs"]
mod fakes;
#[path = "support/file_target.rs"]
mod file_target;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, Days, NaiveDate, Utc};
use tessera_domain::{Person, TargetConnector};
use tessera_engine::apply::{ApplySettings, RetryPolicy, apply_plan, resume};
use tessera_engine::import::{ImportOptions, SourceSettings, import};
use tessera_engine::model::RoleModel;
use tessera_engine::plan::{plan_system, save_plan};
use tessera_engine::reconcile::read_target;
use tessera_store::Store;

use fakes::{FakeSource, person, shift};
use file_target::{FileState, FileTarget};

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

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .checked_add_days(Days::new(n))
        .unwrap()
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap().and_utc()
}

fn settings() -> ApplySettings {
    ApplySettings {
        concurrency: 1,
        retry: RetryPolicy {
            attempts: 2,
            base_delay: std::time::Duration::ZERO,
            max_delay: std::time::Duration::ZERO,
        },
        plugin: Some("file-ad@1.0.0".into()),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn main() {
    if let Ok(dir) = std::env::var("TESSERA_CRASH_DIR") {
        child(Path::new(&dir));
        return;
    }
    let pristine = tempfile::tempdir().unwrap();
    let plan_id = runtime().block_on(prepare(pristine.path()));
    let reference = tempfile::tempdir().unwrap();
    copy_dir(pristine.path(), reference.path());
    let out = spawn(reference.path(), plan_id, "apply", None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = FileState::load(&reference.path().join(TARGET));
    let writes = expected.applied.len() - day0_writes(pristine.path());
    assert!(writes >= 6, "the plan must write a good deal: {writes}");
    assert!(
        expected.applied.values().all(|n| *n == 1),
        "{:?}",
        expected.applied
    );
    check_finished(reference.path(), &expected);
    for point in 1..=2 * writes {
        crash_and_resume(pristine.path(), plan_id, point, &expected);
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

/// Day 0: three nurses get accounts. Day 3: one leaves (revoke, disable), one is gone for
/// good (revoke, delete), one changes name (update), one starts (enable) and one is new
/// (create, grant). Returns the day-3 plan's id, saved but not applied.
async fn prepare(dir: &Path) -> i64 {
    let store = Store::open(dir.join(DB)).unwrap();
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let mut target = FileTarget::new(dir.join(TARGET), None);
    let staff = |name: &str| -> Vec<Person> {
        vec![
            person(
                "p1",
                "Ann",
                None,
                name,
                vec![shift("s1", "IC", day(0), day(20))],
            ),
            person(
                "p2",
                "Bob",
                None,
                "Bee",
                vec![shift("s2", "IC", day(0), day(1))],
            ),
            person(
                "p3",
                "Cem",
                None,
                "Cee",
                vec![shift("s3", "OK", day(3), day(20))],
            ),
            person(
                "p4",
                "Dan",
                None,
                "Dee",
                vec![shift("s4", "IC", day(0), day(0))],
            ),
        ]
    };
    import_all(&store, staff("Ade"), day(0)).await;
    let info = read_target(&store, "ad", &mut target, noon(day(0)))
        .await
        .unwrap()
        .info;
    let mut plan = plan_system(&store, &model, "ad", &info, day(0)).unwrap();
    let id = save_plan(&store, &mut plan, noon(day(0))).unwrap();
    let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(target)];
    let report = apply_plan(&store, id, &mut pool, &settings(), noon(day(0)))
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mut later = staff("Ade-Visser");
    later.push(person(
        "p5",
        "Eva",
        None,
        "Eek",
        vec![shift("s5", "IC", day(3), day(9))],
    ));
    import_all(&store, later, day(3)).await;
    let info = read_target(&store, "ad", pool[0].as_mut(), noon(day(3)))
        .await
        .unwrap()
        .info;
    let mut plan = plan_system(&store, &model, "ad", &info, day(3)).unwrap();
    assert!(plan.blocked.is_empty());
    save_plan(&store, &mut plan, noon(day(3))).unwrap()
}

async fn import_all(store: &Store, persons: Vec<Person>, today: NaiveDate) {
    let mut source = FakeSource::new(persons, 10);
    let options = ImportOptions::default();
    let settings = SourceSettings::new("hr");
    let report = import(store, &mut source, &settings, options, noon(today))
        .await
        .unwrap();
    assert!(report.committed, "{:?}", report.blocked);
}

fn day0_writes(pristine: &Path) -> usize {
    FileState::load(&pristine.join(TARGET)).applied.len()
}

/// Aborts a child at `point`, resumes in a second child, and compares with the reference.
fn crash_and_resume(pristine: &Path, plan_id: i64, point: usize, expected: &FileState) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(pristine, dir.path());
    let crashed = spawn(dir.path(), plan_id, "apply", Some(point));
    assert!(
        crashed.status.code().is_none(),
        "point {point}: the child must die by abort, got {:?}",
        crashed.status
    );
    let resumed = spawn(dir.path(), plan_id, "resume", None);
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        resumed.status.success(),
        "point {point}: {}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let reports: Vec<serde_json::Value> = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        reports.len(),
        1,
        "point {point}: the unfinished plan is resumed"
    );
    let report = &reports[0];
    assert_eq!(
        report["failed"],
        serde_json::json!([]),
        "point {point}: {report}"
    );
    // After an effect reached the target but not the journal, the resume re-reads the target
    // and finds it done instead of doing it again.
    let recovered = if point.is_multiple_of(2) { 1 } else { 0 };
    assert_eq!(report["recovered"], recovered, "point {point}: {report}");
    let state = FileState::load(&dir.path().join(TARGET));
    assert_eq!(
        state.applied, expected.applied,
        "point {point}: a write lost or doubled"
    );
    check_finished(dir.path(), &state);
    assert_eq!(state.accounts, expected.accounts, "point {point}");
    assert_eq!(state.memberships, expected.memberships, "point {point}");
}

/// Nothing left open, nothing left to do, and the audit chain holds.
fn check_finished(dir: &Path, state: &FileState) {
    let store = Store::open(dir.join(DB)).unwrap();
    assert!(store.unfinished_plans("ad").unwrap().is_empty());
    assert!(store.verify_audit().unwrap().is_ok());
    let model = RoleModel::parse("roles.toml", MODEL).unwrap();
    let mut target = FileTarget::new(dir.join(TARGET), None);
    let rt = runtime();
    let info = rt
        .block_on(read_target(&store, "ad", &mut target, noon(day(3))))
        .unwrap()
        .info;
    let again = plan_system(&store, &model, "ad", &info, day(3)).unwrap();
    assert!(
        again.operations.is_empty(),
        "{:?} with {state:?}",
        again.operations
    );
}

fn spawn(dir: &Path, plan_id: i64, mode: &str, abort_at: Option<usize>) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("TESSERA_CRASH_DIR", dir)
        .env("TESSERA_CRASH_PLAN", plan_id.to_string())
        .env("TESSERA_CRASH_MODE", mode)
        .env_remove("TESSERA_CRASH_AT");
    if let Some(n) = abort_at {
        cmd.env("TESSERA_CRASH_AT", n.to_string());
    }
    cmd.output().unwrap()
}

/// The child: apply the plan (or resume whatever is unfinished) and print the reports.
fn child(dir: &Path) {
    let var = |name: &str| std::env::var(name).ok();
    let abort_at = var("TESSERA_CRASH_AT").map(|n| n.parse().unwrap());
    let plan_id: i64 = var("TESSERA_CRASH_PLAN").unwrap().parse().unwrap();
    let store = Store::open(dir.join(DB)).unwrap();
    let target = FileTarget::new(dir.join(TARGET), abort_at);
    let mut pool: Vec<Box<dyn TargetConnector>> = vec![Box::new(target)];
    let now = noon(day(3));
    let reports = runtime().block_on(async {
        match var("TESSERA_CRASH_MODE").as_deref() {
            Some("resume") => resume(&store, "ad", &mut pool, &settings(), now).await,
            _ => apply_plan(&store, plan_id, &mut pool, &settings(), now)
                .await
                .map(|r| vec![r]),
        }
    });
    println!("{}", serde_json::to_string(&reports.unwrap()).unwrap());
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}
