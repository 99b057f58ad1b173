//! AFAS Profit at hospital scale: 10,000 employees (a fifth of them with a second employment
//! row after a move) read from the mock Profit through the plugin in the runtime, and
//! imported through the engine into a store: the first import (everyone added) and the next
//! (nothing changed). Prints medians and each phase's peak RSS.
//!
//! Run: `cargo bench -p tessera-tests --bench afas`.
#![allow(clippy::unwrap_used, reason = "benchmark")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tessera_engine::import::{ImportOptions, SourceSettings, import};
use tessera_runtime::{MemoryServices, Runtime, RuntimeOptions, WasmSource};
use tessera_store::SqliteStore;
use tessera_test_servers::afas::{AfasData, AfasMock, AfasOptions, Employee, Employment};
use tessera_testkit::measure::{median, ms, read_all, reset_peak, status_mib};
use tessera_testkit::{TestInstall, plugin};

const EMPLOYEES: usize = 10_000;
const TOKEN: &str = "<token><version>1</version><data>BE4C8BE4C8BE4C8B</data></token>";
const RUNS: usize = 5;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

/// Employees in twelve units; every fifth moved last month, so has an ended and a new row.
fn staff() -> AfasData {
    let units = [
        "IC", "SEH", "OK", "CCU", "KINC", "VERL", "LAB", "RAD", "APO", "POLI", "ICT", "HRM",
    ];
    let start = NaiveDate::from_ymd_opt(2019, 9, 1).unwrap();
    let moved = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    let mut data = AfasData::default();
    for i in 0..EMPLOYEES {
        let number = (100_000 + i).to_string();
        let unit = units[i % units.len()];
        data.employees.push(Employee::new(
            &number,
            "Medewerker",
            &format!("Achternaam{i}"),
        ));
        let mut row = Employment::new(
            &format!("5D1E0000-0000-4000-8000-{:012}", 2 * i),
            &number,
            (unit, unit),
            ("VPK", "Verpleegkundige"),
            start,
        );
        if i % 5 == 0 {
            row.end = moved.pred_opt();
            let mut next = row.clone();
            next.id = format!("5D1E0000-0000-4000-8000-{:012}", 2 * i + 1);
            next.unit = ("SEH".into(), "Spoedeisende hulp".into());
            next.start = moved;
            next.end = None;
            data.employments.push(next);
        }
        data.employments.push(row);
    }
    data
}

fn config(m: &AfasMock) -> String {
    let origin = m.origin();
    format!(
        "[systems.afas]\nplugin = \"afas-profit\"\n[systems.afas.config]\nbase_url = \"{}\"\n\
         [systems.afas.grants]\nstate = true\nhttp = [\"{origin}\"]\nhttp_insecure = [\"{origin}\"]\nhttp_private = [\"{origin}\"]\n\
         [[systems.afas.http_auth]]\norigin = \"{origin}\"\n\
         header = {{ name = \"Authorization\", scheme = \"AfasToken\", base64 = true, secret = \"afas-token\" }}\n\
         [systems.afas.limits]\nmemory_mib = 512\nhttp_body_mib = 64\ncpu_seconds = 120\ncall_timeout_seconds = 300\n",
        m.base_url()
    )
}

/// A fresh instance of the plugin; the installation must outlive it.
async fn source(runtime: &Runtime, install: &TestInstall) -> WasmSource {
    let mut inst = install.open();
    inst.set_services(Arc::new(MemoryServices::with_secrets([(
        "afas-token",
        TOKEN,
    )])));
    let (system, _) = inst.prepare(runtime, "afas").unwrap();
    system.source().await.unwrap()
}

/// Every page of one run; persons and contracts.
async fn read(runtime: &Runtime, install: &TestInstall) -> (usize, usize) {
    let mut source = source(runtime, install).await;
    read_all(&mut source).await
}

/// One import into `store`; its wall time and counts.
async fn imported(
    runtime: &Runtime,
    install: &TestInstall,
    store: &SqliteStore,
) -> (Duration, String) {
    let mut source = source(runtime, install).await;
    let options = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    let now = today().and_hms_opt(12, 0, 0).unwrap().and_utc();
    let started = Instant::now();
    let report = import(
        store,
        &mut source,
        "afas",
        &SourceSettings::default(),
        options,
        now,
    )
    .await
    .unwrap();
    let c = report.counts;
    let counts = format!("+{} ~{} -{} of {}", c.added, c.changed, c.removed, c.total);
    (started.elapsed(), counts)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mock = AfasMock::start(AfasOptions {
            token: TOKEN.into(),
            data: staff(),
            today: today(),
        })
        .await;
        let runtime = Runtime::new(RuntimeOptions::default()).unwrap();
        let install = TestInstall::new(&config(&mock));
        install.open().store.install(&plugin("afas-profit"), None).unwrap();
        println!("AFAS Profit: {EMPLOYEES} employees from the mock, through the plugin and the engine");
        let (persons, contracts) = read(&runtime, &install).await;
        let mut samples = Vec::new();
        reset_peak();
        let base = status_mib("VmRSS");
        for _ in 0..RUNS {
            let started = Instant::now();
            read(&runtime, &install).await;
            samples.push(started.elapsed());
        }
        let peak = status_mib("VmHWM") - base;
        println!(
            "  read through the plugin: {:.0} ms median of {RUNS} ({persons} persons, {contracts} contracts; {} calls a read), peak RSS +{peak:.0} MiB",
            ms(median(samples)),
            mock.seen().len() / (RUNS + 1),
        );
        let store = SqliteStore::open_in_memory().unwrap();
        reset_peak();
        let base = status_mib("VmRSS");
        let (first, counts) = imported(&runtime, &install, &store).await;
        let peak = status_mib("VmHWM") - base;
        println!("  first import: {:.0} ms ({counts}), peak RSS +{peak:.0} MiB", ms(first));
        let (again, counts) = imported(&runtime, &install, &store).await;
        println!("  import with nothing changed: {:.0} ms ({counts})", ms(again));
    });
}
