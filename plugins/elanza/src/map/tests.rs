//! Elanza data as it really arrives: slices that overlap at their edges, names with padding and
//! site prefixes, uuids in either case, and a window that moves every day.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use tessera_sdk::types::{Contract, Person, Warning};

use crate::map::{
    Catalogue, Detail, DetailSlice, Earlier, Products, Window, catalogue, persons_each,
};
use crate::model::{PlannedWorkers, Skill, SliceWorkers};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("time").to_utc()
}

fn shift(uuid: &str, start: &str) -> serde_json::Value {
    json!({"uuid": uuid, "startAt": start, "endAt": start, "departmentUuid": "DEP-1", "productUuid": "PROD-1"})
}

fn answer(shifts: &[serde_json::Value]) -> String {
    json!({"workers": [{"worker": {"workerNumber": "1001", "firstName": "Noor", "lastName": "Visser"}, "shifts": shifts}]}).to_string()
}

fn departments() -> String {
    json!({"departments": [{"uuid": "dep-1", "name": "  UMC_ Intensive Care  ", "code": "IC"}]})
        .to_string()
}

/// One run as the plugin does it: every slice's answer filtered by the API's overlap rule
/// (a shift is returned when it overlaps the asked time), then the detail answer.
fn run(now: DateTime<Utc>, all: &[serde_json::Value]) -> (Vec<Person>, Vec<Warning>) {
    run_folding(now, all, false)
}

/// [`run`], with the slices after the oldest folded apart and absorbed (`apart`), as a run
/// that remembers them does.
fn run_folding(
    now: DateTime<Utc>,
    all: &[serde_json::Value],
    apart: bool,
) -> (Vec<Person>, Vec<Warning>) {
    let window = Window::new(now, 60, 14, 7).expect("window");
    let overlapping = |from: DateTime<Utc>, to: DateTime<Utc>| -> Vec<serde_json::Value> {
        all.iter()
            .filter(
                |s| match s["startAt"].as_str().map(DateTime::parse_from_rfc3339) {
                    // Shifts last eight hours here; the API includes both ends.
                    Some(Ok(t)) => t.to_utc() <= to && t.to_utc() + Duration::hours(8) >= from,
                    _ => true,
                },
            )
            .cloned()
            .collect()
    };
    let mut warnings = Vec::new();
    let (mut earlier, mut later, mut said) = (Earlier::default(), Earlier::default(), Vec::new());
    for (i, slice) in window.slices().into_iter().enumerate() {
        let text = answer(&overlapping(slice.0, slice.1));
        let planned: SliceWorkers<'_> = serde_json::from_str(&text).expect("json");
        match apart && i > 0 {
            true => later.add(&planned, slice, &mut said),
            false => earlier.add(&planned, slice, &mut warnings),
        }
    }
    earlier.absorb(later, said, &mut warnings);
    let mut detail = Detail::default();
    for (slice, _) in window.detail_slices() {
        let text = answer(&overlapping(slice.from, slice.to.unwrap_or(window.to)));
        let planned: PlannedWorkers<'_> = serde_json::from_str(&text).expect("json");
        detail.add(&planned, slice);
    }
    let deps_text = departments();
    let deps: crate::model::Departments<'_> = serde_json::from_str(&deps_text).expect("json");
    let skills: Vec<Skill<'_>> = Vec::new();
    let catalogue = Catalogue::new(&deps.departments, &skills, Products::new());
    let mut persons = Vec::new();
    let more = persons_each(&detail, &catalogue, earlier, &mut |p| persons.push(p));
    warnings.extend(more);
    (persons, warnings)
}

fn historical_of(persons: &[Person]) -> Option<Contract> {
    persons[0]
        .contracts
        .iter()
        .find(|c| c.id.ends_with("-historical"))
        .cloned()
}

#[test]
fn the_historical_contract_stays_the_same_while_the_window_moves() {
    let shifts = [
        shift("a", "2026-10-01T07:00:00Z"),
        shift("b", "2026-10-15T07:00:00Z"),
        shift("c", "2026-11-02T07:00:00Z"),
    ];
    let first = historical_of(&run(at("2026-11-20T09:00:00Z"), &shifts).0).expect("folded");
    assert_eq!(first.start.as_deref(), Some("2026-10-01"));
    assert_eq!(first.end.as_deref(), Some("2026-11-02"));
    for day in 1..6 {
        let now = at("2026-11-20T09:00:00Z") + Duration::days(day);
        let again = historical_of(&run(now, &shifts).0).expect("folded");
        assert_eq!(again, first, "day +{day}");
    }
}

#[test]
fn a_night_shift_across_the_detail_edge_is_counted_once() {
    // now 2026-11-20: the detail window starts 2026-11-13T00:00Z; this one starts at 22:00
    // the evening before and comes in the last slice's answer and in the detail answer.
    let night = shift("night", "2026-11-12T22:00:00Z");
    let (persons, _) = run(at("2026-11-20T09:00:00Z"), std::slice::from_ref(&night));
    let contracts = &persons[0].contracts;
    assert_eq!(contracts.len(), 1, "{contracts:?}");
    let shifts = contracts[0].attributes.iter().find(|a| a.name == "shifts");
    assert_eq!(shifts.map(|a| a.value.as_str()), Some("1"));
}

