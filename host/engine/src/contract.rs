//! Questions about contracts on a given day, and the primary contract.

use std::cmp::Ordering;

use chrono::{Days, NaiveDate};
use tessera_domain::{Contract, Zone};

/// Whether `c` is active on `today` once its window is widened by `before` days before the
/// start and `after` days after the end; a start or end instant counts on its day in `zone`.
/// A missing start has always begun; a missing end never ends.
pub fn in_window(c: &Contract, (today, zone): (NaiveDate, Zone), before: i64, after: i64) -> bool {
    let started = c.start.is_none_or(|s| shift(s.day(zone), -before) <= today);
    let running = c.end.is_none_or(|e| today <= shift(e.day(zone), after));
    started && running
}

/// [`in_window`] as a test to run over many contracts: the widened bounds are worked out once
/// instead of once per contract, which matters when every rule checks every shift.
pub fn window(
    (today, zone): (NaiveDate, Zone),
    before: i64,
    after: i64,
) -> impl Fn(&Contract) -> bool {
    // `start - before <= today` is `start <= today + before`, saturation included.
    let latest_start = shift(today, before);
    let earliest_end = shift(today, -after);
    move |c| {
        c.start.is_none_or(|s| s.day(zone) <= latest_start)
            && c.end.is_none_or(|e| earliest_end <= e.day(zone))
    }
}

/// `date` moved by `days` (negative goes back), saturating at the calendar's ends.
pub fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    let n = Days::new(days.unsigned_abs());
    let moved = if days >= 0 {
        date.checked_add_days(n)
    } else {
        date.checked_sub_days(n)
    };
    moved.unwrap_or(if days >= 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    })
}

/// The primary contract in HelloID's order: active first, then FTE, hours per week and
/// sequence (highest first), end (latest first, open-ended latest of all), start (earliest
/// first), and finally id.
pub fn primary(contracts: &[Contract], on: (NaiveDate, Zone)) -> Option<&Contract> {
    contracts.iter().min_by(|a, b| primary_order(a, b, on))
}

fn primary_order(a: &Contract, b: &Contract, on: (NaiveDate, Zone)) -> Ordering {
    let zone = on.1;
    let active = |c: &Contract| in_window(c, on, 0, 0);
    let desc_f32 = |x: Option<f32>, y: Option<f32>| y.unwrap_or(0.0).total_cmp(&x.unwrap_or(0.0));
    let end = |c: &Contract| c.end.map_or(NaiveDate::MAX, |e| e.day(zone));
    let start = |c: &Contract| c.start.map_or(NaiveDate::MIN, |s| s.day(zone));
    active(b)
        .cmp(&active(a))
        .then_with(|| desc_f32(a.fte, b.fte))
        .then_with(|| desc_f32(a.hours_per_week, b.hours_per_week))
        .then_with(|| b.sequence.unwrap_or(0).cmp(&a.sequence.unwrap_or(0)))
        .then_with(|| end(b).cmp(&end(a)))
        .then_with(|| start(a).cmp(&start(b)))
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tessera_testkit::people::{date as day, employment};

    fn contract(id: &str, start: &str, end: Option<&str>) -> Contract {
        employment(id, ("D", "D"), day(start), end.map(day))
    }

    #[test]
    fn the_batch_window_agrees_with_the_single_one() {
        let contracts = [
            contract("closed", "2026-11-10", Some("2026-11-12")),
            contract("open", "2026-11-10", None),
        ];
        let widths = [0, 1, 2, 5, i64::MAX / 4];
        for offset in 0..12 {
            let today = shift(day("2026-11-05"), offset);
            for (before, after) in widths.iter().flat_map(|b| widths.map(|a| (*b, a))) {
                let test = window((today, Zone::UTC), before, after);
                for c in &contracts {
                    assert_eq!(
                        test(c),
                        in_window(c, (today, Zone::UTC), before, after),
                        "{today} {before} {after}"
                    );
                }
            }
        }
    }

    #[test]
    fn windows_widen_on_both_sides() {
        let c = contract("c", "2026-11-10", Some("2026-11-12"));
        assert!(!in_window(&c, (day("2026-11-05"), Zone::UTC), 0, 0));
        assert!(in_window(&c, (day("2026-11-05"), Zone::UTC), 5, 0));
        assert!(in_window(&c, (day("2026-11-12"), Zone::UTC), 0, 0));
        assert!(!in_window(&c, (day("2026-11-13"), Zone::UTC), 0, 0));
        assert!(in_window(&c, (day("2026-11-14"), Zone::UTC), 0, 2));
    }

    #[test]
    fn primary_follows_helloid_order() {
        let today = day("2026-11-22");
        let table: Vec<(&str, Vec<Contract>, &str)> = vec![
            (
                "active beats FTE",
                {
                    let mut past = contract("past", "2020-01-01", Some("2021-01-01"));
                    past.fte = Some(1.0);
                    vec![past, contract("now", "2026-01-01", None)]
                },
                "now",
            ),
            (
                "higher FTE",
                {
                    let mut big = contract("big", "2026-01-01", None);
                    big.fte = Some(0.8);
                    vec![contract("small", "2026-01-01", None), big]
                },
                "big",
            ),
            (
                "more hours",
                {
                    let mut more = contract("more", "2026-01-01", None);
                    more.hours_per_week = Some(36.0);
                    vec![contract("less", "2026-01-01", None), more]
                },
                "more",
            ),
            (
                "higher sequence",
                {
                    let mut two = contract("two", "2026-01-01", None);
                    two.sequence = Some(2);
                    vec![contract("one", "2026-01-01", None), two]
                },
                "two",
            ),
            (
                "open end beats dated end",
                vec![
                    contract("dated", "2026-01-01", Some("2027-01-01")),
                    contract("open", "2026-01-01", None),
                ],
                "open",
            ),
            (
                "earlier start",
                vec![
                    contract("late", "2026-06-01", None),
                    contract("early", "2026-01-01", None),
                ],
                "early",
            ),
            (
                "id breaks ties",
                vec![
                    contract("b", "2026-01-01", None),
                    contract("a", "2026-01-01", None),
                ],
                "a",
            ),
        ];
        for (case, contracts, want) in table {
            assert_eq!(
                primary(&contracts, (today, Zone::UTC)).unwrap().id,
                want,
                "{case}"
            );
        }
    }
}
