//! Shared set-up for the capability tests: the `cap-probe` plugin runs a list of JSON
//! commands through the real runtime and reports each result.

use std::sync::Arc;

use serde_json::Value;
use tessera_runtime::{HostServices, MemoryServices, Runtime};
use tessera_testkit::TestInstall;

/// An unused LDAP connection, so the probe's ldap import can link in tests about other
/// capabilities (an imported interface with nothing granted is not linked at all).
pub const IDLE_LDAP: &str = "[ldap.directory]\nurl = \"ldap://127.0.0.1:9\"\nbase_dn = \"dc=example,dc=org\"\ntls = \"none\"\n";

/// The probe system's configuration.
pub struct ProbeConfig {
    /// `base_url` config value (its origin is what the probe requests).
    pub base_url: String,
    /// Lines under `[systems.probe.grants]`, without the ldap/xml/state/secrets defaults.
    pub grants: String,
    /// Extra top-level or per-system TOML appended verbatim.
    pub extra: String,
    /// `[ldap.directory]`; defaults to [`IDLE_LDAP`].
    pub ldap: String,
}

impl ProbeConfig {
    pub fn new(base_url: &str, grants: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            grants: grants.to_owned(),
            extra: String::new(),
            ldap: IDLE_LDAP.to_owned(),
        }
    }

    pub fn extra(mut self, text: &str) -> Self {
        self.extra.push_str(text);
        self.extra.push('\n');
        self
    }

    pub fn ldap(mut self, text: &str) -> Self {
        self.ldap = text.to_owned();
        self
    }

    fn toml(&self, commands: &[Value]) -> String {
        let list = toml::Value::Array(
            commands
                .iter()
                .map(|c| toml::Value::String(c.to_string()))
                .collect(),
        );
        format!(
            "{ldap}\n[systems.probe]\nplugin = \"cap-probe\"\n[systems.probe.config]\nbase_url = {url}\ncommands = {list}\n[systems.probe.grants]\nldap = [\"directory\"]\nxml = true\nstate = true\nsecrets = [\"probe-secret\"]\n{grants}\n{extra}",
            ldap = self.ldap,
            url = toml::Value::String(self.base_url.clone()),
            grants = self.grants,
            extra = self.extra,
        )
    }
}

/// Runs `commands` through the probe with `services`; returns one result per command.
pub async fn run(
    rt: &Runtime,
    config: &ProbeConfig,
    services: Arc<dyn HostServices>,
    commands: &[Value],
) -> Vec<Value> {
    let t = TestInstall::new(&config.toml(commands));
    let mut inst = t.with_plugins(&["cap-probe"]);
    inst.set_services(services);
    let (system, _) = inst.prepare(rt, "probe").expect("probe prepares");
    let mut source = system.source().await.expect("instance");
    let out = source
        .call_test_connection()
        .await
        .expect("test_connection returns");
    match serde_json::from_str(&out).expect("probe answers JSON") {
        Value::Array(results) => results,
        other => panic!("expected a list of results, got {other}"),
    }
}

/// Services with the probe's secret and an API key.
pub fn services() -> Arc<MemoryServices> {
    Arc::new(MemoryServices::with_secrets([
        ("probe-secret", "pr0be-Secret-Value-7731"),
        ("api-key", "api-Key-Value-5519"),
        ("basic-pw", "basic-Password-4410"),
        ("oauth-secret", "oauth-Client-Secret-8820"),
    ]))
}

/// The error variant of a result, e.g. `denied`, with its payload.
pub fn err(result: &Value) -> (&str, &Value) {
    let e = result
        .get("err")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("expected an error, got {result}"));
    let (k, v) = e.iter().next().expect("one variant");
    (k.as_str(), v)
}

/// The ok payload of a result.
pub fn ok(result: &Value) -> &Value {
    result
        .get("ok")
        .unwrap_or_else(|| panic!("expected ok, got {result}"))
}

/// Grants for a loopback test server at `origin`: allowed, over plain HTTP, on a private address.
pub fn open_grants(origin: &str) -> String {
    format!("http = [\"{origin}\"]\nhttp_insecure = [\"{origin}\"]\nhttp_private = [\"{origin}\"]")
}

/// The probe on a loopback test server at `origin`, with the vault secret `api-key` injected
/// by the host as `x-api-key`.
pub fn with_api_key(origin: &str) -> ProbeConfig {
    ProbeConfig::new(origin, &open_grants(origin)).extra(&format!(
        "[[systems.probe.http_auth]]\norigin = \"{origin}\"\nheader = {{ name = \"x-api-key\", secret = \"api-key\" }}"
    ))
}
