//! A GetConnector query: the fields to sort by, the filters, and the page.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Map, Value, json};

type Row = Map<String, Value>;

/// The envelope for `rows` as `query` asks, or the `externalMessage` Profit refuses it with.
pub(super) fn answer(all: &[Row], query: &str) -> Result<Value, String> {
    let mut rows: Vec<&Row> = all.iter().collect();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|e| format!("Bad request: {e}"))?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let known = |field: &str, rows: &[&Row]| rows.first().is_none_or(|r| r.contains_key(field));
    if let Some(fields) = get("filterfieldids") {
        let filters = Filters::parse(fields, get("filtervalues"), get("operatortypes"))?;
        if let Some(bad) = filters.fields().find(|f| !known(f, &rows)) {
            return Err(format!("Connector field '{bad}' not found"));
        }
        rows.retain(|r| filters.keep(r));
    }
    if let Some(order) = get("orderbyfieldids") {
        let keys: Vec<(&str, bool)> = order
            .split(',')
            .map(|f| f.strip_prefix('-').map_or((f, false), |f| (f, true)))
            .collect();
        if let Some((bad, _)) = keys.iter().find(|(f, _)| !known(f, &rows)) {
            return Err(format!("Connector field '{bad}' not found"));
        }
        rows.sort_by(|a, b| {
            keys.iter()
                .map(|(f, desc)| {
                    let o = compare(super::field(a, f), super::field(b, f));
                    if *desc { o.reverse() } else { o }
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    let number = |name: &str, default: i64| match get(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| format!("Invalid value for '{name}'")),
    };
    let (skip, take) = (number("skip", 0)?, number("take", 100)?);
    let rows: Vec<&Row> = match (skip, take) {
        (-1, -1) => rows,
        (s, t) if s < 0 || t < 0 => return Err("An unexpected error has occurred.".to_owned()),
        (s, t) => rows
            .into_iter()
            .skip(usize::try_from(s).unwrap_or(usize::MAX))
            .take(usize::try_from(t).unwrap_or(usize::MAX))
            .collect(),
    };
    Ok(json!({ "skip": skip, "take": take, "rows": rows }))
}

/// Nulls first, then numbers, then text.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        }
        _ => text(a).cmp(&text(b)),
    }
}

fn text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed(""),
        other => Cow::Owned(other.to_string()),
    }
}

/// `;`-separated groups (or) of `,`-separated conditions (and), from the three parallel lists.
struct Filters {
    groups: Vec<Vec<(String, String, u8)>>,
}

impl Filters {
    fn parse(fields: &str, values: Option<&str>, operators: Option<&str>) -> Result<Self, String> {
        let split = |s: &str| -> Vec<Vec<String>> {
            s.split(';')
                .map(|g| g.split(',').map(str::to_owned).collect())
                .collect()
        };
        let (fields, values, operators) = (
            split(fields),
            split(values.unwrap_or_default()),
            split(operators.unwrap_or_default()),
        );
        let mut groups = Vec::new();
        for (g, names) in fields.into_iter().enumerate() {
            let mut group = Vec::new();
            for (i, name) in names.into_iter().enumerate() {
                let value = values
                    .get(g)
                    .and_then(|v| v.get(i))
                    .cloned()
                    .unwrap_or_default();
                let op = operators
                    .get(g)
                    .and_then(|o| o.get(i))
                    .map_or(Ok(1), |o| o.parse::<u8>())
                    .map_err(|_| "Invalid operator type".to_owned())?;
                if !(1..=15).contains(&op) {
                    return Err("Invalid operator type".to_owned());
                }
                group.push((name, value, op));
            }
            groups.push(group);
        }
        Ok(Self { groups })
    }

    fn fields(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().flatten().map(|(f, _, _)| f.as_str())
    }

    fn keep(&self, row: &Row) -> bool {
        self.groups.iter().any(|g| {
            g.iter()
                .all(|(f, v, op)| holds(super::field(row, f), v, *op))
        })
    }
}

/// Profit's operator codes: 1 =, 2 >=, 3 <=, 4 >, 5 <, 6 contains, 7 !=, 8 empty,
/// 9 not empty, 10 starts with, 11 not contains, 12 not starts with, 13 ends with,
/// 14 not ends with, 15 quick filter (taken as contains).
fn holds(value: &Value, wanted: &str, op: u8) -> bool {
    let have = text(value);
    let ordering = || match (value.as_f64(), wanted.parse::<f64>()) {
        (Some(x), Ok(y)) => x.total_cmp(&y),
        _ => have.as_ref().cmp(wanted),
    };
    let (h, w) = (have.to_lowercase(), wanted.to_lowercase());
    match op {
        1 => ordering().is_eq(),
        2 => ordering().is_ge(),
        3 => ordering().is_le(),
        4 => ordering().is_gt(),
        5 => ordering().is_lt(),
        6 | 15 => h.contains(&w),
        7 => !ordering().is_eq(),
        8 => have.is_empty(),
        9 => !have.is_empty(),
        10 => h.starts_with(&w),
        11 => !h.contains(&w),
        12 => !h.starts_with(&w),
        13 => h.ends_with(&w),
        _ => !h.ends_with(&w),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        [("1003", "OK", 24), ("1001", "IC", 36), ("1002", "IC", 32)]
            .iter()
            .map(|(n, unit, hours)| {
                let v = json!({"Medewerker": n, "Unit": unit, "Hours": hours, "End": null});
                v.as_object().unwrap().clone()
            })
            .collect()
    }

    fn numbers(v: &Value) -> Vec<&str> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Medewerker"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn pages_follow_the_order_asked_for() {
        let page = answer(&rows(), "skip=1&take=1&orderbyfieldids=Medewerker").unwrap();
        assert_eq!(numbers(&page), ["1002"]);
        assert_eq!(
            (page["skip"].as_i64(), page["take"].as_i64()),
            (Some(1), Some(1))
        );
        let all = answer(&rows(), "skip=-1&take=-1&orderbyfieldids=Unit,-Hours").unwrap();
        assert_eq!(numbers(&all), ["1001", "1002", "1003"]);
        let default = answer(&rows(), "").unwrap();
        assert_eq!(
            (default["skip"].as_i64(), default["take"].as_i64()),
            (Some(0), Some(100))
        );
    }

    #[test]
    fn filters_and_or_with_profits_operator_codes() {
        let and = "filterfieldids=Unit,Hours&filtervalues=IC,33&operatortypes=1,2";
        assert_eq!(numbers(&answer(&rows(), and).unwrap()), ["1001"]);
        let or = "filterfieldids=Unit;Hours&filtervalues=OK;32&operatortypes=1;1&orderbyfieldids=Medewerker";
        assert_eq!(numbers(&answer(&rows(), or).unwrap()), ["1002", "1003"]);
        let empty = "filterfieldids=End&filtervalues=&operatortypes=8";
        assert_eq!(
            answer(&rows(), empty).unwrap()["rows"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn refusals_carry_profits_messages() {
        assert_eq!(
            answer(&rows(), "skip=2&take=-1").unwrap_err(),
            "An unexpected error has occurred."
        );
        assert_eq!(
            answer(&rows(), "orderbyfieldids=Nope").unwrap_err(),
            "Connector field 'Nope' not found"
        );
        assert!(
            answer(
                &rows(),
                "filterfieldids=Unit&filtervalues=IC&operatortypes=99"
            )
            .is_err()
        );
    }
}
