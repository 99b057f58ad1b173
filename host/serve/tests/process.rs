//! The daemon as a process, stopped the hard way and the polite way, mid-apply:
//!
//! - `kill -9` while an operation has just taken effect, then a restart: the restarted daemon
//!   finishes the plan from the journal; every write took effect exactly once and the audit
//!   chain verifies.
//! - SIGTERM while an operation is in hand: that operation finishes and is journalled, no
//!   further one starts, the process exits 0 with no journal entry left open; the next start
//!   finishes the plan.
//!
//! `harness = false`: the same binary is the parent and (with `TESSERA_SERVE_DIR` set) the
//! daemon, so the daemon runs the product's serve loop and signal handling over fakes.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tessera_config::{ApplySettings, Settings, SourceSettings};
use tessera_engine::model::RoleModel;
use tessera_serve::{Daemon, Health};
use tessera_store::prelude::*;
use tessera_store::{JournalState, SqliteStore};
use tessera_sync::{Clock, NoProgress, SyncOptions, System, Systems};
use tessera_testkit::fakes::{FakeSource, FileState, FileSystem, Fixed, Gate};
use tessera_testkit::models::IC_NURSES;
use tessera_testkit::{person, shift};

const DB: &str = "tessera.db";
const TARGET: &str = "target.json";

fn main() {
    if let Ok(dir) = std::env::var("TESSERA_SERVE_DIR") {
        let gate = std::env::var("TESSERA_GATE")
            .ok()
            .map(|p| p.parse().unwrap());
        child(Path::new(&dir), gate);
        return;
    }
    let reference = tempfile::tempdir().unwrap();
    let expected = sync_once(reference.path());
    let writes = expected.applied.len();
    assert!(
        writes >= 8,
        "four creates and four grants: {:?}",
        expected.applied
    );
    killed_mid_apply(&expected, writes / 2);
    stopped_mid_apply(&expected, writes / 2);
    println!("process: kill -9 and SIGTERM mid-apply over {writes} writes, none lost or doubled");
}

fn staff() -> Vec<tessera_domain::Person> {
    let today = Utc::now().date_naive();
    let (from, to) = (today.pred_opt().unwrap(), today + chrono::Days::new(10));
    ["Ann", "Bob", "Cem", "Dik"]
        .iter()
        .enumerate()
        .map(|(i, given)| {
            let id = format!("p{i}");
            person(
                &id,
                given,
                "Test",
                vec![shift(&format!("{id}-s"), "IC", from, to)],
            )
        })
        .collect()
}

fn systems(dir: &Path, gate: Option<usize>) -> Systems {
    let target = FileSystem {
        path: dir.join(TARGET),
        abort_at: None,
        gate: gate.map(|point| Gate {
            point,
            dir: dir.to_owned(),
        }),
    };
    let system = |name: &str, apply, connect| System {
        name: name.into(),
        source: SourceSettings::default(),
        apply,
        connect,
    };
    // One writer: the writes, and so the gate, come in order.
    let one = ApplySettings {
        concurrency: 1,
        ..ApplySettings::default()
    };
    let source = FakeSource::new(staff(), 10).with_feed();
    Systems {
        systems: vec![
            system(
                "hr",
                ApplySettings::default(),
                Box::new(Fixed::source(source)),
            ),
            system("ad", one, Box::new(target)),
        ],
        ..Systems::default()
    }
}

fn model() -> RoleModel {
    RoleModel::parse("roles.toml", IC_NURSES).unwrap()
}

/// The daemon: serves until SIGTERM, waiting at `gate` if given.
fn child(dir: &Path, gate: Option<usize>) {
    let store = SqliteStore::open(dir.join(DB)).unwrap();
    let settings =
        Settings::parse("[serve]\npoll = 1\ninterval = 1\n", &dir.join("t.toml")).unwrap();
    let (model, systems) = (model(), systems(dir, gate));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let served = rt.block_on(async {
        let daemon = Daemon::new(&store, &model, &systems, &settings).unwrap();
        let health = Health {
            history: std::sync::Mutex::new(Box::new(SqliteStore::open(dir.join(DB)).unwrap())),
            bounds: daemon.bounds(),
            unloaded: vec![],
        };
        let listener = tessera_serve::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let signals = tessera_serve::stop_on_signals(daemon.stopper());
        let served = tessera_serve::serve(daemon, listener, health).await;
        signals.abort();
        served
    });
    served.unwrap();
    eprintln!("daemon stopped");
}

