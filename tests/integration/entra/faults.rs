//! Every fault the mock Graph can throw, through the engine: what the run reports, that nothing
//! is written twice or half, and that the next run finishes the work.

use std::time::Duration;

use tessera_config::RetryPolicy;
use tessera_test_servers::graph::{Fault, GraphMock, GraphOptions};
use tessera_testkit::{Lifecycle, day};

use super::{IC, MODEL, SECRET, anna, config, id_of, options, tenant};

/// A lifecycle whose HTTP calls give up after a second, for the faults that never answer.
async fn impatient(options: GraphOptions, secret: &str) -> (GraphMock, Lifecycle) {
    let mock = tenant(options).await;
    let limits = "[systems.entra.limits]\nhttp_timeout_seconds = 1";
    let mut life = Lifecycle::new(
        "entra-id",
        "entra",
        &config(&mock, limits),
        &[("entra-secret", secret)],
    );
    life.model(MODEL);
    (mock, life)
}

/// Users whose `employeeId` is `id`.
fn users_with(mock: &GraphMock, id: &str) -> usize {
    mock.directory(|d| {
        d.users
            .values()
            .filter(|u| super::text(u, "employeeId") == id)
            .count()
    })
}

/// Calls whose `METHOD /path?query` starts with `prefix`.
fn calls(mock: &GraphMock, prefix: &str) -> usize {
    mock.seen().iter().filter(|s| s.starts_with(prefix)).count()
}

/// Anna joins IC: one run, nothing failed, one user (not a second under the next name) in
/// the IC group.
async fn anna_joins(mock: &GraphMock, life: &Lifecycle) {
    life.import(vec![anna(("IC", "Intensive Care"), None)], day(0))
        .await;
    let (_, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(users_with(mock, "1001"), 1);
    assert!(mock.members(IC).contains(&id_of(mock, "anna.berg@zkh.nl")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outages_and_throttling_on_writes_are_retried() {
    let (mock, mut life) = impatient(options(), SECRET).await;
    life.apply().retry = RetryPolicy {
        attempts: 3,
        base_delay: Duration::ZERO,
        max_delay: Duration::from_secs(2),
    };
    mock.fault("POST /v1.0/users", Fault::Status(503), 1);
    mock.fault("POST /v1.0/groups/", Fault::Throttle(1), 1);
    anna_joins(&mock, &life).await;
    assert_eq!(
        calls(&mock, "POST /v1.0/users"),
        2,
        "the create sent again after the 503"
    );
    assert_eq!(
        calls(&mock, "POST /v1.0/groups/"),
        2,
        "the throttled grant sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_is_lost_is_found_not_repeated() {
    let (mock, life) = impatient(options(), SECRET).await;
    // Graph creates the user and the answer never comes: the plugin cannot know.
    mock.fault("POST /v1.0/users", Fault::HangAfter, 1);
    anna_joins(&mock, &life).await;
    assert_eq!(
        calls(&mock, "POST /v1.0/users"),
        1,
        "the re-read found it; no second create"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_that_hangs_or_breaks_off_fails_the_run_and_writes_nothing() {
    let (mock, life) = impatient(options(), SECRET).await;
    life.import(vec![anna(("IC", "Intensive Care"), None)], day(0))
        .await;
    for (fault, says) in [
        (Fault::Hang, "no answer in time"),
        (Fault::Truncate, "ended early"),
    ] {
        mock.fault("GET /v1.0/users?$select", fault.clone(), 1);
        let outcome = life.sync(day(0), false).await;
        let entra = outcome
            .systems
            .iter()
            .find(|s| s.system == "entra")
            .unwrap();
        assert!(
            entra.apply.is_none(),
            "{fault:?}: nothing applied on a partial listing: {entra:?}"
        );
        let named = |n: &String| {
            n.contains("list accounts") && n.contains("/v1.0/users") && n.contains(says)
        };
        assert!(
            entra.notes.iter().any(named),
            "{fault:?}: {:?}",
            entra.notes
        );
        assert_eq!(mock.stats().writes, 0, "{fault:?}");
    }
    let (_, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty() && report.done == 2, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_client_secret_is_denied_and_never_shown() {
    let wrong = "not-the-Secret-4411";
    let (mock, life) = impatient(options(), wrong).await;
    life.import(vec![anna(("IC", "Intensive Care"), None)], day(0))
        .await;
    let outcome = life.sync(day(0), false).await;
    let entra = outcome
        .systems
        .iter()
        .find(|s| s.system == "entra")
        .unwrap();
    let notes = entra.notes.join("\n");
    assert!(notes.contains("token"), "{notes}");
    for secret in [wrong, SECRET] {
        assert!(!notes.contains(secret), "a secret in the notes: {notes}");
        assert!(!format!("{outcome:?}").contains(secret));
    }
    assert_eq!((mock.stats().tokens_issued, mock.stats().writes), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_fetched_again_once() {
    let (mock, life) = impatient(options(), SECRET).await;
    life.import(vec![anna(("IC", "Intensive Care"), None)], day(0))
        .await;
    life.cycle(day(0)).await;
    // Graph revokes every token between runs; the host's cache still holds one.
    mock.expire_tokens();
    life.import(vec![anna(("SEH", "Spoedeisende hulp"), None)], day(1))
        .await;
    let (_, report) = life.cycle(day(1)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let stats = mock.stats();
    assert_eq!(
        (stats.tokens_issued, stats.unauthorized),
        (2, 1),
        "{stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_budget_slows_the_run_but_every_write_lands() {
    let mut options = options();
    options.write_budget = Some((3, Duration::from_secs(1)));
    let (mock, mut life) = impatient(options, SECRET).await;
    life.apply().retry = RetryPolicy {
        attempts: 6,
        base_delay: Duration::ZERO,
        max_delay: Duration::from_secs(2),
    };
    let people = (0..4)
        .map(|n| {
            let id = format!("10{n:02}");
            tessera_testkit::person(
                &id,
                "Anna",
                &format!("Berg{n}"),
                vec![tessera_testkit::employment(
                    "c1",
                    ("IC", "IC"),
                    day(0),
                    None,
                )],
            )
        })
        .collect();
    life.import(people, day(0)).await;
    let (plan, report) = life.cycle(day(0)).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!((report.done, plan.operations.len()), (8, 8));
    let stats = mock.stats();
    assert!(
        stats.throttled >= 1,
        "eight writes against three a second: {stats:?}"
    );
    assert_eq!(stats.writes, 8, "{stats:?}");
    assert_eq!(mock.members(IC).len(), 5, "four and the nested group");
}
