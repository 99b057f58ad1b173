//! A mock host, so plugin logic runs natively under `cargo test`.
//!
//! Built for the machine the tests run on (not `wasm32`), `tessera_sdk::host` answers from a
//! [`MockHost`] the test installs on its thread instead of from a Tessera host. It keeps the
//! host's rules: it reads the plugin's own manifest, checks the configuration against its
//! schema with the host's code, grants what the manifest requests (less with
//! [`MockHost::revoke`] or [`MockHost::grant_http`]) and refuses everything else with the
//! same [`Denial`](crate::host::errors::Denial) a host gives, parses XML with the host's
//! parser and limits, and serves LDAP from an in-memory directory with the result codes of a
//! real server.
//!
//! ```text
//! use tessera_sdk::host::http::Method;
//! use tessera_sdk::mock::Reply;
//!
//! #[test]
//! fn reads_one_page() {
//!     let host = tessera_sdk::mock_host!()
//!         .config("base_url", "https://hr.acme.example")
//!         .answer(Method::Get, "https://hr.acme.example/persons?page=1",
//!                 Reply::json(200, include_str!("../mock.json")))
//!         .install();
//!     let page = AcmeHr::new().unwrap().read(None).unwrap();
//!     assert_eq!(page.persons.len(), 2);
//!     assert_eq!(host.requests().len(), 1);
//! }
//! ```
//!
//! What it leaves out: real network and TLS (answers are scripted), the host's `http_auth`
//! (add the headers the host would add to your scripted expectations), and size and rate
//! limits other than XML's.

mod grants;
mod http;
mod ldap;
#[doc(hidden)]
pub mod shim;
mod store;
mod xml;

use std::cell::RefCell;
use std::rc::Rc;

use tessera_manifest::{Manifest, OriginPattern};

pub use grants::Grant;
pub use http::Reply;
pub use ldap::MockDirectory;

use crate::host::errors::Denial;
use crate::host::http::{Method, Request};
use crate::host::log::Level;

/// A [`MockHost`] for the plugin crate this is written in, from the manifest its
/// `export_source!` or `export_target!` wrote.
// `crate` is meant: the manifest constant lives in the plugin crate that calls this.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! mock_host {
    () => {
        $crate::mock::MockHost::new(crate::__TESSERA_MANIFEST_JSON)
    };
}

/// The host a test runs plugin code in: configuration, secrets, scripted HTTP answers,
/// in-memory directories, files and state. [`MockHost::install`] puts it on the test's thread.
#[derive(Debug)]
pub struct MockHost {
    host: store::Host,
    config: toml::Table,
    narrowed_http: Option<Vec<OriginPattern>>,
}

impl MockHost {
    /// A host for the plugin whose manifest JSON is given; [`mock_host!`] passes the plugin's
    /// own. Everything the manifest requests is granted until [`MockHost::revoke`].
    pub fn new(manifest_json: &str) -> Self {
        let manifest = Manifest::from_json(manifest_json.as_bytes())
            .unwrap_or_else(|e| panic!("mock host: the plugin's manifest: {e}"));
        Self {
            host: store::Host::new(manifest),
            config: toml::Table::new(),
            narrowed_http: None,
        }
    }

    /// The system name denials name (`systems.NAME.grants.http`); the plugin id by default.
    pub fn system(mut self, name: &str) -> Self {
        self.host.grants.system = name.to_owned();
        self
    }

    /// A configuration value, as the operator writes it under `[systems.NAME.config]`.
    pub fn config(mut self, key: &str, value: impl Into<ConfigInput>) -> Self {
        self.config.insert(key.to_owned(), value.into().0);
        self
    }

    /// A secret configuration field: the operator's `{ secret = "NAME" }` and the vault's value.
    pub fn config_secret(self, key: &str, name: &str, value: &str) -> Self {
        let mut reference = toml::Table::new();
        reference.insert("secret".into(), toml::Value::String(name.to_owned()));
        self.config(key, ConfigInput(toml::Value::Table(reference)))
            .secret(name, value)
    }

