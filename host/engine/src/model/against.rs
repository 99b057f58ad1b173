//! The role model against a target's own word: the entitlement kinds it declares and the
//! catalogue it lists. A grant of a kind the target does not have, or of a key it does not
//! list (an AD group's name where its objectGUID belongs), would fail at every apply; `tessera
//! check` finds it first and names the rule's file and line.

use std::collections::{HashMap, HashSet};

use tessera_domain::Entitlement;

use super::RoleModel;

/// What is wrong with the rules' grants in `system`, one line each. A kind with no entry in
/// `catalogue` is not checked by key: the target does not list that kind.
pub fn grant_problems(
    model: &RoleModel,
    system: &str,
    kinds: &[String],
    catalogue: &[Entitlement],
) -> Vec<String> {
    // Keys compare without case: directories and UUIDs answer in either.
    let listed: HashSet<(&str, String)> = catalogue
        .iter()
        .map(|e| (e.kind.as_str(), e.key.to_lowercase()))
        .collect();
    let listed_kinds: HashSet<&str> = catalogue.iter().map(|e| e.kind.as_str()).collect();
    let by_name: HashMap<(&str, String), &str> = catalogue
        .iter()
        .map(|e| {
            (
                (e.kind.as_str(), e.display_name.to_lowercase()),
                e.key.as_str(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for rule in &model.rules {
        for (_, e) in rule.entitlements.iter().filter(|(s, _)| s == system) {
            let what = format!(
                "{}: rule `{}` grants {}/{}",
                rule.grants_at, rule.name, e.kind, e.key
            );
            if !kinds.is_empty() && !kinds.contains(&e.kind) {
                out.push(format!(
                    "{what}, but `{system}` has only the kinds {}",
                    kinds.join(", ")
                ));
                continue;
            }
            let kind = e.kind.as_str();
            if !listed_kinds.contains(kind) || listed.contains(&(kind, e.key.to_lowercase())) {
                continue;
            }
            let hint = match by_name.get(&(kind, e.key.to_lowercase())) {
                Some(key) => format!("; that is the name of {kind} {key}, and grants name the key"),
                None => String::new(),
            };
            out.push(format!(
                "{what}, which is not in `{system}`'s catalogue{hint}"
            ));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ROLES: &str = r#"
[system.ad]
[system.ad.account]
username = ["{given}"]

[[rule]]
name = "IC"
grants = [{ system = "ad", kind = "group", key = "6F1C0B2E-0000-4000-8000-000000000001" }]

[[rule]]
name = "By name"
grants = [
  { system = "ad", kind = "group", key = "GG-OK" },
]

[[rule]]
name = "Wrong kind"
grants = [{ system = "ad", kind = "role", key = "x" }]
"#;

    fn group(key: &str, name: &str) -> Entitlement {
        Entitlement {
            kind: "group".into(),
            key: key.into(),
            display_name: name.into(),
            attributes: Vec::new(),
        }
    }

    #[test]
    fn unknown_kinds_and_keys_are_named_with_file_and_line() {
        let model = RoleModel::parse("roles.toml", ROLES).unwrap();
        let catalogue = [
            group("6f1c0b2e-0000-4000-8000-000000000001", "GG-IC"),
            group("6f1c0b2e-0000-4000-8000-000000000002", "GG-OK"),
        ];
        let problems = grant_problems(&model, "ad", &["group".into()], &catalogue);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0].starts_with("roles.toml:12: rule `By name` grants group/GG-OK, which is not in `ad`'s catalogue; that is the name of group 6f1c0b2e-0000-4000-8000-000000000002"),
            "{}",
            problems[0]
        );
        assert_eq!(
            problems[1],
            "roles.toml:18: rule `Wrong kind` grants role/x, but `ad` has only the kinds group"
        );
        // A target that lists nothing of a kind cannot be checked by key.
        assert!(grant_problems(&model, "ad", &["group".into(), "role".into()], &[]).is_empty());
    }
}
