//! The README's `tessera.toml` reference, checked against the code: the block parses as a
//! configuration (the engine's tables included), and every key the code accepts in each of its
//! tables is documented there. The accepted keys come from the code itself: a probe key put
//! into a table is refused with the list of the fields that table has.

use std::collections::BTreeSet;
use std::path::Path;

use crate::Settings;

const README: &str = include_str!("../../../../README.md");
const PROBE: &str = "zz_probe";

/// The first TOML block under the configuration heading.
fn reference() -> &'static str {
    let section = README
        .split_once("### Configuration: `tessera.toml`")
        .map(|(_, rest)| rest)
        .expect("the README has the configuration section");
    let block = section
        .split_once("```toml\n")
        .map(|(_, rest)| rest)
        .expect("the section has a TOML block");
    block.split_once("```").map(|(b, _)| b).expect("closed")
}

/// Parses a configuration text the way the commands do; the error text on failure.
fn check(text: &str) -> Result<(), String> {
    Settings::parse(text, Path::new("tessera.toml"))
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Paths of the tables to probe: every table and inline table, array-of-table elements by
/// index, but not the maps whose keys are the operator's (`ldap`, `systems`, plugin config,
/// thresholds by kind).
fn tables(value: &toml::Table, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    let free = matches!(
        path.last().map(String::as_str),
        Some("ldap" | "systems" | "config")
    );
    if !free {
        out.push(path.clone());
    }
    for (key, v) in value {
        let mut child = path.clone();
        child.push(key.clone());
        match v {
            toml::Value::Table(t) => tables(t, child, out),
            toml::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let toml::Value::Table(t) = item {
                        let mut element = child.clone();
                        element.push(i.to_string());
                        tables(t, element, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn table_at<'a>(root: &'a mut toml::Table, path: &[String]) -> &'a mut toml::Table {
    let mut table = root;
    let mut parts = path.iter();
    while let Some(part) = parts.next() {
        table = match table.get_mut(part).expect("path from the walk") {
            toml::Value::Table(t) => t,
            toml::Value::Array(items) => {
                let index: usize = parts.next().and_then(|i| i.parse().ok()).expect("index");
                items[index]
                    .as_table_mut()
                    .expect("array elements walked are tables")
            }
            _ => unreachable!("path parts name tables"),
        };
    }
    table
}

/// The backticked names after "expected" in serde's unknown-field message.
fn expected(message: &str) -> BTreeSet<String> {
    let start = message
        .find(&format!("`{PROBE}`"))
        .and_then(|i| message[i..].find("expected").map(|j| i + j))
        .unwrap_or_else(|| panic!("no field list for the probe in: {message}"));
    let line = message[start..].lines().next().unwrap_or_default();
    line.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_readme_reference_parses() {
    check(reference()).unwrap_or_else(|e| panic!("the README's tessera.toml: {e}"));
}

#[test]
fn every_key_the_code_accepts_is_in_the_readme_reference() {
    let text = &format!("\n{}", reference());
    let root: toml::Table = toml::from_str(text).expect("the block is TOML");
    let mut paths = Vec::new();
    tables(&root, Vec::new(), &mut paths);
    let mut missing = Vec::new();
    for path in &paths {
        let mut probed = root.clone();
        table_at(&mut probed, path).insert(PROBE.to_owned(), toml::Value::Integer(1));
        let message = check(&toml::to_string(&probed).expect("a table serialises"))
            .expect_err(&format!("a probe key in `{}` was accepted", path.join(".")));
        for field in expected(&message) {
            // Documented as a key, a table header, or an alternative in a comment
            // (`# or: basic = …`).
            let documented = [
                format!("\n{field} ="),
                format!(" {field} ="),
                format!("{{ {field} ="),
                format!(".{field}]"),
                format!("[{field}]"),
                format!("[{field}."),
            ]
            .iter()
            .any(|pattern| text.contains(pattern.as_str()));
            if !documented {
                missing.push(format!("{}.{field}", path.join(".")));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in the README reference: {missing:?}"
    );
    assert!(paths.len() > 10, "too few tables probed: {paths:?}");
}
