use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value as Json;

use crate::{ConfigField, FieldType, Origin};

/// A configuration value after checking it against the plugin's schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ConfigValue {
    /// `string` and `url` fields.
    Text(String),
    /// `integer` fields.
    Integer(i64),
    /// `float` fields.
    Float(f64),
    /// `boolean` fields.
    Boolean(bool),
    /// `list` fields.
    List(Vec<String>),
    /// A secret field: the vault name, never the value.
    SecretRef {
        /// The vault secret's name.
        secret: String,
    },
}

/// A system's configuration, every field checked and defaults filled in.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ResolvedConfig(pub BTreeMap<String, ConfigValue>);

impl ResolvedConfig {
    /// A field's value.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        self.0.get(key)
    }

    /// Vault names the operator put into secret fields; these are granted implicitly.
    pub fn secret_names(&self) -> impl Iterator<Item = &str> {
        self.0.values().filter_map(|v| match v {
            ConfigValue::SecretRef { secret } => Some(secret.as_str()),
            _ => None,
        })
    }
}

/// One thing wrong with a system's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The key under the system's `config` table.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config.{}: {}", self.key, self.message)
    }
}

/// Checks the operator's `config` table against the schema; lists every problem at once.
pub fn validate_config(
    schema: &[ConfigField],
    table: &toml::Table,
) -> Result<ResolvedConfig, Vec<ConfigProblem>> {
    let mut problems = Vec::new();
    let mut resolved = BTreeMap::new();
    for key in table.keys() {
        if !schema.iter().any(|f| &f.name == key) {
            let known: Vec<&str> = schema.iter().map(|f| f.name.as_str()).collect();
            problems.push(problem(
                key,
                format!("unknown key; the plugin accepts [{}]", known.join(", ")),
            ));
        }
    }
    for field in schema {
        match resolve_field(field, table.get(&field.name)) {
            Ok(Some(value)) => {
                resolved.insert(field.name.clone(), value);
            }
            Ok(None) => {}
            Err(message) => problems.push(problem(&field.name, message)),
        }
    }
    if problems.is_empty() {
        Ok(ResolvedConfig(resolved))
    } else {
        Err(problems)
    }
}

fn problem(key: &str, message: String) -> ConfigProblem {
    ConfigProblem {
        key: key.to_owned(),
        message,
    }
}

fn resolve_field(
    field: &ConfigField,
    given: Option<&toml::Value>,
) -> Result<Option<ConfigValue>, String> {
    let Some(given) = given else {
        return match &field.default {
            Some(default) => check_type(field, default).map(Some),
            None if field.required => Err(format!("required {} is missing", describe(field))),
            None => Ok(None),
        };
    };
    if field.secret {
        return secret_ref(given).map(Some);
    }
    let json = serde_json::to_value(given).map_err(|e| e.to_string())?;
    check_type(field, &json).map(Some)
}

fn secret_ref(given: &toml::Value) -> Result<ConfigValue, String> {
    let name = given
        .as_table()
        .filter(|t| t.len() == 1)
        .and_then(|t| t.get("secret"))
        .and_then(toml::Value::as_str);
    match name {
        Some(name) if !name.is_empty() => Ok(ConfigValue::SecretRef { secret: name.to_owned() }),
        _ => Err("is a secret: store it with `tessera secret set NAME` and write `{ secret = \"NAME\" }` here, never the value".into()),
    }
}

fn describe(field: &ConfigField) -> String {
    let ty = serde_json::to_value(field.ty)
        .map(|v| v.as_str().unwrap_or("").to_owned())
        .unwrap_or_default();
    if field.description.is_empty() {
        ty
    } else {
        format!("{ty} ({})", field.description)
    }
}

/// Checks one value against a field's type.
pub(crate) fn check_type(field: &ConfigField, value: &Json) -> Result<ConfigValue, String> {
    let wrong = || format!("expected {}, found {value}", describe(field));
    match field.ty {
        FieldType::String => value
            .as_str()
            .map(|s| ConfigValue::Text(s.to_owned()))
            .ok_or_else(wrong),
        FieldType::Integer => value.as_i64().map(ConfigValue::Integer).ok_or_else(wrong),
        FieldType::Float => value.as_f64().map(ConfigValue::Float).ok_or_else(wrong),
        FieldType::Boolean => value.as_bool().map(ConfigValue::Boolean).ok_or_else(wrong),
        FieldType::Url => {
            let text = value.as_str().ok_or_else(wrong)?;
            check_url(text)?;
            Ok(ConfigValue::Text(text.to_owned()))
        }
        FieldType::List => value
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            })
            .map(ConfigValue::List)
            .ok_or_else(wrong),
    }
}

fn check_url(text: &str) -> Result<(), String> {
    let origin_end = text
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| text[start..].find('/').map(|p| start + p))
        .unwrap_or(text.len());
    text[..origin_end]
        .parse::<Origin>()
        .map(|_| ())
        .map_err(|e| format!("not an absolute http(s) URL: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, ty: FieldType, required: bool, secret: bool) -> ConfigField {
        ConfigField {
            name: name.into(),
            ty,
            required,
            secret,
            default: None,
            description: String::new(),
        }
    }

    fn schema() -> Vec<ConfigField> {
        let mut days = field("future_days", FieldType::Integer, false, false);
        days.default = Some(serde_json::json!(14));
        vec![
            field("base_url", FieldType::Url, true, false),
            days,
            field("api_key", FieldType::String, true, true),
        ]
    }

    #[test]
    fn fills_defaults_and_keeps_secret_names_only() {
        let table: toml::Table = toml::from_str(
            "base_url = \"https://x.example.org/rest-api/v1\"\napi_key = { secret = \"elanza\" }",
        )
        .expect("toml");
        let cfg = validate_config(&schema(), &table).expect("valid");
        assert_eq!(cfg.get("future_days"), Some(&ConfigValue::Integer(14)));
        assert_eq!(cfg.secret_names().collect::<Vec<_>>(), ["elanza"]);
    }

    #[test]
    fn lists_every_problem_with_its_key() {
        let table: toml::Table = toml::from_str(
            "base_url = \"ftp://x\"\nfuture_days = \"soon\"\napi_key = \"plain-text\"\ncolour = 1",
        )
        .expect("toml");
        let problems = validate_config(&schema(), &table).expect_err("invalid");
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["colour", "base_url", "future_days", "api_key"]);
        assert!(problems[3].message.contains("tessera secret set"));
        assert!(
            !problems
                .iter()
                .any(|p| p.to_string().contains("plain-text")),
            "secret echoed"
        );
    }

    #[test]
    fn reports_missing_required_keys() {
        let problems = validate_config(&schema(), &toml::Table::new()).expect_err("invalid");
        assert_eq!(problems.len(), 2);
        assert!(problems[0].message.contains("required url is missing"));
    }
}
