//! The `--case` file of `plugin test`: what the target and change-feed scenarios create,
//! change, grant and look for. A target's required attributes and the ones it can change are
//! its own, so no generic default can pass; the author writes them down once.
//!
//! ```toml
//! username = "cbakker"              # must be free; default tessera-contract-<unix time>
//! missing = "7d0e5c00-0000-4000-8000-00000000dead"  # a key of the target's form no account has
//!
//! [attributes]                      # the account to create: name = "value" or ["values"]
//! surName = "Bakker"
//! branch = "Hoofdlocatie"
//!
//! [change]                          # at least one; afterwards the account holds exactly these
//! department = "Spoedeisende hulp"
//!
//! [entitlement]                     # optional: granted and revoked
//! kind = "group"
//! key = "VPK"
//!
//! [feed]                            # optional: the change-feed scenario's own account
//! username = "cbakker2"             # default: the username with -feed before any @
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;
use tessera_contract::{MISSING, TargetCase};
use tessera_domain::{AccountSpec, Attribute, AttributeChange, EntitlementRef};

use crate::commands::exit::ConfigError;

/// The two scenarios' cases: the same but for the account's user name, since a target that
/// cannot delete still holds the first account when the feed scenario creates its own.
#[derive(Debug)]
pub struct Cases {
    pub target: TargetCase,
    pub feed: TargetCase,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    username: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, Values>,
    change: BTreeMap<String, Values>,
    entitlement: Option<Entitlement>,
    missing: Option<String>,
    #[serde(default)]
    feed: Feed,
}

/// One value, or several for a multi-valued attribute.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Values {
    One(String),
    Many(Vec<String>),
}

impl Values {
    fn list(self) -> Vec<String> {
        match self {
            Self::One(value) => vec![value],
            Self::Many(values) => values,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entitlement {
    kind: String,
    key: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Feed {
    username: Option<String>,
}

/// Reads the case at `path`; a target (`plugin`) cannot be tested without one.
pub fn load(path: Option<&Path>, plugin: &str) -> Result<Cases> {
    let Some(path) = path else {
        let why = format!(
            "{plugin} is a target: say which account to create and what to change in it \
             with --case FILE.toml (its format is under `tessera plugin test --help`)"
        );
        return Err(ConfigError(why).into());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the case {}", path.display()))?;
    let file: CaseFile = toml::from_str(&text)
        .map_err(|e| ConfigError(format!("the case {}: {e}", path.display())))?;
    if file.change.is_empty() {
        let why = format!("the case {}: [change] names no attribute", path.display());
        return Err(ConfigError(why).into());
    }
    Ok(cases(file))
}

fn cases(file: CaseFile) -> Cases {
    let username = file.username.clone().unwrap_or_else(generated);
    let feed_username = file.feed.username.clone();
    let target = case(file, &username);
    let feed = TargetCase {
        spec: AccountSpec {
            username: feed_username.unwrap_or_else(|| for_feed(&username)),
            ..target.spec.clone()
        },
        ..target.clone()
    };
    Cases { target, feed }
}

fn case(file: CaseFile, username: &str) -> TargetCase {
    let attributes = file.attributes.into_iter().flat_map(|(name, values)| {
        let values = values.list().into_iter();
        values.map(move |value| Attribute {
            name: name.clone(),
            value,
        })
    });
    let change = file
        .change
        .into_iter()
        .map(|(name, values)| AttributeChange {
            name,
            values: values.list(),
        });
    TargetCase {
        spec: AccountSpec {
            username: username.to_owned(),
            enabled: true,
            attributes: attributes.collect(),
        },
        change: change.collect(),
        entitlement: file.entitlement.map(|e| EntitlementRef {
            kind: e.kind,
            key: e.key,
        }),
        missing: file.missing.unwrap_or_else(|| MISSING.to_owned()),
    }
}

/// A user name no earlier run took: `tessera-contract-<unix time>`.
fn generated() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    format!(
        "tessera-contract-{}",
        now.map(|d| d.as_secs()).unwrap_or_default()
    )
}

/// `name-feed`, or `local-feed@domain` for a user name with a domain.
fn for_feed(username: &str) -> String {
    match username.split_once('@') {
        Some((local, domain)) => format!("{local}-feed@{domain}"),
        None => format!("{username}-feed"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_case_file_becomes_the_target_and_feed_cases() {
        let text = "username = \"c@x.nl\"\n[attributes]\nsn = \"B\"\nmail = [\"a\", \"b\"]\n\
                    [change]\ndepartment = \"SEH\"\n[entitlement]\nkind = \"group\"\nkey = \"VPK\"\n";
        let cases = cases(toml::from_str(text).unwrap());
        assert_eq!(cases.target.spec.username, "c@x.nl");
        assert_eq!(cases.feed.spec.username, "c-feed@x.nl");
        assert_eq!(cases.target.spec.attributes.len(), 3);
        assert_eq!(cases.target.change[0].values, ["SEH"]);
        assert_eq!(cases.target.missing, MISSING);
        assert_eq!(cases.feed.entitlement, cases.target.entitlement);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = "usernme = \"x\"\n[change]\na = \"b\"\n";
        assert!(toml::from_str::<CaseFile>(text).is_err());
    }
}
