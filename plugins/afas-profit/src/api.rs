//! GetConnector calls through the host's http capability. The host adds the
//! `Authorization: AfasToken …` header from the vault; this code never sees the token.

use serde::Deserialize;
use serde_json::{Map, Value};
use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::{self, Header, Method, Request};

/// One row as Profit sends it: field id to value, empty fields as null.
pub type Row = Map<String, Value>;

/// More pages than any GetConnector has; it bounds the loop if Profit kept answering full pages.
const MAX_PAGES: usize = 10_000;

pub struct Api<'a> {
    pub base_url: &'a str,
    pub integration_id: Option<&'a str>,
}

#[derive(Deserialize)]
struct Envelope {
    rows: Vec<Row>,
}

impl Api<'_> {
    /// Every row of `connector`, handed to `each` a page of `take` at a time so no more than one
    /// page of rows is held; sorted by `order` so pages neither repeat nor skip rows (Profit
    /// does not keep an order between pages without one). A page shorter than `take` is the last.
    pub fn each_page(
        &self,
        connector: &str,
        order: &str,
        take: usize,
        mut each: impl FnMut(Vec<Row>),
    ) -> Result<(), ConnectorError> {
        for page in 0..MAX_PAGES {
            let path = format!(
                "connectors/{connector}?skip={}&take={take}&orderbyfieldids={order}",
                page * take
            );
            let got = self.rows(&path)?;
            let last = got.len() < take;
            each(got);
            if last {
                return Ok(());
            }
        }
        Err(ConnectorError::Other(format!(
            "{connector}: still full pages after {MAX_PAGES} calls; stopped"
        )))
    }

    /// The rows of one call.
    pub fn rows(&self, path: &str) -> Result<Vec<Row>, ConnectorError> {
        let mut headers = vec![Header {
            name: "accept".into(),
            value: "application/json".into(),
        }];
        headers.extend(self.integration_id.map(|id| Header {
            name: "IntegrationId".into(),
            value: id.to_owned(),
        }));
        let request = Request {
            method: Method::Get,
            url: format!("{}/{path}", self.base_url),
            headers,
            body: None,
            timeout_ms: None,
        };
        let response =
            http::send(&request).map_err(|e| ConnectorError::of_read(&format!("GET {path}"), e))?;
        if response.status != 200 {
            return Err(status_error(path, response.status, &response.body));
        }
        serde_json::from_slice::<Envelope>(&response.body)
            .map(|e| e.rows)
            .map_err(|e| {
                ConnectorError::invalid(
                    format!("response of {}", path.split('?').next().unwrap_or(path)),
                    format!("not the GetConnector envelope Profit sends: {e}"),
                )
            })
    }
}

fn status_error(path: &str, status: u16, body: &[u8]) -> ConnectorError {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Profit {
        external_message: Option<String>,
        // The 503 body spells this one in snake case.
        #[serde(rename = "retry_after")]
        retry_after: Option<u64>,
    }
    let said = serde_json::from_slice::<Profit>(body).ok();
    let message = said
        .as_ref()
        .and_then(|p| p.external_message.clone())
        .unwrap_or_default();
    let what = format!("GET {path} answered {status}: {message}");
    match status {
        401 => ConnectorError::Denied(format!(
            "{what} (check the AfasToken secret named in this system's http_auth)"
        )),
        403 => ConnectorError::Denied(format!(
            "{what} (the app connector may be restricted to other IP addresses)"
        )),
        404 => ConnectorError::NotFound(format!(
            "{what} (check base_url; Profit also answers 404 to a query longer than 2,049 characters)"
        )),
        503 => {
            let after = said
                .and_then(|p| p.retry_after)
                .map(|s| s.saturating_mul(1000));
            ConnectorError::unavailable(what, after)
        }
        // A connector or field that does not exist is the configuration, not a bad moment.
        500 if message.contains("not found") || message.contains("not supported") => {
            ConnectorError::invalid("users_connector / employments_connector", what)
        }
        408 | 429 | 500..=599 => ConnectorError::unavailable(what, None),
        _ => ConnectorError::Other(what),
    }
}
