//! The system's configuration, checked beyond what the schema can say.

use tessera_sdk::{ConnectorError, config};

/// The largest page Profit is asked for; larger answers risk its "Out of memory" error.
const MAX_PAGE: i64 = 1000;

pub struct Settings {
    /// `…/profitrestservices`, without a trailing `/`.
    pub base_url: String,
    pub users: String,
    pub employments: String,
    pub page_size: usize,
    pub integration_id: Option<String>,
}

impl Settings {
    pub fn from_config() -> Result<Self, ConnectorError> {
        let base_url = config::http_url("base_url")?;
        if base_url.to_ascii_lowercase().contains("/connectors") {
            return Err(ConnectorError::invalid(
                "base_url",
                format!(
                    "`{base_url}` names a connector; give the REST address ending in /profitrestservices"
                ),
            ));
        }
        let page_size = page_size()?;
        Ok(Self {
            base_url,
            users: connector("users_connector", "T4E_HelloID_Users_v2")?,
            employments: connector("employments_connector", "T4E_HelloID_Employments_v2")?,
            page_size,
            integration_id: config::optional_string("integration_id")?,
        })
    }
}

fn connector(key: &str, default: &str) -> Result<String, ConnectorError> {
    let id = config::optional_string(key)?.unwrap_or_else(|| default.to_owned());
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
    if !valid {
        return Err(ConnectorError::invalid(
            key,
            format!("`{id}` is not a GetConnector id"),
        ));
    }
    Ok(id)
}

fn page_size() -> Result<usize, ConnectorError> {
    config::integer_in("page_size", 1..=MAX_PAGE, Some(MAX_PAGE))
}
