#![allow(clippy::unwrap_used, reason = "tests")]

use chrono::{NaiveDate, TimeDelta, Timelike};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::render::{shift_view, worker_view};
use super::*;

const KEY: &str = "k3y-Elanza-1";

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

fn small() -> Dataset {
    Dataset::generate(&generate_small())
}

async fn mock(data: Dataset) -> ElanzaMock {
    ElanzaMock::start(ElanzaOptions {
        api_key: KEY.into(),
        data,
        faults: Faults::default(),
    })
    .await
}

/// A bare HTTP/1.1 GET: status and body. The mock always sends a Content-Length.
async fn get(m: &ElanzaMock, path: &str, key: Option<&str>) -> (u16, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(m.served.addr())
        .await
        .unwrap();
    let key = key
        .map(|k| format!("{API_KEY_HEADER}: {k}\r\n"))
        .unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\n{key}connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head[9..12].parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

async fn get_json(m: &ElanzaMock, path: &str) -> (u16, Value) {
    let (status, body) = get(m, path, Some(KEY)).await;
    (status, serde_json::from_slice(&body).unwrap())
}

const WINDOW: &str =
    "/rest-api/v1/plannedWorkers?from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z";

#[test]
fn the_generator_is_deterministic_and_looks_like_a_dutch_hospital() {
    let (a, b, c) = (
        small(),
        small(),
        Dataset::generate(&Generate {
            seed: 8,
            ..generate_small()
        }),
    );
    let json = |d: &Dataset| {
        let window = (
            at(day0(), 0, 0) - TimeDelta::days(99),
            at(day0(), 0, 0) + TimeDelta::days(99),
        );
        Pieces::of(d).render(d, &Faults::default(), window)
    };
    assert_eq!(json(&a), json(&b), "same seed, same data");
    assert_ne!(json(&a), json(&c), "another seed, other data");
    assert_eq!((a.workers.len(), a.shift_count()), (30, 360));
    let shifts = || a.workers.iter().flat_map(|w| &w.shifts);
    let nights = shifts().filter(|s| s.start_at.hour() == 23).count();
    assert!(nights > 0 && shifts().all(|s| s.end_at > s.start_at));
    assert!(
        shifts()
            .filter(|s| s.start_at.hour() == 23)
            .all(|s| s.end_at.date_naive() > s.start_at.date_naive()),
        "nights end the next day"
    );
    let prefixed = a
        .workers
        .iter()
        .filter(|w| w.worker.last_name.starts_with("van ") || w.worker.last_name.starts_with("de "))
        .count();
    assert!(prefixed > 0, "some family names carry a Dutch prefix");
    assert!(a.departments.iter().all(|d| d.name.contains('_')));
    assert!(a.products.iter().all(|p| !p.hr_function_code.is_empty()));
}

fn generate_small() -> Generate {
    Generate {
        seed: 7,
        workers: 30,
        shifts_per_worker: 12,
        anchor: day0(),
        days_before: 20,
        days_after: 10,
    }
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_401_with_only_a_message() {
    let m = mock(small()).await;
    for key in [None, Some("wrong")] {
        let (status, body) = get(&m, "/rest-api/v1/departments", key).await;
        assert_eq!(status, 401);
        let body: Value = serde_json::from_slice(&body).unwrap();
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["message"]);
    }
    assert_eq!(
        m.hits("/rest-api/v1/departments"),
        2,
        "refused requests count too"
    );
}

#[tokio::test]
async fn lists_use_the_recorded_envelopes_and_field_names() {
    let m = mock(small()).await;
    let (_, deps) = get_json(&m, "/rest-api/v1/departments").await;
    let d = &deps["departments"][0];
    for field in ["uuid", "name", "code", "brandName"] {
        assert!(d[field].is_string(), "{field} in {d}");
    }
    let (_, skills) = get_json(&m, "/rest-api/v1/skills").await;
    assert!(skills["skills"][0]["name"].is_string());
    let uuid = m.with_data(|d| d.products[0].uuid.clone());
    let (status, p) = get_json(&m, &format!("/rest-api/v1/product/{uuid}")).await;
    assert_eq!((status, p["hrFunctionCode"].as_str()), (200, Some("VPK")));
    let (status, _) = get_json(&m, "/rest-api/v1/product/nope").await;
    assert_eq!(status, 404);
    let dep = m.with_data(|d| d.departments[1].uuid.clone());
    let (status, d) = get_json(&m, &format!("/rest-api/v1/department/{dep}")).await;
    assert_eq!((status, d["code"].as_str()), (200, Some("SEH")));
}

#[tokio::test]
async fn planned_workers_needs_a_strict_window_and_returns_only_shifts_in_it() {
    let m = mock(small()).await;
    for bad in [
        "",
        "?from=2026-03-01T00:00:00Z",
        "?from=2026-03-01&to=2026-03-05T00:00:00Z",
        "?from=2026-03-01T00:00:00.000Z&to=2026-03-05T00:00:00Z",
    ] {
        let (status, body) = get_json(&m, &format!("/rest-api/v1/plannedWorkers{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["message"].is_string(), "{body}");
    }
    assert!(m.windows().is_empty(), "no valid window was asked for yet");
    let (status, body) = get_json(&m, WINDOW).await;
    assert_eq!(status, 200);
    let entries = body["workers"].as_array().unwrap();
    let (from, to) = ("2026-03-01T00:00:00.000Z", "2026-03-05T00:00:00.000Z");
    let mut served = 0;
    for e in entries {
        let shifts = e["shifts"].as_array().unwrap();
        assert!(
            !shifts.is_empty(),
            "only workers with a shift in the window"
        );
        for s in shifts {
            let start = s["startAt"].as_str().unwrap();
            assert!(start >= from && start <= to, "{start}");
            assert!(s["productUuid"].is_string() && s["skillUuids"].is_array());
            served += 1;
        }
        assert!(e["worker"]["workerNumber"].is_u64() && e["worker"]["phoneNumber"].is_string());
    }
    let expected = m.with_data(|d| {
        d.workers
            .iter()
            .flat_map(|w| &w.shifts)
            .filter(|s| {
                s.start_at >= at(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), 0, 0)
                    && s.start_at <= at(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(), 0, 0)
            })
            .count()
    });
    assert_eq!(served, expected);
    assert!(served > 0);
    assert_eq!(
        m.windows(),
        [(
            "2026-03-01T00:00:00Z".to_owned(),
            "2026-03-05T00:00:00Z".to_owned()
        )]
    );
}

#[tokio::test]
async fn fault_knobs_change_the_answers() {
    let m = mock(small()).await;
    let (first_number, first_shift, product) = m.with_data(|d| {
        (
            d.workers[0].worker.worker_number.unwrap(),
            d.workers[0].shifts[0].uuid.clone(),
            d.products[0].uuid.clone(),
        )
    });
    m.set_faults(Faults {
        status_500: Some(Endpoint::Skills),
        ..Faults::default()
    });
    let (status, body) = get_json(&m, "/rest-api/v1/skills").await;
    assert_eq!((status, body["message"].is_string()), (500, true));
    m.set_faults(Faults {
        truncate: Some(Endpoint::Departments),
        ..Faults::default()
    });
    let (status, body) = get(&m, "/rest-api/v1/departments", Some(KEY)).await;
    assert_eq!(status, 200);
    assert!(
        serde_json::from_slice::<Value>(&body).is_err(),
        "cut off mid-document"
    );
    m.set_faults(Faults {
        worker_without_number: Some(first_number),
        shift_without_product: Some(first_shift.clone()),
        product_not_found: Some(product.clone()),
        ..Faults::default()
    });
    let (status, _) = get_json(&m, &format!("/rest-api/v1/product/{product}")).await;
    assert_eq!(status, 404);
    let (_, body) = get_json(
        &m,
        "/rest-api/v1/plannedWorkers?from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z",
    )
    .await;
    let text = body.to_string();
    let entry = body["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["shifts"][0]["uuid"] == first_shift.as_str())
        .unwrap();
    assert!(
        entry["worker"].get("workerNumber").is_none(),
        "{}",
        entry["worker"]
    );
    assert!(entry["shifts"][0].get("productUuid").is_none());
    assert_eq!(text.matches("\"workerNumber\"").count(), 29);
}

#[tokio::test]
async fn mutations_add_move_and_cancel_shifts() {
    let m = mock(small()).await;
    let (from, to) = (
        at(day0(), 0, 0) - TimeDelta::days(3),
        at(day0(), 0, 0) + TimeDelta::days(3),
    );
    let before = m.with_data(Clone::clone);
    let changes = m.update(|d| d.mutate(99, 4, from, to));
    assert_eq!(
        (
            changes.added.len(),
            changes.moved.len(),
            changes.cancelled.len()
        ),
        (4, 4, 4)
    );
    let find = |d: &Dataset, uuid: &str| {
        d.workers
            .iter()
            .flat_map(|w| &w.shifts)
            .find(|s| s.uuid == uuid)
            .cloned()
    };
    m.with_data(|after| {
        assert_eq!(after.shift_count(), before.shift_count());
        for uuid in &changes.moved {
            let (old, new) = (find(&before, uuid).unwrap(), find(after, uuid).unwrap());
            assert_eq!(new.start_at - old.start_at, TimeDelta::hours(2));
        }
        assert!(
            changes
                .cancelled
                .iter()
                .all(|u| find(&before, u).is_some() && find(after, u).is_none())
        );
        assert!(changes.added.iter().all(|u| find(&before, u).is_none()
            && find(after, u).is_some_and(|s| s.start_at >= from && s.start_at < to)));
    });
}

/// The answer as one serialisation of the whole: what the joined pieces must equal.
fn whole(data: &Dataset, faults: &Faults, (from, to): (DateTime<Utc>, DateTime<Utc>)) -> Vec<u8> {
    #[derive(Serialize)]
    struct Planned<'a> {
        workers: Vec<Entry<'a>>,
    }
    #[derive(Serialize)]
    struct Entry<'a> {
        worker: std::borrow::Cow<'a, Worker>,
        shifts: Vec<std::borrow::Cow<'a, Shift>>,
    }
    let workers = data
        .workers
        .iter()
        .filter_map(|pw| {
            let shifts: Vec<_> = pw
                .shifts
                .iter()
                .filter(|s| s.start_at >= from && s.start_at <= to)
                .map(|s| shift_view(s, faults))
                .collect();
            let worker = worker_view(&pw.worker, faults);
            (!shifts.is_empty()).then_some(Entry { worker, shifts })
        })
        .collect();
    serde_json::to_vec(&Planned { workers }).unwrap()
}

#[test]
fn joined_pieces_are_the_bytes_of_the_whole_answer_faults_included() {
    let data = small();
    let pieces = Pieces::of(&data);
    let some_shift = data.workers[3].shifts[2].uuid.clone();
    let faulty = Faults {
        worker_without_number: data.workers[1].worker.worker_number,
        shift_without_product: Some(some_shift),
        ..Faults::default()
    };
    let windows = [
        (
            at(day0(), 0, 0) - TimeDelta::days(99),
            at(day0(), 0, 0) + TimeDelta::days(99),
        ),
        (at(day0(), 0, 0) - TimeDelta::days(3), at(day0(), 12, 0)),
        (
            at(day0(), 0, 0) + TimeDelta::days(500),
            at(day0(), 0, 0) + TimeDelta::days(501),
        ),
    ];
    for faults in [Faults::default(), faulty] {
        for window in windows {
            let joined = pieces.render(&data, &faults, window);
            assert_eq!(
                String::from_utf8(joined).unwrap(),
                String::from_utf8(whole(&data, &faults, window)).unwrap()
            );
        }
    }
}
