//! The plugin boundary, measured: a fresh instance plus its first call, an empty call, a
//! 100-byte echo, a 1,000-person batch round trip (and the same logic natively), and a real
//! source `read` of 1,000 persons through the runtime. Prints medians; it only checks that the
//! read returned the 1,000 persons it measured.
//!
//! Run: `cargo bench -p tessera-tests --bench boundary`

use std::time::{Duration, Instant};

use tessera_runtime::{Runtime, RuntimeOptions};
use wasmtime::Store;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "fixtures/bench/wit",
    world: "tessera:bench/bench",
    exports: { default: async },
});

use tessera::connector::types::{CodeName, Contract, ContractKind, PersonName};

struct State {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

fn store(engine: &wasmtime::Engine) -> Store<State> {
    let mut s = Store::new(
        engine,
        State {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
        },
    );
    s.set_epoch_deadline(u64::MAX / 2);
    s
}

fn person(i: usize) -> Person {
    let code = |c: &str, n: &str| {
        Some(CodeName {
            code: c.into(),
            name: n.into(),
        })
    };
    Person {
        id: format!("{i:06}"),
        name: PersonName {
            given: "Anne".into(),
            family: format!("jansen{i}"),
            prefix: Some("van der".into()),
            initials: None,
            convention: None,
        },
        email: Some(format!("anne{i}@example.org")),
        phone: None,
        contracts: vec![Contract {
            id: format!("S{i:06}"),
            kind: ContractKind::Shift,
            start: Some("2026-11-22T07:00:00Z".into()),
            end: Some("2026-11-22T15:00:00Z".into()),
            department: code("IC", "Intensive Care"),
            title: code("VPK", "Verpleegkundige"),
            location: None,
            cost_centre: None,
            employer: None,
            fte: None,
            hours_per_week: None,
            sequence: None,
            attributes: Vec::new(),
        }],
        attributes: Vec::new(),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median over `rounds` of the mean time of `per_round` evaluations of `body`.
macro_rules! per_call {
    ($rounds:expr, $per_round:expr, $body:expr) => {{
        let mut samples = Vec::new();
        for _ in 0..$rounds {
            let start = Instant::now();
            for _ in 0..$per_round {
                $body;
            }
            samples.push(start.elapsed() / $per_round);
        }
        median(samples)
    }};
}

fn native_process(batch: &[Person]) -> Vec<Person> {
    let mut out = batch.to_vec();
    for p in &mut out {
        p.name.family = p.name.family.to_uppercase();
    }
    out
}

async fn boundary(runtime: &Runtime) -> wasmtime::Result<()> {
    let engine = runtime.engine();
    let component = Component::from_file(engine, tessera_testkit::fixture("bench"))?;
    let mut linker = Linker::<State>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    let pre = BenchPre::new(linker.instantiate_pre(&component)?)?;

    let mut fresh = Vec::new();
    for _ in 0..500 {
        let start = Instant::now();
        let mut s = store(engine);
        let b = pre.instantiate_async(&mut s).await?;
        b.call_noop(&mut s).await?;
        fresh.push(start.elapsed());
    }
    println!(
        "fresh instance + first call   {:>10.1} µs   (goal ≤ 50 µs; Extism 257 µs)",
        median(fresh).as_secs_f64() * 1e6
    );

    let mut s = store(engine);
    let b = pre.instantiate_async(&mut s).await?;
    let empty = per_call!(15, 20_000u32, b.call_noop(&mut s).await?);
    println!(
        "empty call                    {:>10.3} µs   (goal ≤ 0.5 µs; Extism 4.0 µs)",
        empty.as_secs_f64() * 1e6
    );

    let text = "x".repeat(100);
    let mut s = store(engine);
    let b = pre.instantiate_async(&mut s).await?;
    let echo = per_call!(15, 20_000u32, b.call_echo(&mut s, &text).await?);
    println!(
        "100-byte echo                 {:>10.3} µs",
        echo.as_secs_f64() * 1e6
    );

    let batch: Vec<Person> = (0..1000).map(person).collect();
    let mut s = store(engine);
    let b = pre.instantiate_async(&mut s).await?;
    let round_trip = per_call!(31, 5u32, b.call_process(&mut s, &batch).await?);
    let native = per_call!(31, 5u32, std::hint::black_box(native_process(&batch)));
    println!(
        "1,000-person batch round trip {:>10.3} ms   (goal ≤ 1.5 ms; Extism 3.48 ms)",
        round_trip.as_secs_f64() * 1e3
    );
    println!(
        "  same logic native (clone+run){:>9.3} ms   ratio {:.1}×",
        native.as_secs_f64() * 1e3,
        round_trip.as_secs_f64() / native.as_secs_f64()
    );
    Ok(())
}

async fn source_read(runtime: &Runtime) {
    let t = tessera_testkit::TestInstall::new(
        "[systems.hr]\nplugin = \"good-source\"\nconfig = { persons = 1000, page_size = 1000 }\n",
    );
    let mut inst = t.with_plugins(&["good-source"]);
    let (system, _) = inst.prepare(runtime, "hr").expect("prepare");
    let mut samples = Vec::new();
    for _ in 0..31 {
        let start = Instant::now();
        let mut source = system.source().await.expect("instance");
        let page = source.call_read(None).await.expect("read");
        assert_eq!(page.persons.len(), 1000);
        samples.push(start.elapsed());
    }
    println!(
        "source run: fresh instance + read of 1,000 persons (guest → host, checked into domain types) {:>8.3} ms",
        median(samples).as_secs_f64() * 1e3
    );
}

fn main() {
    let runtime = Runtime::new(RuntimeOptions::default()).expect("runtime");
    println!(
        "boundary benchmark (pooling allocator: {}, epoch interruption on, async calls)",
        runtime.is_pooled()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");
    rt.block_on(async {
        boundary(&runtime).await.expect("bench");
        source_read(&runtime).await;
    });
}
