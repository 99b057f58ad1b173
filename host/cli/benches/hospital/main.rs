//! The hospital benchmark: 30,000 flex workers with 600,000 shifts in the mock Elanza, 10,000
//! permanent staff in the mock AFAS Profit, and 35,000 existing accounts each in the HiX mock, a
//! Samba AD DC and an HSA slapd (the staff's and 25,000 workers'). It times the
//! `tessera` binary through a full first sync (the take-over), an incremental sync with
//! nothing changed, an incremental sync after 1 % of the workers changed department and
//! function, a full reconciliation, and the daemon's latency for a new worker, and prints
//! time per stage, operations per second per target and the process's peak RSS.
//!
//! `cargo bench -p tessera-cli --bench hospital`; `TESSERA_BENCH_SCALE=0.2` runs a fifth.
//! Goals (issue 14, 2-core machine): no-change incremental ≤ 2 s, 1 % change ≤ 2 s plus 1.2 ×
//! the targets' own time (the same operations sent directly, see `replay`), full
//! reconciliation ≤ 38.5 s, daemon ≤ 5 s, peak RSS ≤ 300 MiB.

mod daemon;
mod replay;
mod run;

use std::path::Path;
use std::time::Instant;

use chrono::Utc;
use tessera_test_servers::hospital::{Directories, Hospital, Scale, story};
use tessera_test_servers::{hsa, samba};

use run::{Measured, tessera};

const PLUGINS: [&str; 5] = ["elanza", "afas-profit", "hix", "active-directory", "hsa"];

