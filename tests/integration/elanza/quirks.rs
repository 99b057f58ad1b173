//! Elanza data as it really arrives, through the mock and the real plugin: department names
//! with padding and more than one `_` or a leading one, uuids in capitals, and shifts on the
//! edges between the read slices and at the start of the detail window.

use chrono::TimeDelta;
use tessera_test_servers::elanza::{Dataset, PlannedWorker, Worker, at};

use super::{WORKED, attr, contract, mock, person, read_ok, today};

/// Anne's shifts: one starting exactly on a slice edge (in both slice answers, which include
/// their `to`), one exactly at the detail start (in the last slice and the detail answer), a
/// night shift the evening before the detail start, and two in the detail window whose
/// department and product uuids come in capitals.
fn quirky() -> Dataset {
    let mut d = Dataset::catalogue(3);
    d.departments[0].name = "  UMC_Intensive Care  ".into();
    d.departments[1].name = "_SEH".into();
    d.departments[2].name = "AMS_Kinder_IC".into();
    // now − 60 days is 2026-01-09T10:00Z; slices run a week from there.
    let slice_edge = at(today() - TimeDelta::days(60 - 14), 10, 0);
    let detail_start = at(today() - TimeDelta::days(7), 0, 0);
    let night = at(today() - TimeDelta::days(8), 22, 0);
    let mut shifts = vec![
        d.shift(slice_edge, 480, Some(0), 0),
        d.shift(detail_start, 480, Some(0), 0),
        d.shift(night, 600, Some(0), 0),
    ];
    for (k, dept) in [(1, 1), (2, 2)] {
        let mut s = d.shift(at(today() + TimeDelta::days(k), 7, 0), 480, Some(1), dept);
        s.department_uuid = s.department_uuid.to_uppercase();
        s.product_uuid = s.product_uuid.map(|p| p.to_uppercase());
        shifts.push(s);
    }
    d.workers.push(PlannedWorker {
        worker: Worker {
            worker_number: Some(4711),
            first_name: "Anne".into(),
            last_name: "Berg".into(),
            email: "anne.berg@flex.example.nl".into(),
            phone_number: String::new(),
        },
        shifts,
    });
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edges_names_and_capital_uuids_are_read_once_and_right() {
    let m = mock(quirky()).await;
    let (persons, warnings) = read_ok(&m, &WORKED).await;
    assert!(warnings.is_empty(), "{warnings:?}");
    let anne = person(&persons, "4711");
    let ids: Vec<&str> = anne.contracts.iter().map(|c| c.id.as_str()).collect();
    // The shift at the detail start and the two ahead are contracts; the slice-edge and the
    // night shift fold into the historical one, each counted once.
    assert_eq!(anne.contracts.len(), 4, "{ids:?}");
    let old = contract(anne, "4711-historical");
    assert_eq!(attr(old, "shifts"), Some("2"), "{old:?}");
    let names: Vec<&str> = anne
        .contracts
        .iter()
        .filter_map(|c| c.department.as_ref().map(|d| d.name.as_str()))
        .collect();
    assert_eq!(names, ["Intensive Care", "SEH", "Kinder_IC"]);
    let titles = anne.contracts.iter().filter(|c| c.title.is_some()).count();
    assert_eq!(titles, 3, "capital product uuids find their product");
    assert_eq!(
        m.hits_under("/rest-api/v1/product/"),
        2,
        "each product once, whatever the case of its uuid"
    );
}
