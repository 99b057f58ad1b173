//! {{name}}: a Tessera source plugin. It reads the HR system's employees page by page from
//! `<base_url>/employees?page=N` and hands them to the engine as persons, each with one
//! employment contract. Mapping lives in `map.rs`, tested against `mock.json`, a page as the
//! HR system answers it.

mod map;

use serde_json::Value;
use tessera_sdk::host::http::Method;
use tessera_sdk::rest::{self, Kind};
use tessera_sdk::types::{SourceInfo, SourcePage};
use tessera_sdk::{ConnectorError, Source, config};

struct Plugin {
    base_url: String,
}

impl Plugin {
    /// Page `n` of the employees, as JSON.
    fn page(&self, n: u64) -> Result<Value, ConnectorError> {
        let url = format!("{}/employees?page={n}", self.base_url);
        let response = rest::call(Method::Get, &url, None, Kind::Read, |what, r, kind| {
            rest::status_error(format!("{what} answered {}", r.status), r, kind)
        })?;
        rest::json(Method::Get, &url, &response, Kind::Read)
    }
}

impl Source for Plugin {
    fn new() -> Result<Self, ConnectorError> {
        Ok(Self {
            base_url: config::http_url("base_url")?,
        })
    }

    fn describe() -> SourceInfo {
        SourceInfo {
            fields: ["name", "email", "contracts"].map(String::from).to_vec(),
            feed: None,
        }
    }

    fn test_connection(&mut self) -> Result<String, ConnectorError> {
        self.page(1)?;
        Ok("the HR system answered".into())
    }

    /// The cursor is the number of the next page; the HR system says whether there is one.
    fn read(&mut self, cursor: Option<String>) -> Result<SourcePage, ConnectorError> {
        let n = match cursor {
            None => 1,
            Some(c) => c.parse().map_err(|_| {
                ConnectorError::invalid("cursor", format!("`{c}` is not a page number"))
            })?,
        };
        let answer = self.page(n)?;
        let (persons, warnings) = map::page(&answer);
        let next_cursor = answer
            .get("next")
            .and_then(Value::as_u64)
            .map(|n| n.to_string());
        Ok(SourcePage {
            persons,
            warnings,
            next_cursor,
        })
    }
}

tessera_sdk::export_source!(Plugin);

/// The plugin as a host runs it, against the SDK's mock host: `mock.json` is what the HR
/// system answers for page 1. `cargo test` runs these natively, no host and no network.
#[cfg(test)]
mod tests {
    use tessera_sdk::host::http::Method;
    use tessera_sdk::mock::{MockHost, Reply};
    use tessera_sdk::{ConnectorError, Source};

    use super::Plugin;

    const BASE: &str = "https://hr.example.org/api";

    fn host() -> MockHost {
        tessera_sdk::mock_host!().config("base_url", BASE)
    }

    fn page(n: u32) -> String {
        format!("{BASE}/employees?page={n}")
    }

    #[test]
    fn every_page_is_read_until_the_system_names_no_next() {
        let last_page = r#"{ "employees": [], "next": null }"#;
        let host = host()
            .answer(Method::Get, &page(1), Reply::json(200, include_str!("../mock.json")))
            .answer(Method::Get, &page(2), Reply::json(200, last_page))
            .install();
        let mut plugin = Plugin::new().expect("configured");
        let first = plugin.read(None).expect("page 1");
        assert_eq!((first.persons.len(), first.warnings.len()), (1, 1));
        let second = plugin.read(first.next_cursor).expect("page 2");
        assert!(second.persons.is_empty() && second.next_cursor.is_none());
        assert_eq!(host.requests().len(), 2);
    }

    #[test]
    fn a_busy_system_is_an_error_the_engine_retries() {
        let busy = Reply::status(503).header("Retry-After", "30");
        let _host = host().answer(Method::Get, &page(1), busy).install();
        let error = Plugin::new().and_then(|mut p| p.read(None));
        match error {
            Err(ConnectorError::Unavailable(info)) => {
                assert_eq!(info.retry_after_ms, Some(30_000))
            }
            other => panic!("expected unavailable, got {other:?}"),
        }
    }
}