fn main() {
    let factor: f64 = std::env::var("TESSERA_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let scale = Scale::hospital().scaled(factor);
    let today = Utc::now().date_naive();
    println!(
        "hospital benchmark: {} flex workers and {} permanent staff, {} existing accounts per \
         target (scale {factor})",
        scale.workers,
        scale.permanent,
        scale.existing + scale.permanent_existing
    );
    let started = Instant::now();
    let servers = tokio::runtime::Runtime::new().expect("tokio runtime");
    // TESSERA_BENCH_SOURCE_ONLY=1: only Elanza and HiX, for quick looks at the source.
    let source_only = std::env::var_os("TESSERA_BENCH_SOURCE_ONLY").is_some();
    let dirs = match source_only {
        true => Directories::default(),
        false => Directories {
            samba: Some(samba::shared()),
            hsa: Some(hsa::start()),
        },
    };
    let hospital = servers.block_on(Hospital::start(scale, today, dirs));
    let shifts = hospital.elanza.with_data(|d| d.shift_count());
    println!(
        "set up in {:.0} s: {shifts} shifts in Elanza, {} HiX users",
        started.elapsed().as_secs_f64(),
        hospital.hix.users().len()
    );
    let home = tempfile::Builder::new()
        .prefix("tessera-bench-")
        .tempdir()
        .expect("temp dir");
    install(home.path(), &hospital);
    // The source alone, to tell the plugin's share of time and memory from the engine's.
    let read = tessera(home.path(), &["run", "elanza", "--json"]);
    println!(
        "\nElanza read alone (tessera run elanza): {:.1} s wall, {:.1} s CPU, peak RSS {:.0} MiB, \
         {} persons with {} contracts",
        read.seconds,
        read.cpu_seconds,
        read.peak_mib,
        read.summary["persons"],
        read.summary["contracts"]
    );
    if hospital.afas.is_some() {
        let hr = tessera(home.path(), &["run", "afas", "--json"]);
        println!(
            "AFAS read alone (tessera run afas): {:.1} s wall, {:.1} s CPU, peak RSS {:.0} MiB, \
             {} persons with {} contracts",
            hr.seconds, hr.cpu_seconds, hr.peak_mib, hr.summary["persons"], hr.summary["contracts"]
        );
    }
    // HiX has no feed: a full reconciliation lists all its users, so its listing is timed alone.
    let hix = tessera(home.path(), &["run", "hix", "--json"]);
    println!(
        "HiX listing alone (tessera run hix): {:.1} s wall, {:.1} s CPU, peak RSS {:.0} MiB",
        hix.seconds, hix.cpu_seconds, hix.peak_mib
    );
    if source_only {
        return;
    }
    let first = tessera(home.path(), &["sync", "--json", "--force", "--full"]);
    first.print("first sync (take-over, full)");
    first.assert_ok();
    let again = tessera(home.path(), &["sync", "--json"]);
    again.print("incremental sync, nothing changed");
    again.assert_ok();
    let (since, hix_mark) = (Utc::now(), hospital.hix.log().len());
    let changed = change_one_percent(&hospital, scale);
    let change = tessera(home.path(), &["sync", "--json"]);
    change.print(&format!(
        "incremental sync, 1 % change ({changed} workers moved)"
    ));
    change.assert_ok();
    let floor = servers.block_on(replay::floor(home.path(), &hospital, since, hix_mark));
    let full = tessera(home.path(), &["sync", "--json", "--full"]);
    full.print("full reconciliation");
    full.assert_ok();
    summary(&[
        ("first sync (full)", &first, 60.0),
        ("no-change incremental", &again, 2.0),
        ("1 % change incremental", &change, 2.0 + 1.2 * floor.seconds),
        ("full reconciliation", &full, 38.5),
    ]);
    print_floor(&floor, &change);
    match daemon::latency(home.path(), &hospital) {
        Some(s) => println!(
            "daemon latency (new worker in Elanza → enabled AD and HiX accounts with groups): \
             {s:.1} s (goal ≤ 5 s)"
        ),
        None => println!("daemon latency: **the accounts were not ready within 120 s**"),
    }
}

/// The targets' floor for the 1 % change beside the run's apply stage and its whole time.
fn print_floor(floor: &replay::Floor, change: &Measured) {
    let apply = change.summary["seconds"]["apply"]
        .as_f64()
        .unwrap_or_default();
    let sent: Vec<String> = floor
        .counts
        .iter()
        .map(|(target, sent, left)| format!("{target} {sent} (left out {left})"))
        .collect();
    println!(
        "\n1 % change, the same operations sent directly ({}): {:.1} s, the targets' floor; \
         the run's apply stage {apply:.1} s ({:.2}× the floor), the whole run {:.1} s ({:.2}×)",
        sent.join(", "),
        floor.seconds,
        apply / floor.seconds,
        change.seconds,
        change.seconds / floor.seconds
    );
}

/// Configuration, role model, vault key, secrets and plugins, through the binary.
fn install(home: &Path, hospital: &Hospital) {
    std::fs::write(home.join("tessera.toml"), hospital.config()).expect("config");
    std::fs::write(home.join("roles.toml"), hospital.roles()).expect("roles");
    run::check(home, &["secret", "keygen", "vault.key"], None);
    for (name, value) in hospital.secrets() {
        run::check(home, &["secret", "set", name], Some(&value));
    }
    for name in PLUGINS {
        let file = tessera_testkit::plugin(name);
        run::check(
            home,
            &["plugin", "install", &file.display().to_string()],
            None,
        );
    }
}

/// Moves 1 % of the workers (every hundredth existing one) to another department and
/// function from today on. Returns how many moved.
fn change_one_percent(h: &Hospital, scale: Scale) -> usize {
    let today = h.today();
    let posts = [
        ("IC", "ICVPK"),
        ("SEH", "SEHVPK"),
        ("OK", "OKA"),
        ("CHIR", "VPK"),
    ];
    let count = scale.workers / 100;
    (0..count)
        .filter(|i| {
            let number = 100_000 + (i * 100 % scale.existing.max(1)) as u64;
            story::change_function(h, number, posts[i % posts.len()], today) > 0
        })
        .count()
}

fn summary(rows: &[(&str, &Measured, f64)]) {
    println!("\n| run | total | goal | peak RSS (goal ≤ 300 MiB) |\n|---|---|---|---|");
    for (name, m, goal) in rows {
        let verdict = if m.seconds <= *goal {
            "met"
        } else {
            "**missed**"
        };
        println!(
            "| {name} | {:.2} s | ≤ {goal:.2} s, {verdict} | {:.0} MiB |",
            m.seconds, m.peak_mib
        );
    }
}
