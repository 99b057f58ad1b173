//! The weeks before the detail window, remembered in the plugin state between runs: the same
//! persons as a run that parses them, a changed week noticed and the weeks passed over
//! fetched again only then, an incremental run trusting the memory unfetched for the recheck
//! interval, and a state too small for the memory costing nothing but time.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use tessera_domain::Person;
use tessera_test_servers::elanza::at;

use super::feed::{Installed, full_read};
use super::{Params, WORKED, config, generated, mock, read_ok, today};

/// The `shifts` count of a worker's historical contract.
fn folded(persons: &BTreeMap<String, Person>, id: &str) -> u32 {
    let contract = persons[id]
        .contracts
        .iter()
        .find(|c| c.id.ends_with("-historical"))
        .expect("a historical contract");
    let count = contract.attributes.iter().find(|a| a.name == "shifts");
    count.expect("shifts").value.parse().expect("a count")
}

fn by_id(persons: Vec<Person>) -> BTreeMap<String, Person> {
    persons.into_iter().map(|p| (p.id.clone(), p)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_weeks_are_remembered_and_a_changed_week_is_read_again() {
    let m = mock(generated(25)).await;
    let installed = Installed::new(&config(&m.url(), &WORKED));
    let asked = || m.windows().len();
    let first = full_read(&mut installed.source().await).await;
    let per_run = asked();
    let second = full_read(&mut installed.source().await).await;
    assert_eq!(second, first, "remembered weeks map as parsed ones");
    assert_eq!(asked(), 2 * per_run, "every slice is still asked for once");

    // `now` is 2026-03-10 10:00, so the slices before the detail window (from 03-03) are
    // counted back from it: [02-24, 03-03), [02-17, 02-24), … and the oldest ends at 01-09
    // 10:00. A shift on 02-20 changes the sixth of the seven that follow the oldest.
    let id = add_old_shift(&m);
    let before = asked();
    let third = full_read(&mut installed.source().await).await;
    assert_eq!(folded(&third, &id), folded(&second, &id) + 1);
    assert_eq!(
        asked() - before,
        per_run + 5,
        "the five remembered slices before the changed one are fetched again"
    );
    let parsed = by_id(read_ok(&m, &WORKED).await.0);
    assert_eq!(third, parsed, "as a run without memory maps it");

    let before = asked();
    let fourth = full_read(&mut installed.source().await).await;
    assert_eq!(asked() - before, per_run, "the new memory is used");
    assert_eq!(fourth, parsed);
}

/// The worker given a shift 18 days before `now` (2026-03-10 10:00): the sixth of the seven
/// slices that follow the oldest.
fn add_old_shift(m: &tessera_test_servers::elanza::ElanzaMock) -> String {
    m.update(|d| {
        let start = at(today() - TimeDelta::days(18), 9, 0);
        let shift = d.shift(start, 480, Some(0), 0);
        let w = &mut d.workers[0];
        w.shifts.push(shift);
        w.shifts.sort_by_key(|s| s.start_at);
        w.worker.worker_number.expect("numbered").to_string()
    })
}

/// Within `history_recheck_minutes` (an hour by default) of the last check an incremental run
/// asks only for the oldest slice and the detail window, so a change to an old week waits;
/// the first run after the hour checks every slice and reports it, and `0` checks every run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_run_trusts_the_remembered_weeks_for_an_hour() {
    let m = mock(generated(25)).await;
    let installed = Installed::new(&config(&m.url(), &WORKED));
    let asked = || m.windows().len();
    full_read(&mut installed.source().await).await;
    let per_run = asked();
    let start = installed.changes(None).await;
    assert_eq!(
        asked() - per_run,
        per_run - 7,
        "the seven steady slices are trusted"
    );

    let id = add_old_shift(&m);
    let before = asked();
    let quiet = installed.changes(Some(&start.cursor)).await;
    assert!(
        quiet.persons.is_empty(),
        "the old week is not asked for yet"
    );
    assert_eq!(asked() - before, per_run - 7);

    // 59 minutes after the check: still trusted. 61: checked, and the change is there.
    let later = |now| Params {
        now: Some(now),
        ..WORKED
    };
    let at_59 = installed.reconfigured(&config(&m.url(), &later("2026-03-10T10:59:00Z")));
    let still = at_59.changes(Some(&quiet.cursor)).await;
    assert!(still.persons.is_empty());
    let at_61 = installed.reconfigured(&config(&m.url(), &later("2026-03-10T11:01:00Z")));
    let before = asked();
    let seen = at_61.changes(Some(&still.cursor)).await;
    let again = per_run + 5;
    assert_eq!(
        asked() - before,
        again,
        "every slice, and the five before the changed one again"
    );
    let changed: Vec<&str> = seen.persons.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(changed, [id.as_str()]);

    // With the recheck at 0 every incremental run asks for every slice, even at the very
    // minute of the last check.
    let eager = config(&m.url(), &later("2026-03-10T11:01:00Z")).replace(
        "shift_details_start = 7\n",
        "shift_details_start = 7\nhistory_recheck_minutes = 0\n",
    );
    let eager = installed.reconfigured(&eager);
    let before = asked();
    let none = eager.changes(Some(&seen.cursor)).await;
    assert!(none.persons.is_empty());
    assert_eq!(asked() - before, per_run);
}

/// The memory leaves the state while a run reads and goes back only after the change feed's
/// digests: a state with room for the memory alone, but not for it and the digests, keeps the
/// digests and the feed working, and only loses the memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_never_takes_the_room_of_the_digests() {
    let m = mock(generated(300)).await;
    let roomy = Installed::new(&config(&m.url(), &WORKED));
    let mut source = roomy.source().await;
    full_read(&mut source).await;
    source.call_read_changes(None).await.expect("feed starts");
    let (memory, digests) = (
        roomy.state_bytes("earlier-slices"),
        roomy.state_bytes("digests"),
    );
    assert!(memory > 0 && digests > 1024, "{memory} and {digests} bytes");
    // Keys count too; the limit holds the memory and its key, never the digests beside it.
    let kib = (memory + digests) / 1024;
    assert!(memory + "earlier-slices".len() <= kib * 1024);
    let tight = config(&m.url(), &WORKED).replace(
        "[systems.elanza.limits]\n",
        &format!("[systems.elanza.limits]\nstate_kib = {kib}\n"),
    );
    let installed = Installed::new(&tight);
    let mut first = installed.source().await;
    let all = full_read(&mut first).await;
    let start = first.call_read_changes(None).await.expect("feed starts");
    let quiet = installed
        .source()
        .await
        .call_read_changes(Some(&start.cursor))
        .await
        .expect("the digests were kept");
    assert!(quiet.persons.is_empty() && quiet.removed.is_empty());
    assert_eq!(installed.state_bytes("earlier-slices"), 0);
    assert!(installed.state_bytes("digests") > 1024);
    assert_eq!(all, by_id(read_ok(&m, &WORKED).await.0));
}
