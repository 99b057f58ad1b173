//! Running the `tessera` binary: its wall time, its peak RSS (sampled from /proc while it
//! runs) and its JSON summary.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tessera_testkit::Tessera;

/// One timed run.
pub struct Measured {
    pub seconds: f64,
    pub peak_mib: f64,
    /// CPU time of the tessera process (user + system), as last sampled.
    pub cpu_seconds: f64,
    pub summary: Value,
}

/// The binary, run in and against the installation in `home`.
fn tessera_in(home: &Path) -> Tessera {
    Tessera::new(env!("CARGO_BIN_EXE_tessera"))
        .config(home.join("tessera.toml"))
        .dir(home)
}

/// Runs a set-up command, feeding `input` on stdin; panics with its output if it fails.
pub fn check(home: &Path, args: &[&str], input: Option<&str>) {
    let out = tessera_in(home).run_with_input(args, input.unwrap_or_default());
    tessera_testkit::command::check(0, args, &out);
}

/// Starts a long-running command (the daemon), its log going to `log`.
pub fn spawn(home: &Path, args: &[&str], log: &Path) -> std::process::Child {
    let file = std::fs::File::create(log).expect("daemon log");
    tessera_in(home)
        .command(args)
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .expect("tessera runs")
}

/// Runs a command with `--json` output and measures it.
pub fn tessera(home: &Path, args: &[&str]) -> Measured {
    let started = Instant::now();
    let mut child = tessera_in(home)
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("tessera runs");
    let status_file = format!("/proc/{}/status", child.id());
    let stat_file = format!("/proc/{}/stat", child.id());
    let mut cpu_seconds = 0.0f64;
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout));
    let mut peak_kib = 0u64;
    // Polled, so a peak shorter than the interval can be missed; the big allocations here
    // (the persons, the listings) live for seconds.
    while child.try_wait().expect("wait").is_none() {
        if let Some(kib) = vm_hwm(&status_file) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(cpu) = cpu_time(&stat_file) {
            cpu_seconds = cpu;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let seconds = started.elapsed().as_secs_f64();
    let text = reader.join().expect("reader").expect("stdout");
    let summary = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("tessera {args:?} printed no JSON ({e}): {text}"));
    Measured {
        seconds,
        peak_mib: peak_kib as f64 / 1024.0,
        cpu_seconds,
        summary,
    }
}

/// utime + stime from `/proc/PID/stat`, in seconds (the kernel counts 100 ticks a second).
fn cpu_time(file: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(file).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn vm_hwm(file: &str) -> Option<u64> {
    let status = std::fs::read_to_string(file).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Measured {
    /// Figures from a run where a system failed would mislead: stop with its notes.
    pub fn assert_ok(&self) {
        for system in self.summary["systems"].as_array().into_iter().flatten() {
            assert_eq!(system["status"], "ok", "{system:#}");
        }
    }

    /// Stage times, and per target what it listed, planned and applied.
    pub fn print(&self, title: &str) {
        let s = &self.summary;
        println!(
            "\n{title}: {:.2} s wall, {:.1} s CPU in tessera, peak RSS {:.0} MiB",
            self.seconds, self.cpu_seconds, self.peak_mib
        );
        let stages = ["load", "recover", "import", "soll", "read", "plan", "apply"];
        let cells: Vec<String> = stages
            .iter()
            .map(|k| format!("{k} {:.2} s", s["seconds"][k].as_f64().unwrap_or(0.0)))
            .collect();
        println!("  stages: {}", cells.join(" · "));
        for system in s["systems"].as_array().into_iter().flatten() {
            print_system(system);
        }
    }
}

fn print_system(v: &Value) {
    let name = v["system"].as_str().unwrap_or("?");
    let secs = |stage: &str| v["seconds"][stage].as_f64().unwrap_or(0.0);
    if let Some(import) = v["import"].as_object() {
        let c = &import["counts"];
        println!(
            "  {name:<7} import {:.1} s: {} persons (+{} ~{} -{})",
            secs("import"),
            c["total"],
            c["added"],
            c["changed"],
            c["removed"]
        );
        return;
    }
    let ops = v["plan"]["operations"].as_u64().unwrap_or(0);
    let done = v["apply"]["done"].as_u64().unwrap_or(0);
    let apply = secs("apply");
    let rate = if apply > 0.0 {
        done as f64 / apply
    } else {
        0.0
    };
    println!(
        "  {name:<7} read {:.1} s ({} accounts, {} memberships) · plan {:.1} s · apply {apply:.1} s: \
         {done}/{ops} operations {}, {rate:.0}/s · {}",
        secs("read"),
        v["ist"]["accounts"],
        v["ist"]["memberships"],
        secs("plan"),
        v["plan"]["by_kind"],
        v["status"]
    );
}
