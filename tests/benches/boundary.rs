//! The plugin boundary, measured: a fresh instance plus its first call, an empty call, a
//! 100-byte echo, a 1,000-person batch round trip in each boundary shape (WIT 0.2's columns,
//! WIT 0.1's records, and the best record shape with its text in one string), the same logic
//! natively, and a real source `read` of 1,000 persons through the runtime. Prints medians; it checks only that every shape
//! brought the persons back as sent, upper-cased, and that the read returned 1,000 persons.
//!
//! A round trip starts and ends with the persons as plain structs on the host (the structs
//! WIT 0.1 generates) and turns them into the guest's SDK structs in between: for the page
//! shapes, both sides' writing and reading of the page is timed with the call.
//!
//! Run: `cargo bench -p tessera-tests --bench boundary`

#[path = "boundary/shapes.rs"]
mod shapes;

use std::time::{Duration, Instant};

use tessera_runtime::{Runtime, RuntimeOptions};
use wasmtime::Store;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "fixtures/bench/wit",
    world: "tessera:bench/bench",
    exports: { default: async },
    additional_derives: [PartialEq],
});

use tessera::connector0_1_0::types::{CodeName, Contract, ContractKind, PersonName};

/// The batch as it should come back.
fn shouted(batch: &[Person]) -> Vec<Person> {
    let mut out = batch.to_vec();
    for p in &mut out {
        p.name.family = p.name.family.to_uppercase();
    }
    out
}

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

/// Times one evaluation of `$body`, averaged over `$n`.
macro_rules! timed {
    ($n:expr, $body:expr) => {{
        let start = Instant::now();
        for _ in 0..$n {
            std::hint::black_box($body);
        }
        start.elapsed() / $n
    }};
}

/// One round of every shape, interleaved so that all see the same machine.
struct Round {
    pages: Duration,
    records: Duration,
    flat: Duration,
    native: Duration,
}

/// The 1,000-person round trip in each shape, checked once, then timed in 31 interleaved
/// rounds of 5 (the machine drifts by ±25 % between minutes; rounds keep the shapes apart
/// from the drift).
async fn batches(pre: &BenchPre<State>, engine: &wasmtime::Engine) -> wasmtime::Result<()> {
    let batch: Vec<Person> = (0..1000).map(person).collect();
    let want = shouted(&batch);
    // An instance per shape, so no shape works in a heap another one left behind.
    let (mut s1, mut s2, mut s3) = (store(engine), store(engine), store(engine));
    let b1 = pre.instantiate_async(&mut s1).await?;
    let b2 = pre.instantiate_async(&mut s2).await?;
    let b3 = pre.instantiate_async(&mut s3).await?;
    let page = |batch: &[Person]| shapes::pages::write(batch);
    let pages = shapes::pages::read(b1.call_process_page(&mut s1, &page(&batch)).await?);
    let records = b2.call_process(&mut s2, &batch).await?;
    let flat = shapes::flat::write(&batch);
    let flat = shapes::flat::read(b3.call_process_flat(&mut s3, &flat).await?);
    assert!(
        records == want && pages == want && flat == want,
        "a shape lost data"
    );

    let mut rounds = Vec::new();
    for _ in 0..31 {
        rounds.push(Round {
            pages: timed!(5, {
                let sent = page(&batch);
                shapes::pages::read(b1.call_process_page(&mut s1, &sent).await?)
            }),
            records: timed!(5, b2.call_process(&mut s2, &batch).await?),
            flat: timed!(5, {
                let sent = shapes::flat::write(&batch);
                shapes::flat::read(b3.call_process_flat(&mut s3, &sent).await?)
            }),
            native: timed!(5, shouted(&batch)),
        });
    }
    let of = |f: fn(&Round) -> Duration| median(rounds.iter().map(f).collect());
    let (pages, records, flat) = (of(|r| r.pages), of(|r| r.records), of(|r| r.flat));
    let native = of(|r| r.native);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "1,000-person batch round trip (WIT 0.2 columns) {:>7.3} ms   (goal ≤ 1.5 ms; Extism 3.48 ms)",
        ms(pages)
    );
    println!(
        "  WIT 0.1 records, 12 strings per person        {:>7.3} ms   {:.2}× the columns",
        ms(records),
        ms(records) / ms(pages)
    );
    println!(
        "  flat records, text in one string              {:>7.3} ms   {:.2}× the columns",
        ms(flat),
        ms(flat) / ms(pages)
    );
    println!(
        "  same logic native (clone+run)                 {:>7.3} ms   the columns are {:.1}× it",
        ms(native),
        ms(pages) / ms(native)
    );
    Ok(())
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

    batches(&pre, engine).await
}

/// A fresh instance of `system` and its read of 1,000 persons, timed.
async fn one_read(system: &tessera_runtime::PreparedSystem) -> Duration {
    let start = Instant::now();
    let mut source = system.source().await.expect("instance");
    let page = source.call_read(None).await.expect("read");
    assert_eq!(page.persons.len(), 1000);
    start.elapsed()
}

/// good-source's read of 1,000 persons through the runtime into domain types, built for WIT
/// 0.2 and (the same code) for WIT 0.1, interleaved.
async fn source_read(runtime: &Runtime) {
    let config = "config = { persons = 1000, page_size = 1000 }";
    let t = tessera_testkit::TestInstall::new(&format!(
        "[systems.hr]\nplugin = \"good-source\"\n{config}\n\
         [systems.old]\nplugin = \"good-source-wit-0-1\"\n{config}\n"
    ));
    let mut inst = t.with_plugins(&["good-source", "good-source-wit-0-1"]);
    let (current, _) = inst.prepare(runtime, "hr").expect("prepare");
    let (old, _) = inst.prepare(runtime, "old").expect("prepare");
    let (mut v0_2, mut v0_1) = (Vec::new(), Vec::new());
    for _ in 0..31 {
        v0_2.push(one_read(&current).await);
        v0_1.push(one_read(&old).await);
    }
    let (v0_2, v0_1) = (median(v0_2), median(v0_1));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("source run: fresh instance + read of 1,000 persons into domain types (guest → host)");
    println!(
        "  WIT 0.2 columns                               {:>7.3} ms",
        ms(v0_2)
    );
    println!(
        "  WIT 0.1 records, the same plugin code         {:>7.3} ms   {:.2}× the columns",
        ms(v0_1),
        ms(v0_1) / ms(v0_2)
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
