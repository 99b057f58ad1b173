//! The system's configuration, checked beyond what the schema can say.

use tessera_sdk::{ConnectorError, config};

/// Graph's largest `$top`.
const MAX_PAGE: i64 = 999;

pub struct Settings {
    /// `<graph_url>/v1.0`.
    pub base: String,
    pub domain: String,
    pub usage_location: String,
    pub group_filter: Option<String>,
    pub page_size: usize,
}

impl Settings {
    pub fn from_config() -> Result<Self, ConnectorError> {
        let graph_url = config::http_url("graph_url")?;
        if graph_url.contains("/v1.0") || graph_url.contains("/beta") {
            return Err(ConnectorError::invalid(
                "graph_url",
                format!(
                    "`{graph_url}` names a version; give the address without it, e.g. https://graph.microsoft.com"
                ),
            ));
        }
        let domain = config::string("domain")?;
        if domain.contains('@') || !domain.contains('.') {
            return Err(ConnectorError::invalid(
                "domain",
                format!("`{domain}` is not a domain name like zkh.nl"),
            ));
        }
        let usage_location = config::string("usage_location")?;
        if usage_location.len() != 2 || !usage_location.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(ConnectorError::invalid(
                "usage_location",
                format!("`{usage_location}` is not a two-letter country code like NL"),
            ));
        }
        Ok(Self {
            base: format!("{graph_url}/v1.0"),
            domain,
            usage_location,
            group_filter: config::optional_string("group_filter")?,
            page_size: page_size()?,
        })
    }
}

fn page_size() -> Result<usize, ConnectorError> {
    config::integer_in("page_size", 1..=MAX_PAGE, Some(MAX_PAGE))
}