#[test]
fn a_shift_on_a_slice_boundary_is_counted_once() {
    let now = at("2026-11-20T09:00:00Z");
    let window = Window::new(now, 60, 14, 7).expect("window");
    let edge = window.slices()[1].0;
    let on_edge = shift("edge", &edge.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let (persons, _) = run(now, &[on_edge]);
    let folded = historical_of(&persons).expect("folded");
    let count = folded.attributes.iter().find(|a| a.name == "shifts");
    assert_eq!(count.map(|a| a.value.as_str()), Some("1"));
}

#[test]
fn the_detail_window_comes_in_weeks_and_each_shift_once() {
    let now = at("2026-11-20T09:00:00Z");
    let window = Window::new(now, 60, 14, 7).expect("window");
    let slices = window.detail_slices();
    // 2026-11-13 to 2026-12-04: three weeks, the last one up to the window's end.
    assert_eq!(slices.len(), 3, "{slices:?}");
    assert_eq!(slices[0].0.from, window.detail_start);
    assert_eq!(slices[2].0.to, None);
    assert!(
        slices[2].1.ends_with("to=2026-12-04T09:00:00Z"),
        "{}",
        slices[2].1
    );
    let edge = slices[1].0.from;
    let (on_edge, night) = (edge, edge - Duration::hours(2));
    let shifts = [
        shift("edge", &on_edge.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        shift("night", &night.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        shift("last", &window.to.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
    ];
    let (persons, _) = run(now, &shifts);
    let mut ids: Vec<_> = persons[0].contracts.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["edge", "last", "night"]);
}

#[test]
fn a_shift_without_a_start_is_warned_about_once() {
    let broken = json!({"uuid": "no-start", "departmentUuid": "dep-1"});
    let (_, warnings) = run(at("2026-11-20T09:00:00Z"), &[broken]);
    let about: Vec<_> = warnings
        .iter()
        .filter(|w| w.subject.as_deref() == Some("no-start"))
        .collect();
    assert_eq!(about.len(), 1, "{warnings:?}");
}

#[test]
fn slices_folded_apart_and_absorbed_give_what_folding_them_in_order_gives() {
    let now = at("2026-11-20T09:00:00Z");
    let window = Window::new(now, 60, 14, 7).expect("window");
    let oldest = window.slices()[0];
    let shifts = [
        shift("oldest", &(oldest.0 + Duration::hours(1)).to_rfc3339()),
        shift("a", "2026-10-01T07:00:00Z"),
        shift("b", "2026-10-15T07:00:00Z"),
        shift("detail", "2026-11-18T07:00:00Z"),
        // In every slice's answer: said once, whichever part of the fold sees it first.
        json!({"uuid": "no-start", "departmentUuid": "dep-1"}),
    ];
    let in_order = run_folding(now, &shifts, false);
    let apart = run_folding(now, &shifts, true);
    assert_eq!(apart, in_order);
    let folded = historical_of(&apart.0).expect("folded");
    let count = folded.attributes.iter().find(|a| a.name == "shifts");
    assert_eq!(count.map(|a| a.value.as_str()), Some("3"));
    assert_eq!(apart.1.len(), 1, "{:?}", apart.1);
}

#[test]
fn department_names_lose_their_site_prefix_and_padding() {
    for (name, shown) in [
        ("UMC_Intensive Care", "Intensive Care"),
        ("  UMC_ Intensive Care  ", "Intensive Care"),
        ("_IC", "IC"),
        ("UMC_IC_Noord", "IC_Noord"),
        (" SEH ", "SEH"),
        ("SEH", "SEH"),
    ] {
        assert_eq!(catalogue::display_name(name), shown, "{name:?}");
    }
}

#[test]
fn uuids_match_whatever_their_case() {
    let shifts = [
        shift("s1", "2026-11-18T07:00:00Z"),
        json!({"uuid": "s2", "startAt": "2026-11-19T07:00:00Z", "departmentUuid": "Dep-1", "productUuid": "prod-1"}),
    ];
    let (persons, warnings) = run(at("2026-11-20T09:00:00Z"), &shifts);
    assert!(
        !warnings.iter().any(|w| w.message.contains("department")),
        "{warnings:?}"
    );
    for c in &persons[0].contracts {
        let dept = c.department.as_ref().expect("department");
        assert_eq!(
            (dept.code.as_str(), dept.name.as_str()),
            ("IC", "Intensive Care")
        );
    }
    // A shift whose start is not an instant is reported, not mapped: its product is not
    // asked for.
    let mut shifts = shifts.to_vec();
    shifts.push(json!({"uuid": "s3", "startAt": "soon", "productUuid": "PROD-2"}));
    let text = answer(&shifts);
    let planned: PlannedWorkers<'_> = serde_json::from_str(&text).expect("json");
    let mut detail = Detail::default();
    let from = at("2026-11-13T00:00:00Z");
    detail.add(&planned, DetailSlice { from, to: None });
    assert_eq!(detail.products_needed(), vec!["PROD-1"]);
    // And it is lent without a start, which is what has the mapping report it.
    let lent = detail.planned(0..detail.len());
    let s3 = lent.iter().flat_map(|w| &w.shifts).find(|s| s.uuid == "s3");
    assert_eq!(s3.map(|s| s.start_at.is_none()), Some(true));
}
