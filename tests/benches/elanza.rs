//! The Elanza plugin at hospital-group scale: 20,000 workers with 400,000 planned shifts read
//! from the mock Elanza, through the plugin in the runtime, against the same work done
//! natively — the plugin's own `model.rs` and `map.rs` compiled for the host, fed by reqwest.
//! Prints medians, peak RSS of each phase, and the ratio (goal ≤ 1.3×); then the plugin again
//! with a state that remembers the weeks before the detail window. Each plugin run prepares a
//! fresh instance and loads the compiled plugin from the installation's cache, as a `sync` with
//! a vault key does; the first run, which compiles it, is printed apart.
//!
//! Run: `cargo bench -p tessera-tests --bench elanza`.
#![allow(clippy::unwrap_used, reason = "benchmark")]

#[path = "../../plugins/elanza/src/map.rs"]
#[allow(
    dead_code,
    reason = "the plugin's paged read uses parts that mapping all at once does not"
)]
mod map;
#[path = "../../plugins/elanza/src/model.rs"]
mod model;

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use tessera_runtime::{MemoryServices, Runtime, RuntimeOptions};
use tessera_test_servers::elanza::{
    API_KEY_HEADER, Dataset, ElanzaMock, ElanzaOptions, Faults, Generate,
};
use tessera_testkit::measure::{median, ms, read_all, reset_peak, status_mib};
use tessera_testkit::{TestInstall, plugin};
use zeroize::Zeroizing;

const WORKERS: usize = 20_000;
const SHIFTS_PER_WORKER: usize = 20;
const KEY: &str = "bench-key";
const NOW: &str = "2026-03-10T10:00:00Z";
const RUNS: usize = 5;

fn config(url: &str) -> String {
    format!(
        "[systems.elanza]\nplugin = \"elanza\"\n[systems.elanza.config]\nbase_url = \"{url}\"\n\
         historical_days = 60\nfuture_days = 14\nshift_details_start = 7\nnow = \"{NOW}\"\n\
         [systems.elanza.grants]\nstate = true\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.elanza.http_auth]]\norigin = \"{url}\"\n\
         header = {{ name = \"{API_KEY_HEADER}\", secret = \"elanza-api-key\" }}\n\
         [systems.elanza.limits]\nmemory_mib = 2048\nhttp_body_mib = 512\ncpu_seconds = 300\ncall_timeout_seconds = 600\n"
    )
}

/// An installation of the plugin on the mock.
fn installed(url: &str) -> TestInstall {
    let install = TestInstall::new(&config(url));
    install
        .open()
        .store
        .install(&plugin("elanza"), None)
        .unwrap();
    install
}

/// Services with the API key and an empty plugin state: nothing remembered.
fn fresh_services() -> Arc<MemoryServices> {
    Arc::new(MemoryServices::with_secrets([("elanza-api-key", KEY)]))
}

/// One run of a fresh instance on `install`, every page. Like a `sync` with a vault key, it
/// loads the plugin's compiled code from the installation's cache (compiled on the first
/// run, which is the only one to `compile`). Returns persons and contracts.
async fn run_on(
    runtime: &Runtime,
    install: &TestInstall,
    services: &Arc<MemoryServices>,
    compile: bool,
) -> (usize, usize) {
    let mut inst = install.open();
    inst.cache_compiled(Zeroizing::new([7; 32]));
    inst.set_services(services.clone());
    let (system, _) = inst.prepare(runtime, "elanza").unwrap();
    let (_, compiled) = inst.compiled_cache().unwrap().counts();
    assert_eq!(
        compiled,
        u64::from(compile),
        "compiled only on the first run"
    );
    let mut source = system.source().await.unwrap();
    read_all(&mut source).await
}

