//! Contracts as a person reads them: a flex worker's many shifts grouped by department into
//! "8 shifts in IC, 29 Nov – 8 Dec" instead of a row of uuids. Other contracts keep their id.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tessera_domain::{ContractKind, Person, Zone};

/// `ids` of `person`'s contracts in words, shifts on their days in `zone`; ids the person does
/// not have are shown as they are.
pub fn contracts_in_words(ids: &[String], person: &Person, zone: Zone) -> String {
    // Department name → (count, first start, last start), in name order.
    let mut shifts: BTreeMap<String, (usize, Option<NaiveDate>, Option<NaiveDate>)> =
        BTreeMap::new();
    let mut others = Vec::new();
    for id in ids {
        match person.contracts.iter().find(|c| &c.id == id) {
            Some(c) if c.kind == ContractKind::Shift => {
                let dept = c.department.as_ref().map_or("no department", |d| &d.name);
                let day = c.start.map(|s| s.day(zone));
                let slot = shifts.entry(dept.to_owned()).or_default();
                slot.0 += 1;
                slot.1 = min(slot.1, day);
                slot.2 = slot.2.max(day);
            }
            _ => others.push(id.clone()),
        }
    }
    let mut parts: Vec<String> = shifts
        .into_iter()
        .map(|(dept, (n, first, last))| {
            let noun = if n == 1 { "shift" } else { "shifts" };
            format!("{n} {noun} in {dept}{}", span(first, last))
        })
        .collect();
    parts.extend(others);
    parts.join("; ")
}

fn min(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn span(first: Option<NaiveDate>, last: Option<NaiveDate>) -> String {
    let day = |d: NaiveDate| d.format("%-d %b %Y").to_string();
    match (first, last) {
        (Some(f), Some(l)) if f == l => format!(", {}", day(f)),
        (Some(f), Some(l)) => format!(", {} – {}", day(f), day(l)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use tessera_testkit::{day, person, shift};

    use super::*;

    #[test]
    fn shifts_group_by_department_with_their_span_and_the_rest_keep_their_ids() {
        let mut contracts: Vec<_> = (0..8)
            .map(|i| shift(&format!("s{i}"), "IC", day(28 + i), day(28 + i)))
            .collect();
        contracts.push(shift("e1", "SEH", day(3), day(3)));
        let p = person("p1", "Ann", "Ade", contracts);
        let mut ids: Vec<String> = p.contracts.iter().map(|c| c.id.clone()).collect();
        ids.push("gone".into());
        let text = contracts_in_words(&ids, &p, Zone::UTC);
        assert_eq!(
            text,
            "8 shifts in IC, 29 Nov 2026 – 6 Dec 2026; 1 shift in SEH, 4 Nov 2026; gone"
        );
    }
}
