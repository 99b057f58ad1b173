//! Every fault knob of the mock: what the plugin reports, and what it still delivers.

use std::time::Duration;

use chrono::TimeDelta;
use tessera_domain::{ConnectorError, Contract};
use tessera_test_servers::elanza::{Dataset, Endpoint, Faults, at};

use super::{WORKED, attr, contract, generated, mock, person, read_err, read_ok, today};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_slowness_and_cut_off_json_fail_the_read_typed() {
    let m = mock(generated(5)).await;
    for endpoint in [
        Endpoint::Departments,
        Endpoint::Skills,
        Endpoint::PlannedWorkers,
        Endpoint::Product,
    ] {
        m.set_faults(Faults {
            status_500: Some(endpoint),
            ..Faults::default()
        });
        let err = read_err(&m, &WORKED).await;
        assert!(
            matches!(&err, ConnectorError::Unavailable { message, .. } if message.contains("500")),
            "{endpoint:?}: {err:?}"
        );
    }
    // Longer than the system's 0.5 s HTTP limit: the host gives up, the read says so.
    m.set_faults(Faults {
        delay: Some((Endpoint::PlannedWorkers, Duration::from_secs(3600))),
        ..Faults::default()
    });
    let err = read_err(&m, &WORKED).await;
    assert!(
        matches!(&err, ConnectorError::Unavailable { message, .. } if message.contains("plannedWorkers")),
        "{err:?}"
    );
    for endpoint in [
        Endpoint::PlannedWorkers,
        Endpoint::Skills,
        Endpoint::Product,
    ] {
        m.set_faults(Faults {
            truncate: Some(endpoint),
            ..Faults::default()
        });
        let err = read_err(&m, &WORKED).await;
        assert!(
            matches!(&err, ConnectorError::Invalid { field, .. } if field.starts_with("response of")),
            "{endpoint:?}: {err:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_without_number_is_skipped_and_reported() {
    let m = mock(generated(6)).await;
    let (number, email) = m.with_data(|d| {
        let w = &d.workers[2].worker;
        (w.worker_number.unwrap(), w.email.clone())
    });
    m.set_faults(Faults {
        worker_without_number: Some(number),
        ..Faults::default()
    });
    let (persons, warnings) = read_ok(&m, &WORKED).await;
    assert_eq!(persons.len(), 5);
    assert!(persons.iter().all(|p| p.id != number.to_string()));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].subject.as_deref(), Some(email.as_str()));
    assert!(warnings[0].message.contains("workerNumber"));
}

/// A shift in the detail window (from 2026-03-03) whose worker's previous shift is also there.
fn second_recent_shift(d: &Dataset) -> (String, String, String) {
    let recent = at(today() - TimeDelta::days(7), 0, 0);
    d.workers
        .iter()
        .find_map(|w| {
            let s: Vec<_> = w
                .shifts
                .iter()
                .filter(|s| s.start_at >= recent && s.start_at < at(today(), 10, 0))
                .collect();
            (s.len() >= 2).then(|| {
                (
                    w.worker.worker_number.unwrap().to_string(),
                    s[0].uuid.clone(),
                    s[1].uuid.clone(),
                )
            })
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shift_without_product_has_no_title_even_after_one_with() {
    let m = mock(generated(20)).await;
    let (worker, before, without) = m.with_data(second_recent_shift);
    m.set_faults(Faults {
        shift_without_product: Some(without.clone()),
        ..Faults::default()
    });
    let (persons, warnings) = read_ok(&m, &WORKED).await;
    assert!(warnings.is_empty(), "{warnings:?}");
    let p = person(&persons, &worker);
    assert!(
        contract(p, &before).title.is_some(),
        "the shift before has its product"
    );
    assert_eq!(
        contract(p, &without).title,
        None,
        "not inherited from the shift before"
    );
    assert!(contract(p, &without).department.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_product_leaves_titles_empty_with_a_warning() {
    let m = mock(generated(30)).await;
    let (gone, gone_code) = m.with_data(|d| {
        (
            d.products[0].uuid.clone(),
            d.products[0].hr_function_code.clone(),
        )
    });
    m.set_faults(Faults {
        product_not_found: Some(gone.clone()),
        ..Faults::default()
    });
    let (persons, warnings) = read_ok(&m, &WORKED).await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].subject.as_deref(), Some(gone.as_str()));
    let shifts: Vec<&Contract> = persons
        .iter()
        .flat_map(|p| &p.contracts)
        .filter(|c| attr(c, "type") == Some("ActiveShift"))
        .collect();
    let untitled = shifts.iter().filter(|c| c.title.is_none()).count();
    assert!(
        untitled > 0 && untitled < shifts.len(),
        "{untitled} of {}",
        shifts.len()
    );
    assert!(
        shifts
            .iter()
            .all(|c| c.title.as_ref().is_none_or(|t| t.code != gone_code))
    );
}
