//! The policy check every person and commission passes before anything is written: mandatory
//! attributes, lengths and formats, as HSA's input validation and monthly control runs check
//! them. A violation is reported with its reason; bad data is never sent.

use crate::{hsaid, time};

/// Longest names and titles accepted (common LDAP upper bounds, within HSA's).
const MAX_NAME: usize = 64;
const MAX_TITLE: usize = 128;
const MAX_CODE: usize = 32;

/// Every problem with a person entry about to be written, given as `name = value` pairs.
pub fn person(id: &str, attributes: &[(String, String)], care_unit: bool) -> Vec<String> {
    let get = |n: &str| {
        attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.as_str())
    };
    let mut out: Vec<String> = hsaid::problem(id).into_iter().collect();
    for mandatory in ["sn", "ou"] {
        if get(mandatory).is_none_or(|v| v.trim().is_empty()) {
            out.push(format!("{mandatory} is mandatory"));
        }
    }
    for (name, value) in attributes {
        out.extend(attribute(name, value));
    }
    if let (Some(start), Some(end)) = (get("hsaStartDate"), get("hsaEndDate"))
        && time::is_generalized(start)
        && time::is_generalized(end)
        && start > end
    {
        out.push(format!("hsaStartDate {start} is after hsaEndDate {end}"));
    }
    if care_unit
        && get("departmentNumber").is_none_or(|c| !c.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        out.push(
            "a care unit needs a departmentNumber of letters and digits for its HSA-id".into(),
        );
    }
    out
}

/// The problem with one attribute value, if any.
fn attribute(name: &str, value: &str) -> Option<String> {
    let len = value.chars().count();
    let too_long =
        |max: usize| (len > max).then(|| format!("{name} is longer than {max} characters"));
    match name.to_ascii_lowercase().as_str() {
        "cn" | "sn" | "givenname" | "displayname" | "ou" => too_long(MAX_NAME),
        "hsatitle" | "title" => too_long(MAX_TITLE),
        "patitlecode" | "departmentnumber" | "employeenumber" => too_long(MAX_CODE),
        "mail" => {
            let parts: Vec<&str> = value.split('@').collect();
            let ok = parts.len() == 2 && !parts[0].is_empty() && parts[1].contains('.');
            (!ok).then(|| format!("mail `{value}` is not an address"))
        }
        "telephonenumber" | "mobile" => {
            let ok = value
                .chars()
                .all(|c| c.is_ascii_digit() || "+ -".contains(c))
                && value.chars().any(|c| c.is_ascii_digit());
            (!ok).then(|| format!("{name} `{value}` may hold only digits, +, - and spaces"))
        }
        "hsastartdate" | "hsaenddate" => {
            (!time::is_generalized(value)).then(|| format!("{name} `{value}` is not a date"))
        }
        _ => None,
    }
}

/// Every problem with a commission definition.
pub fn commission(id: &str, name: &str, purpose: &str, rights: &[String]) -> Vec<String> {
    let mut out: Vec<String> = hsaid::problem(id).into_iter().collect();
    if name.trim().is_empty() || purpose.trim().is_empty() {
        out.push("a commission needs a name and a purpose".into());
    }
    for right in rights {
        let parts: Vec<&str> = right.split(';').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.trim().is_empty()) {
            out.push(format!(
                "right `{right}` is not activity;informationType;scope"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_good_person_passes_and_each_fault_is_named() {
        let good = attrs(&[
            ("sn", "Berg"),
            ("ou", "IVA"),
            ("mail", "a@b.se"),
            ("departmentNumber", "IC"),
        ]);
        assert!(person("SE2321000131-ab", &good, true).is_empty());
        let bad = attrs(&[
            ("ou", "IVA"),
            ("mail", "anna"),
            ("telephoneNumber", "call me"),
            ("hsaStartDate", "20261201000000Z"),
            ("hsaEndDate", "20261101000000Z"),
        ]);
        let found = person("SE2321000131-å", &bad, false);
        assert_eq!(found.len(), 5, "{found:?}");
    }

    #[test]
    fn commissions_need_rights_of_three_parts() {
        let rights = vec!["Läsa;alla;SJF".to_owned(), "Skriva;alla".to_owned()];
        let found = commission(
            "SE2321000131-M1",
            "Läkare IVA",
            "Vård och behandling",
            &rights,
        );
        assert_eq!(
            found,
            ["right `Skriva;alla` is not activity;informationType;scope"]
        );
    }
}