    /// A secret in the vault. The plugin reads it only if it requested the name or the
    /// configuration names it, as in a host.
    pub fn secret(mut self, name: &str, value: &str) -> Self {
        self.host.secrets.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Answers `method url` (the full URL, query included; a URL ending in `*` matches every
    /// URL it begins) with `reply`. Several replies to one request are given in order, the
    /// last one again after that.
    pub fn answer(mut self, method: Method, url: &str, reply: Reply) -> Self {
        self.host.routes.add(method, url, reply);
        self
    }

    /// Grants fewer HTTP origins than the manifest requests, as an operator may.
    pub fn grant_http(mut self, origins: &[&str]) -> Self {
        self.narrowed_http = Some(origins.iter().map(|o| pattern(o)).collect());
        self
    }

    /// Allows plain `http://` to the origin (`grants.http_insecure`).
    pub fn http_insecure(mut self, origin: &str) -> Self {
        self.host.grants.http_insecure.push(pattern(origin));
        self
    }

    /// Allows a private or loopback address (`grants.http_private`).
    pub fn http_private(mut self, origin: &str) -> Self {
        self.host.grants.http_private.push(pattern(origin));
        self
    }

    /// The directory behind a named LDAP connection.
    pub fn ldap(mut self, connection: &str, directory: MockDirectory) -> Self {
        self.host
            .directories
            .insert(connection.to_owned(), directory);
        self
    }

    /// A file in the granted directory; `name` is relative, `/` between directories. Each
    /// file added is a minute newer than the one before, from 2026-01-01 00:00 UTC.
    pub fn file(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        let modified = FIRST_FILE_TIME + 60 * self.host.files.len() as i64;
        self.host
            .files
            .insert(name.to_owned(), (bytes.into(), modified));
        self
    }

    /// State a previous run left under `key`.
    pub fn state(mut self, key: &str, value: impl Into<Vec<u8>>) -> Self {
        self.host.state.insert(key.to_owned(), value.into());
        self
    }

    /// Takes back a capability the manifest requests, to test how the plugin meets a denial.
    pub fn revoke(mut self, grant: Grant) -> Self {
        self.host.grants.revoked.insert(grant);
        self
    }

    /// Checks the configuration against the plugin's schema (panicking with every problem, as
    /// the host refuses to start the system) and answers this thread's host calls from now on
    /// until the returned [`Installed`] is dropped.
    pub fn install(mut self) -> Installed {
        let system = self.host.grants.system.clone();
        let config = tessera_manifest::validate_config(&self.host.manifest.config, &self.config)
            .unwrap_or_else(|problems| {
                let lines: Vec<String> = problems
                    .iter()
                    .map(|p| format!("systems.{system}.{p}"))
                    .collect();
                panic!("mock host: configuration problems:\n{}", lines.join("\n"))
            });
        self.host.configure(config, self.narrowed_http);
        let shared = Rc::new(RefCell::new(self.host));
        CURRENT.with(|c| *c.borrow_mut() = Some(shared.clone()));
        Installed { host: shared }
    }
}

/// When the first file given to [`MockHost::file`] was last modified: 2026-01-01 00:00 UTC.
const FIRST_FILE_TIME: i64 = 1_767_225_600;

fn pattern(origin: &str) -> OriginPattern {
    origin
        .parse()
        .unwrap_or_else(|e| panic!("mock host: origin {e}"))
}

/// A configuration value for [`MockHost::config`]: text, a number, a boolean or a list.
#[derive(Debug, Clone)]
pub struct ConfigInput(toml::Value);

impl From<&str> for ConfigInput {
    fn from(v: &str) -> Self {
        Self(toml::Value::String(v.to_owned()))
    }
}

impl From<String> for ConfigInput {
    fn from(v: String) -> Self {
        Self(toml::Value::String(v))
    }
}

impl From<i64> for ConfigInput {
    fn from(v: i64) -> Self {
        Self(toml::Value::Integer(v))
    }
}

impl From<f64> for ConfigInput {
    fn from(v: f64) -> Self {
        Self(toml::Value::Float(v))
    }
}

impl From<bool> for ConfigInput {
    fn from(v: bool) -> Self {
        Self(toml::Value::Boolean(v))
    }
}

impl From<&[&str]> for ConfigInput {
    fn from(v: &[&str]) -> Self {
        Self(toml::Value::Array(
            v.iter()
                .map(|s| toml::Value::String((*s).to_owned()))
                .collect(),
        ))
    }
}

/// A log line the plugin wrote, secrets masked as the host masks them.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Its level.
    pub level: Level,
    /// The message.
    pub message: String,
    /// The key/value fields.
    pub fields: Vec<(String, String)>,
}

/// The installed host: what the plugin did, for the test to assert. Dropping it uninstalls.
#[derive(Debug)]
pub struct Installed {
    host: Rc<RefCell<store::Host>>,
}

impl Installed {
    /// Every HTTP request the plugin sent, denied ones included, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.host.borrow().requests.clone()
    }

    /// Every log line, in order.
    pub fn logs(&self) -> Vec<LogLine> {
        self.host.borrow().logs.clone()
    }

    /// Every call the host refused, in order.
    pub fn denials(&self) -> Vec<Denial> {
        self.host.borrow().denials.clone()
    }

    /// The state under `key` now.
    pub fn state(&self, key: &str) -> Option<Vec<u8>> {
        self.host.borrow().state.get(key).cloned()
    }

    /// The directory behind `connection` as the plugin left it.
    pub fn directory(&self, connection: &str) -> Option<MockDirectory> {
        self.host.borrow().directories.get(connection).cloned()
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<RefCell<store::Host>>>> = const { RefCell::new(None) };
}

/// Runs a host call against this thread's mock host.
fn with<T>(call: impl FnOnce(&mut store::Host) -> T) -> T {
    let host = CURRENT.with(|c| c.borrow().clone()).unwrap_or_else(|| {
        panic!(
            "tessera host call outside a mock host: in a native test, build one with \
             `tessera_sdk::mock_host!()` and `.install()` it before calling plugin code"
        )
    });
    let mut host = host.borrow_mut();
    call(&mut host)
}

#[cfg(test)]
mod tests;
