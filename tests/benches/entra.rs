//! Entra ID under Graph's write throttling: joiners (a create and a group grant each) applied
//! through the engine and the entra-id plugin against the mock Graph, whose write budget is
//! Graph's per-app-and-tenant figure scaled down: 200 writes in any 10 s (≈ 20 a second, as
//! 3,000 per 150 s). The engine honours `Retry-After`.
//!
//! Prints the writes a second reached, the share of the budget that is (goal ≥ 90 %: the
//! fastest any client could finish is when the last window opens), and the 429s it took
//! (goal: about one per writer per window, not a storm).
//!
//! Run: `cargo bench -p tessera-tests --bench entra` (`ENTRA_BENCH_USERS=100` for a quick
//! run).
#![allow(clippy::unwrap_used, reason = "benchmark")]

use std::time::{Duration, Instant};

use tessera_config::RetryPolicy;
use tessera_test_servers::graph::{GraphMock, GraphOptions, Group};
use tessera_testkit::{Lifecycle, day, employment, person};

const BUDGET: usize = 200;
const WINDOW: Duration = Duration::from_secs(10);
const WRITERS: usize = 4;
const SECRET: &str = "bench-Client-Secret-1";
const GROUP: &str = "b0000000-0000-4000-8000-000000000001";

fn model() -> String {
    format!(
        r#"
[system.entra]
correlation = {{ account_attribute = "employeeId", person_field = "id" }}
[system.entra.account]
username = ["{{given}}.{{family}}"]
attributes = {{ displayName = "{{given}} {{family}}", employeeId = "{{id}}" }}
[[rule]]
name = "Everyone"
when = {{ department = "IC" }}
grants = [{{ system = "entra", kind = "group", key = "{GROUP}" }}]
"#
    )
}

fn config(mock: &GraphMock) -> String {
    let url = mock.url();
    format!(
        "[systems.entra]\nplugin = \"entra-id\"\n[systems.entra.config]\ngraph_url = \"{url}\"\ndomain = \"zkh.nl\"\n\
         [systems.entra.grants]\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.entra.http_auth]]\norigin = \"{url}\"\n\
         oauth2 = {{ token_url = \"{}\", client_id = \"bench\", secret = \"entra-secret\", scope = \"https://graph.microsoft.com/.default\" }}\n",
        mock.token_url()
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let users: usize = std::env::var("ENTRA_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut options = GraphOptions::new("bench-tenant", "bench", SECRET);
    options.write_budget = Some((BUDGET, WINDOW));
    let mock = GraphMock::start(options).await;
    mock.directory(|d| {
        d.add_group(
            GROUP,
            Group {
                display_name: "Everyone".into(),
                ..Group::default()
            },
        )
    });
    let mut life = Lifecycle::new(
        "entra-id",
        "entra",
        &config(&mock),
        &[("entra-secret", SECRET)],
    );
    life.model(&model());
    life.apply().concurrency = WRITERS;
    life.apply().retry = RetryPolicy::default();
    let staff = (0..users)
        .map(|i| {
            person(
                &format!("{}", 100_000 + i),
                "Medewerker",
                &format!("Achternaam{i}"),
                vec![employment("c1", ("IC", "IC"), day(0), None)],
            )
        })
        .collect();
    life.import(staff, day(0)).await;

    let started = Instant::now();
    let (_, report) = life.cycle(day(0)).await;
    let elapsed = started.elapsed();
    assert!(report.failed.is_empty(), "{:?}", report.failed.first());
    let stats = mock.stats();
    assert_eq!(stats.writes, 2 * users, "a create and a grant each");

    // The last write can go out no sooner than when its window opens.
    let windows = stats.writes.div_ceil(BUDGET);
    let fastest = WINDOW * (windows as u32 - 1);
    let rate = stats.writes as f64 / elapsed.as_secs_f64();
    let budget_rate = BUDGET as f64 / WINDOW.as_secs_f64();
    println!(
        "entra: {users} joiners, {} writes in {:.1} s with {WRITERS} writers",
        stats.writes,
        elapsed.as_secs_f64()
    );
    println!(
        "  writes/s           {rate:.1} (budget {budget_rate:.0}/s after a first window of {BUDGET})"
    );
    if windows > 1 {
        println!(
            "  share of budget    {:.0} % (fastest possible {:.0} s)",
            100.0 * fastest.as_secs_f64() / elapsed.as_secs_f64(),
            fastest.as_secs_f64()
        );
    }
    println!(
        "  429s               {} ({:.1} per writer per window)",
        stats.throttled,
        stats.throttled as f64 / (WRITERS * windows) as f64
    );
    println!(
        "  requests           {} (tokens {})",
        stats.requests, stats.tokens_issued
    );
}
