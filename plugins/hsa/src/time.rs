//! Dates for `hsaStartDate` / `hsaEndDate`: the engine speaks ISO 8601 (`2026-11-22`,
//! `2026-11-22T07:00:00Z`), HSA generalized time (`20261122070000Z`).

/// Generalized time for an ISO date or date-time in UTC, or a value already in generalized
/// time; `None` when it is neither.
pub fn generalized(value: &str) -> Option<String> {
    let v = value.trim();
    if is_generalized(v) {
        return Some(v.to_owned());
    }
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, t.strip_suffix('Z')?),
        None => (v, "00:00:00"),
    };
    let date: Vec<&str> = date.split('-').collect();
    let time: Vec<&str> = time.split(':').collect();
    let [y, mo, d] = date.as_slice() else {
        return None;
    };
    let [h, mi, s] = time.as_slice() else {
        return None;
    };
    let out = format!("{y}{mo}{d}{h}{mi}{s}Z");
    is_generalized(&out).then_some(out)
}

/// The ISO form of generalized time: a date alone at midnight, else a UTC date-time, so a
/// listed value equals what the engine mapped. Other text is returned unchanged.
pub fn iso(value: &str) -> String {
    if !is_generalized(value) {
        return value.to_owned();
    }
    let (d, t) = value.split_at(8);
    let date = format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]);
    match &t[..6] {
        "000000" => date,
        hms => format!("{date}T{}:{}:{}Z", &hms[..2], &hms[2..4], &hms[4..6]),
    }
}

/// `YYYYMMDDHHMMSSZ` with plausible fields.
pub fn is_generalized(v: &str) -> bool {
    let Some(digits) = v.strip_suffix('Z') else {
        return false;
    };
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let field = |r: std::ops::Range<usize>| digits[r].parse::<u32>().unwrap_or(99);
    (1..=12).contains(&field(4..6))
        && (1..=31).contains(&field(6..8))
        && field(8..10) < 24
        && field(10..12) < 60
        && field(12..14) < 61
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_iso_dates_and_keeps_generalized_time() {
        assert_eq!(
            generalized("2026-11-22").as_deref(),
            Some("20261122000000Z")
        );
        assert_eq!(
            generalized("2026-11-22T07:03:00Z").as_deref(),
            Some("20261122070300Z")
        );
        assert_eq!(
            generalized("20100101070300Z").as_deref(),
            Some("20100101070300Z")
        );
        assert_eq!(iso("20261122000000Z"), "2026-11-22");
        assert_eq!(iso("20261122070300Z"), "2026-11-22T07:03:00Z");
        for bad in ["2026-13-01", "22/11/2026", "2026-11-22T07:00:00+01:00", ""] {
            assert_eq!(generalized(bad), None, "{bad}");
        }
    }
}
