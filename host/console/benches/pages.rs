//! How fast the console answers over a hospital-sized store: 30,000 persons with accounts in
//! a target, 1,000 open deviations and 1,000,000 audit records. Every page is fetched over
//! loopback by a logged-in admin, 40 times after warming up; the figures are p50, p95 and
//! the slowest, and the audit search for one person over a year is measured on its own.
//! Goals: every page ≤ 150 ms at p95; the person-year audit search ≤ 300 ms. The next plan's
//! dry run, computed on request, is measured too.
//!
//! `cargo bench -p tessera-console --bench pages` (TESSERA_BENCH_PERSONS and
//! TESSERA_BENCH_AUDIT scale it down for a quick look).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a bench harness")]

#[path = "../tests/console/support.rs"]
#[allow(dead_code, reason = "the tests' helpers, not all of them used here")]
mod support;

use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use tessera_console::Settings;
use tessera_domain::EntitlementRef;
use tessera_store::prelude::*;
use tessera_store::{AuditRecord, SqliteStore};
use tessera_testkit::fakes::FakeTarget;
use tessera_testkit::models::IC_NURSES;
use tessera_testkit::{Lifecycle, person, shift};

const ROUNDS: usize = 40;

fn scale(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(bench());
}

async fn bench() {
    let persons = scale("TESSERA_BENCH_PERSONS", 30_000);
    let audit = scale("TESSERA_BENCH_AUDIT", 1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.db");
    let started = Instant::now();
    let life = hospital(&path, persons).await;
    println!(
        "store: {persons} persons, synced, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let total = fill_audit(&life.store, audit, persons);
    println!(
        "audit: {total} records in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    drop(life);
    let console = support::Console::start_on(dir, path, Settings::default(), IC_NURSES).await;
    let plan = console.store().recent_plans(Some("ad"), true, 1).unwrap()[0].id;
    let mut admin = console.login("admin").await;
    let year_ago = Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(365))
        .unwrap();
    let pages = [
        "/".to_owned(),
        "/runs".to_owned(),
        format!("/runs/{plan}"),
        "/deviations".to_owned(),
        "/deviations?person=p000123".to_owned(),
        "/approvals".to_owned(),
        "/grants".to_owned(),
        "/persons?q=jansen".to_owned(),
        format!("/persons/p{:06}", 12_345 % persons),
        "/audit".to_owned(),
        "/audit?system=ad".to_owned(),
        "/plugins".to_owned(),
        "/users".to_owned(),
    ];
    println!(
        "\n{:<34} {:>8} {:>8} {:>8}",
        "page", "p50 ms", "p95 ms", "max ms"
    );
    for page in &pages {
        let times = measure(&mut admin, |_| page.clone()).await;
        report(page, &times);
    }
    let search = |n: usize| format!("/audit?person=p{:06}&from={year_ago}", (n * 7919) % persons);
    let times = measure(&mut admin, search).await;
    report("/audit?person=…&from=<a year ago>", &times);
    // The dry run plans every person on request; it is no page view and has no goal here.
    let times = measure(&mut admin, |_| "/plan?compute=yes".to_owned()).await;
    report("/plan?compute=yes (a dry run)", &times);
}

/// `persons` nurses imported and synced to a fake AD in full, then 1,000 of their accounts
/// given a group no rule grants and read again: the open deviations.
async fn hospital(path: &std::path::Path, persons: usize) -> Lifecycle {
    let today = Utc::now().date_naive();
    let ends = today.checked_add_days(Days::new(200)).unwrap();
    let target = FakeTarget::new(true).with_page_size(1000);
    let mut life = Lifecycle::fake("ad", target.clone());
    life.store = SqliteStore::open(path).unwrap();
    life.model(IC_NURSES);
    life.apply().concurrency = 8;
    let everyone = (0..persons)
        .map(|n| {
            let dept = if n % 3 == 0 { "SEH" } else { "IC" };
            let shifts = vec![shift(&format!("s{n}"), dept, today, ends)];
            person(&format!("p{n:06}"), &format!("Anna{n}"), "Jansen", shifts)
        })
        .collect();
    life.import(everyone, today).await;
    life.cycle(today).await;
    let keys: Vec<String> = target.state().accounts.keys().take(1000).cloned().collect();
    let vpn = EntitlementRef {
        kind: "group".into(),
        key: "vpn".into(),
    };
    for key in keys {
        target.state().memberships.insert((key, vpn.clone()));
    }
    life.cycle(today).await;
    life
}

/// Tops the trail up to `total` records: the actions a hospital's trail holds, spread over
/// two years, over every person and three systems.
fn fill_audit(store: &SqliteStore, total: usize, persons: usize) -> usize {
    let have = store.audit_entries(None).unwrap().len();
    let actions = ["grant", "revoke", "create", "enable", "disable", "import"];
    let systems = ["ad", "hix", "hsa"];
    let now = Utc::now();
    let missing = total.saturating_sub(have);
    for chunk in (0..missing).collect::<Vec<_>>().chunks(20_000) {
        store
            .atomically(|| {
                for &n in chunk {
                    let minutes = (n as i64 * 97) % (2 * 365 * 24 * 60);
                    store.append_audit(&AuditRecord {
                        at: now - chrono::Duration::minutes(minutes),
                        action: actions[n % actions.len()].to_owned(),
                        system: Some(systems[n % systems.len()].to_owned()),
                        person: Some(format!("p{:06}", (n * 31) % persons)),
                        why: Some("rule `IC nurses` through contracts s1".to_owned()),
                        actor: Some(if n % 50 == 0 { "olga" } else { "sync" }.to_owned()),
                        outcome: "ok".to_owned(),
                        ..AuditRecord::default()
                    })?;
                }
                Ok::<_, tessera_store::Error>(())
            })
            .unwrap();
    }
    have + missing
}

/// Fetches `path(n)` three times to warm up, then `ROUNDS` times; the times of the latter.
async fn measure(client: &mut support::Client, path: impl Fn(usize) -> String) -> Vec<Duration> {
    for n in 0..3 {
        let reply = client.get(&path(n)).await;
        assert_eq!(reply.status, 200, "{}: {}", path(n), reply.body);
    }
    let mut times = Vec::with_capacity(ROUNDS);
    for n in 0..ROUNDS {
        let started = Instant::now();
        let reply = client.get(&path(n + 3)).await;
        times.push(started.elapsed());
        assert_eq!(reply.status, 200);
    }
    times.sort();
    times
}

fn report(what: &str, sorted: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at =
        |q: f64| sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1];
    println!(
        "{what:<34} {:>8.1} {:>8.1} {:>8.1}",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(sorted[sorted.len() - 1])
    );
}
