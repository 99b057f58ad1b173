use std::collections::BTreeSet;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::{Error, OriginPattern};

/// Which world a plugin implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Reads persons and contracts (`tessera:connector/source`).
    Source,
    /// Keeps accounts and entitlements (`tessera:connector/target`).
    Target,
}

impl Kind {
    /// The interface a plugin of this kind exports.
    pub fn export_interface(self) -> &'static str {
        match self {
            Self::Source => "tessera:connector/source-connector",
            Self::Target => "tessera:connector/target-connector",
        }
    }

    /// `source` or `target`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Target => "target",
        }
    }
}

/// The type of a configuration field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Any text.
    String,
    /// A whole number.
    Integer,
    /// A number with a fraction.
    Float,
    /// `true` or `false`.
    Boolean,
    /// An absolute http(s) URL.
    Url,
    /// A list of strings.
    List,
}

/// One field of the plugin's configuration schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigField {
    /// The key in the operator's `[systems.NAME.config]` table.
    pub name: String,
    /// Value type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Must the operator set it (when there is no default)?
    #[serde(default)]
    pub required: bool,
    /// The operator names a vault secret (`{ secret = "name" }`) instead of a value.
    #[serde(default)]
    pub secret: bool,
    /// Value used when the operator sets none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// What the field means, for `tessera plugin inspect` and `tessera init`.
    #[serde(default)]
    pub description: String,
}

/// What the plugin asks the operator to grant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// HTTP origins or `*.` patterns it wants to reach.
    #[serde(default)]
    pub http: Vec<OriginPattern>,
    /// Names of `url` config fields whose origin it wants to reach: for services every
    /// customer hosts elsewhere (`base_url`). The operator still grants the origin.
    #[serde(default)]
    pub http_config: Vec<String>,
    /// Names of LDAP connections it expects the operator to define.
    #[serde(default)]
    pub ldap: Vec<String>,
    /// Vault secrets it reads by fixed name.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Whether it uses the host's XML parser and builder.
    #[serde(default)]
    pub xml: bool,
    /// Whether it keeps key/value state (cursors, caches) in the vault.
    #[serde(default)]
    pub state: bool,
    /// Whether it reads files from the one directory the operator grants (WIT 0.2.1).
    #[serde(default)]
    pub files: bool,
}

/// Everything the host needs to know about a plugin before running it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format, [`crate::FORMAT`].
    pub format: u32,
    /// Plugin id: lower-case letters, digits and `-`.
    pub id: String,
    /// The plugin's own version.
    pub version: Version,
    /// Source or target.
    pub kind: Kind,
    /// The tessera WIT version it was built against.
    pub wit: Version,
    /// One line on what it connects to.
    pub description: String,
    /// Configuration schema.
    #[serde(default)]
    pub config: Vec<ConfigField>,
    /// Requested capabilities.
    #[serde(default)]
    pub capabilities: Capabilities,
}

impl Manifest {
    /// Parses the JSON the SDK wrote and checks it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let manifest: Self =
            serde_json::from_slice(bytes).map_err(|e| Error::BadManifest(e.to_string()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// The JSON written into the component.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a manifest always serialises")
    }

    /// `id@version`.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    /// Every secret the plugin may read: fixed names plus those the operator puts in secret fields.
    pub fn uses_vault(&self) -> bool {
        self.capabilities.state
            || !self.capabilities.secrets.is_empty()
            || self.config.iter().any(|f| f.secret)
    }

    /// Checks what serde cannot: names, versions, defaults. Lists every problem.
    pub fn validate(&self) -> Result<(), Error> {
        let mut problems = Vec::new();
        if self.format != crate::FORMAT {
            problems.push(format!(
                "manifest format {} (this host reads format {})",
                self.format,
                crate::FORMAT
            ));
        }
        if !valid_id(&self.id) {
            problems.push(format!(
                "id `{}` must be 1-64 lower-case letters, digits or `-`, starting with a letter",
                self.id
            ));
        }
        problems.extend(self.field_problems());
        for name in &self.capabilities.http_config {
            if !self
                .config
                .iter()
                .any(|f| &f.name == name && f.ty == FieldType::Url)
            {
                problems.push(format!(
                    "capabilities.http_config names `{name}`, which is not a config field of type url"
                ));
            }
        }
        for name in &self.capabilities.ldap {
            if !valid_id(name) {
                problems.push(format!("ldap connection name `{name}` is not a valid name"));
            }
        }
        if problems.is_empty() {
            self.check_wit()
        } else {
            Err(Error::InvalidManifest(problems.join("; ")))
        }
    }

    /// Refuses a plugin built for a WIT version this host does not speak.
    pub fn check_wit(&self) -> Result<(), Error> {
        match crate::supported_wit(&self.wit) {
            Some(_) => Ok(()),
            None => Err(Error::UnsupportedWit {
                found: self.wit.to_string(),
                supported: crate::wit::supported_list(),
            }),
        }
    }

    fn field_problems(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut problems = Vec::new();
        for field in &self.config {
            if !seen.insert(field.name.as_str()) {
                problems.push(format!("config field `{}` is declared twice", field.name));
            }
            if field.name.is_empty() || field.name.contains(['.', ' ']) {
                problems.push(format!(
                    "config field name `{}` is not a plain key",
                    field.name
                ));
            }
            if field.secret && field.default.is_some() {
                problems.push(format!(
                    "secret field `{}` cannot have a default",
                    field.name
                ));
            }
            if let Some(default) = &field.default
                && let Err(e) = crate::config::check_type(field, default)
            {
                problems.push(format!("default of `{}`: {e}", field.name));
            }
        }
        problems
    }
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A source plugin that requests nothing.
    pub(crate) fn sample() -> Manifest {
        Manifest {
            format: crate::FORMAT,
            id: "elanza".into(),
            version: Version::new(1, 2, 0),
            kind: Kind::Source,
            wit: Version::new(0, 1, 0),
            description: "Elanza".into(),
            config: vec![ConfigField {
                name: "future_days".into(),
                ty: FieldType::Integer,
                required: true,
                secret: false,
                default: Some(serde_json::json!(14)),
                description: String::new(),
            }],
            capabilities: Capabilities::default(),
        }
    }

    #[test]
    fn round_trips_through_json() {
        let m = sample();
        assert_eq!(
            Manifest::from_json(m.to_json().as_bytes()).expect("valid"),
            m
        );
    }

    #[test]
    fn lists_every_problem_at_once() {
        let mut m = sample();
        m.id = "Bad Id".into();
        m.config.push(m.config[0].clone());
        m.config[0].default = Some(serde_json::json!("fourteen"));
        let err = m.validate().expect_err("invalid").to_string();
        assert!(err.contains("id `Bad Id`"), "{err}");
        assert!(err.contains("declared twice"), "{err}");
        assert!(err.contains("default of `future_days`"), "{err}");
    }

    #[test]
    fn refuses_other_wit_versions() {
        for (wit, ok) in [
            ("0.1.0", true),
            ("0.2.0", true),
            ("0.3.0", false),
            ("1.0.0", false),
            ("0.1.9", false),
            ("0.2.1", true),
            ("0.2.2", true),
            ("0.2.3", true),
            ("0.2.4", false),
        ] {
            let mut m = sample();
            m.wit = Version::parse(wit).expect("version");
            assert_eq!(m.check_wit().is_ok(), ok, "{wit}");
        }
    }
}
