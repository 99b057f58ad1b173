//! The system's configuration, checked once per run.

use tessera_sdk::{ConnectorError, config};

/// A `label=CODE` table; labels compare case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Table {
    entries: Vec<(String, String)>,
}

impl Table {
    /// Reads a list of `label=CODE` entries, naming the key of a bad one.
    pub fn parse(key: &str, items: &[String]) -> Result<Self, ConnectorError> {
        let mut entries = Vec::with_capacity(items.len());
        for item in items {
            let (label, code) = item.split_once('=').ok_or_else(|| {
                ConnectorError::invalid(key, format!("`{item}` is not `label=CODE`"))
            })?;
            let label = label.trim();
            if label.is_empty() {
                return Err(ConnectorError::invalid(
                    key,
                    format!("`{item}` has no label"),
                ));
            }
            entries.push((label.to_owned(), code.trim().to_owned()));
        }
        Ok(Self { entries })
    }

    /// The code for a label; a label without an entry is passed on as it is, as HiX
    /// couplings do when no mapping is used.
    pub fn code<'a>(&'a self, label: &'a str) -> &'a str {
        self.entries
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(label))
            .map_or(label, |(_, c)| c.as_str())
    }

    /// The label for a code when exactly one label maps to it; the code itself when none
    /// does; `None` when several do and the code alone cannot tell which one the source sent.
    pub fn label<'a>(&'a self, code: &'a str) -> Option<&'a str> {
        let mut labels = self.entries.iter().filter(|(_, c)| c == code);
        match (labels.next(), labels.next()) {
            (Some((l, _)), None) => Some(l),
            (None, _) => Some(code),
            _ => None,
        }
    }
}

/// What the operator configured.
pub struct Settings {
    pub base_url: String,
    pub namespace: String,
    pub functions: Table,
    pub employee_types: Table,
    pub allow_sso_rename: bool,
}

impl Settings {
    pub fn load() -> Result<Self, ConnectorError> {
        Ok(Self {
            base_url: config::string("base_url")?.trim_end_matches('/').to_owned(),
            namespace: config::string("namespace")?,
            functions: Table::parse("functions", &config::list("functions")?)?,
            employee_types: Table::parse("employee_types", &config::list("employee_types")?)?,
            allow_sso_rename: config::boolean("allow_sso_rename")?,
        })
    }
}