/// One uninterrupted sync in `dir`: what the target should end as.
fn sync_once(dir: &Path) -> FileState {
    let store = SqliteStore::open(dir.join(DB)).unwrap();
    let (model, systems) = (model(), systems(dir, None));
    let run = tessera_sync::sync(
        &store,
        &model,
        &systems,
        SyncOptions::default(),
        Clock::new(None, tessera_domain::Zone::UTC),
        &NoProgress,
    );
    let outcome = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(run)
        .unwrap();
    assert!(
        outcome.systems.iter().all(|s| s.notes.is_empty()),
        "{:?}",
        outcome.systems
    );
    FileState::load(&dir.join(TARGET))
}

fn spawn(dir: &Path, gate: Option<usize>) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .env("TESSERA_SERVE_DIR", dir)
        .env("TESSERA_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(point) = gate {
        command.env("TESSERA_GATE", point.to_string());
    }
    command.spawn().unwrap()
}

/// Waits, up to a bound, until `done` holds.
fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sigterm(child: &Child) {
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
}

/// Restarts the daemon, waits until the target holds what an uninterrupted run gives, stops
/// it with SIGTERM and checks the store.
fn finish(dir: &Path, expected: &FileState) {
    let child = spawn(dir, None);
    let target = dir.join(TARGET);
    until("the plan to be finished", || {
        FileState::load(&target).applied.len() >= expected.applied.len()
    });
    sigterm(&child);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let state = FileState::load(&target);
    assert_eq!(state.applied, expected.applied, "every write exactly once");
    assert_eq!(state.accounts, expected.accounts);
    assert_eq!(state.memberships, expected.memberships);
    let store = SqliteStore::open(dir.join(DB)).unwrap();
    assert!(store.unfinished_plans("ad").unwrap().is_empty());
    assert!(
        store.verify_audit().unwrap().is_ok(),
        "the audit chain verifies"
    );
}

fn killed_mid_apply(expected: &FileState, write: usize) {
    let dir = tempfile::tempdir().unwrap();
    // Just after the write's effect reached the target, before the journal knows.
    let mut child = spawn(dir.path(), Some(2 * write));
    until("the daemon at the gate", || {
        dir.path().join("waiting").exists()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let state = FileState::load(&dir.path().join(TARGET));
    assert_eq!(state.applied.len(), write, "killed after write {write}");
    finish(dir.path(), expected);
}

fn stopped_mid_apply(expected: &FileState, write: usize) {
    let dir = tempfile::tempdir().unwrap();
    // Just before the write takes effect: the stop is asked while it is in hand.
    let child = spawn(dir.path(), Some(2 * write - 1));
    until("the daemon at the gate", || {
        dir.path().join("waiting").exists()
    });
    sigterm(&child);
    std::fs::write(dir.path().join("go"), b"").unwrap();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit 0 after SIGTERM: {log}");
    assert!(log.contains("daemon stopped"), "{log}");
    let state = FileState::load(&dir.path().join(TARGET));
    assert_eq!(
        state.applied.len(),
        write,
        "the write in hand finished, no further one"
    );
    let store = SqliteStore::open(dir.path().join(DB)).unwrap();
    let open = store.unfinished_plans("ad").unwrap();
    assert_eq!(open.len(), 1, "the rest of the plan waits");
    let entries = store.journal_entries(open[0]).unwrap();
    assert_eq!(entries.len(), write, "every write journalled");
    assert!(
        entries.iter().all(|e| e.state == JournalState::Done),
        "none left started"
    );
    drop(store);
    std::fs::remove_file(dir.path().join("go")).unwrap();
    finish(dir.path(), expected);
}