async fn get(client: &reqwest::Client, url: String) -> Vec<u8> {
    let r = client
        .get(url)
        .header(API_KEY_HEADER, KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

/// The same requests, parse and mapping in plain Rust.
async fn native(client: &reqwest::Client, url: &str) -> (usize, usize) {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(NOW).unwrap().to_utc();
    let window = map::Window::new(now, 60, 14, 7).unwrap();
    let root = format!("{url}/rest-api/v1");
    let departments_body = get(client, format!("{root}/departments")).await;
    let departments: model::Departments<'_> = serde_json::from_slice(&departments_body).unwrap();
    let skills_body = get(client, format!("{root}/skills")).await;
    let skills: model::Skills<'_> = serde_json::from_slice(&skills_body).unwrap();
    let mut earlier = map::Earlier::default();
    for slice in window.slices() {
        let query = map::query(slice.0, slice.1);
        let body = get(client, format!("{root}/plannedWorkers?{query}")).await;
        let planned: model::SliceWorkers<'_> = serde_json::from_slice(&body).unwrap();
        earlier.add(&planned, slice, &mut Vec::new());
    }
    let mut detail = map::Detail::default();
    for (slice, query) in window.detail_slices() {
        let body = get(client, format!("{root}/plannedWorkers?{query}")).await;
        let planned: model::PlannedWorkers<'_> = serde_json::from_slice(&body).unwrap();
        detail.add(&planned, slice);
    }
    let mut products = map::Products::new();
    for uuid in detail.products_needed() {
        let body = get(client, format!("{root}/product/{uuid}")).await;
        products.insert(
            uuid.to_owned(),
            Some(serde_json::from_slice::<model::Product>(&body).unwrap()),
        );
    }
    let catalogue = map::Catalogue::new(&departments.departments, &skills.skills, products);
    let mut persons = Vec::new();
    map::persons_each(&detail, &catalogue, earlier, &mut |p| persons.push(p));
    let contracts = persons.iter().map(|p| p.contracts.len()).sum();
    (persons.len(), contracts)
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = Runtime::new(RuntimeOptions::default()).expect("runtime");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    rt.block_on(async {
        let started = Instant::now();
        let data = Dataset::generate(&Generate {
            seed: 2026,
            workers: WORKERS,
            shifts_per_worker: SHIFTS_PER_WORKER,
            anchor: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            days_before: 60,
            days_after: 14,
        });
        let shifts = data.shift_count();
        let mock = ElanzaMock::start(ElanzaOptions { api_key: KEY.into(), data, faults: Faults::default() }).await;
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        // The mock serialised its pieces when it started, so neither timed side pays for it.
        let expected = native(&client, &mock.url()).await;
        println!(
            "Elanza: {WORKERS} workers, {shifts} shifts generated in {:.1} s; the mock and its serialised pieces hold {:.0} MiB",
            started.elapsed().as_secs_f64(),
            status_mib("VmRSS")
        );
        // The first run compiles the plugin into the installation's cache; the timed runs
        // load it from there, as every `sync` after the first does.
        let install = installed(&mock.url());
        let t = Instant::now();
        assert_eq!(run_on(&runtime, &install, &fresh_services(), true).await, expected);
        let first = t.elapsed();
        reset_peak();
        let base = status_mib("VmRSS");
        let mut through = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let got = run_on(&runtime, &install, &fresh_services(), false).await;
            through.push(t.elapsed());
            assert_eq!(got, expected, "both sides map the same persons and contracts");
        }
        let plugin_peak = status_mib("VmHWM") - base;
        reset_peak();
        let base = status_mib("VmRSS");
        let mut direct = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let got = native(&client, &mock.url()).await;
            direct.push(t.elapsed());
            assert_eq!(got, expected);
        }
        let native_peak = status_mib("VmHWM") - base;
        // One plugin state: the first run remembers the weeks before the detail window.
        let kept = fresh_services();
        assert_eq!(run_on(&runtime, &install, &kept, false).await, expected);
        let mut remembered = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let got = run_on(&runtime, &install, &kept, false).await;
            remembered.push(t.elapsed());
            assert_eq!(got, expected, "remembered weeks map as parsed ones");
        }
        let (t, d) = (median(through), median(direct));
        println!("  {} persons, {} contracts per run; medians of {RUNS}", expected.0, expected.1);
        println!("  through the plugin (fetch, parse, map, cross, convert) {:>8.0} ms   peak RSS +{plugin_peak:.0} MiB", ms(t));
        println!("  same model.rs + map.rs natively with reqwest           {:>8.0} ms   peak RSS +{native_peak:.0} MiB", ms(d));
        println!("  ratio {:.2}× (goal ≤ 1.3×)", ms(t) / ms(d));
        println!("  the first run through the plugin, compiling it into the cache {:>8.0} ms", ms(first));
        let r = median(remembered);
        println!("  through the plugin, the weeks before the detail window remembered {:>6.0} ms   {:.2}× natively", ms(r), ms(r) / ms(d));
        drop(mock);
    });
}
