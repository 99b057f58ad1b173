//! Settings checks, paging, and names and phone numbers as people type them.

use chrono::TimeDelta;
use tessera_domain::ConnectorError;
use tessera_runtime::CallError;
use tessera_test_servers::elanza::{Dataset, PlannedWorker, Worker, at};

use super::{KEY, WORKED, config, generated, mock, person, read_ok, start, start_with, today};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_out_of_range_are_refused_naming_the_key() {
    let m = mock(generated(1)).await;
    let good = config(&m.url(), &WORKED);
    let url = m.url();
    let with_path = format!("{url}/rest-api/v1/");
    let cases = [
        (url.as_str(), with_path.as_str(), "base_url"),
        (
            "historical_days = 60",
            "historical_days = -1",
            "historical_days",
        ),
        ("future_days = 14", "future_days = 99999", "future_days"),
        (
            "shift_details_start = 7",
            "shift_details_start = 61",
            "shift_details_start",
        ),
        (
            "now = \"2026-03-10T10:00:00Z\"",
            "now = \"10-03-2026\"",
            "now",
        ),
    ];
    let mut messages = Vec::new();
    for (from, to, key) in cases {
        let bad = match key {
            // Only the base_url line: the grants name the same origin.
            "base_url" => good.replacen(
                &format!("base_url = \"{from}\""),
                &format!("base_url = \"{to}\""),
                1,
            ),
            _ => good.replace(from, to),
        };
        let mut run = start_with(&bad, KEY).await;
        match run.source.call_read(None).await {
            Err(CallError::Connector(ConnectorError::Invalid { field, message })) => {
                assert_eq!(field, key);
                messages.push(message);
            }
            other => panic!("{to}: expected invalid, got {other:?}"),
        }
    }
    // The API path is named with the address to give instead, and an inconsistent pair of
    // settings names both keys with their values.
    assert!(
        messages[0].contains("without it") && messages[0].contains(&format!("`{url}`")),
        "{}",
        messages[0]
    );
    assert!(
        messages[3].contains("shift_details_start (61)")
            && messages[3].contains("historical_days (60)"),
        "{}",
        messages[3]
    );
    assert!(
        m.all_hits().is_empty(),
        "nothing is asked of Elanza with bad settings"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persons_come_in_pages_of_two_thousand() {
    let m = mock(Dataset::generate(&tessera_test_servers::elanza::Generate {
        seed: 1,
        workers: 2_001,
        shifts_per_worker: 1,
        anchor: today(),
        days_before: 3,
        days_after: 3,
    }))
    .await;
    let mut run = start(&m, &WORKED, KEY).await;
    let first = run.source.call_read(None).await.unwrap();
    assert_eq!(
        (first.persons.len(), first.next_cursor.as_deref()),
        (2_000, Some("2000"))
    );
    let second = run.source.call_read(first.next_cursor).await.unwrap();
    assert_eq!((second.persons.len(), second.next_cursor), (1, None));
    assert_eq!(
        m.hits("/rest-api/v1/plannedWorkers"),
        11,
        "one read of the window (eleven slices); later pages come from the run's cache"
    );
    let mut fresh = start(&m, &WORKED, KEY).await;
    let err = fresh
        .source
        .call_read(Some("2000".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CallError::Connector(ConnectorError::Invalid { ref field, .. }) if field == "cursor"),
        "{err:?}"
    );
}

fn worker(number: u64, last_name: &str, phone: &str) -> Worker {
    Worker {
        worker_number: Some(number),
        first_name: " Ösgür ".into(),
        last_name: last_name.into(),
        email: String::new(),
        phone_number: phone.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_and_phone_numbers_as_people_type_them() {
    let mut d = Dataset::catalogue(5);
    let cases = [
        (
            1,
            "Van Dijk",
            "+31 6 1234 5678",
            None,
            "Van Dijk",
            Some("+31612345678"),
        ),
        (
            2,
            "in 't Veld",
            "06 1234 5678",
            Some("in 't"),
            "Veld",
            Some("+31612345678"),
        ),
        (
            3,
            "de  Jong ",
            "(020) 555-0101",
            Some("de"),
            "Jong",
            Some("0205550101"),
        ),
        (4, "Yılmaz", "", None, "Yılmaz", None),
    ];
    for (n, last, phone, ..) in cases {
        let shift = d.shift(at(today() - TimeDelta::days(1), 7, 0), 480, Some(0), 0);
        d.workers.push(PlannedWorker {
            worker: worker(n, last, phone),
            shifts: vec![shift],
        });
    }
    let m = mock(d).await;
    let (persons, _) = read_ok(&m, &WORKED).await;
    for (n, _, _, prefix, family, phone) in cases {
        let p = person(&persons, &n.to_string());
        assert_eq!(
            (p.name.prefix.as_deref(), p.name.family.as_str()),
            (prefix, family),
            "{n}"
        );
        assert_eq!(p.phone.as_deref(), phone, "{n}");
        assert_eq!((p.name.given.as_str(), p.email.as_deref()), ("Ösgür", None));
        assert_eq!(p.name.convention.as_deref(), Some("B"));
    }
}
