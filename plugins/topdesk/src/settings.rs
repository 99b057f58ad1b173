//! The system's configuration, checked beyond what the schema can say.

use tessera_sdk::{ConnectorError, config};

use crate::incidents::Incidents;

/// TOPdesk's largest `page_size` for persons.
const MAX_PAGE: i64 = 100;

pub struct Settings {
    /// `<base_url>/tas/api`.
    pub base: String,
    pub archiving_reason: String,
    pub create_lookups: bool,
    pub page_size: usize,
    pub incidents: Incidents,
}

impl Settings {
    pub fn from_config() -> Result<Self, ConnectorError> {
        let base_url = config::http_url("base_url")?;
        if base_url.contains("/tas/") {
            return Err(ConnectorError::invalid(
                "base_url",
                format!(
                    "`{base_url}` names a path; give TOPdesk's address without /tas/api, e.g. https://zkh.topdesk.net"
                ),
            ));
        }
        let archiving_reason = config::string("archiving_reason")?;
        if archiving_reason.trim().is_empty() {
            return Err(ConnectorError::invalid(
                "archiving_reason",
                "must name an archiving reason",
            ));
        }
        Ok(Self {
            base: format!("{base_url}/tas/api"),
            archiving_reason,
            create_lookups: config::boolean("create_lookups")?,
            page_size: config::integer_in("page_size", 1..=MAX_PAGE, Some(MAX_PAGE))?,
            incidents: incidents()?,
        })
    }
}

fn incidents() -> Result<Incidents, ConnectorError> {
    let status = config::string("incident_status")?;
    if !["firstLine", "secondLine", "partial"].contains(&status.as_str()) {
        return Err(ConnectorError::invalid(
            "incident_status",
            format!("`{status}` is not one of firstLine, secondLine, partial"),
        ));
    }
    let caller = config::string("incident_caller")?;
    if caller.trim().is_empty() {
        return Err(ConnectorError::invalid(
            "incident_caller",
            "must name the caller of incidents for persons TOPdesk does not know",
        ));
    }
    Ok(Incidents { caller, status })
}
