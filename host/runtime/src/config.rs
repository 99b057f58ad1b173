//! The operator's `tessera.toml`: where plugins live, which keys are trusted, and per system
//! the plugin, its version requirement, its configuration, its grants and its limits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use tessera_manifest::OriginPattern;

use crate::{Error, Result};

mod connections;

pub use connections::{
    BasicAuth, ClientCertAuth, HeaderAuth, HttpAuth, LdapConnection, LdapTls, OAuth2Auth,
};

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    /// Plugin store settings.
    #[serde(default)]
    pub plugins: PluginSettings,
    /// The SQLite store.
    #[serde(default)]
    pub store: StoreSettings,
    /// Where the vault key comes from.
    #[serde(default)]
    pub vault: VaultSettings,
    /// Role-model files, relative to the configuration file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Named LDAP connections that systems can be granted.
    #[serde(default)]
    pub ldap: BTreeMap<String, LdapConnection>,
    /// Configured systems by name.
    #[serde(default)]
    pub systems: BTreeMap<String, SystemSpec>,
}

/// `[plugins]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginSettings {
    /// Store directory; relative paths are relative to the configuration file.
    pub dir: Option<PathBuf>,
    /// Refuse plugins without a valid signature from a trusted key.
    #[serde(default)]
    pub require_signatures: bool,
    /// minisign public keys (the base64 line of a `.pub` file).
    #[serde(default)]
    pub trusted_keys: Vec<String>,
}

/// `[store]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// The database file; relative to the configuration file; default `tessera.db`.
    pub path: Option<PathBuf>,
}

/// `[vault]`: the key that encrypts secrets at rest. It never lives in the database.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultSettings {
    /// A file holding the 32-byte key as 64 hex characters; relative to the configuration
    /// file. Without it the key comes from the `TESSERA_VAULT_KEY` environment variable.
    pub key_file: Option<PathBuf>,
}

/// `[systems.NAME]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemSpec {
    /// Plugin id.
    pub plugin: String,
    /// Semver requirement, `^1.2`; defaults to any.
    #[serde(default = "any_version")]
    pub version: semver::VersionReq,
    /// Checked against the plugin's schema.
    #[serde(default)]
    pub config: toml::Table,
    /// What the plugin may reach.
    #[serde(default)]
    pub grants: Grants,
    /// Memory and time limits.
    #[serde(default)]
    pub limits: Limits,
    /// Credentials the host adds per origin.
    #[serde(default)]
    pub http_auth: Vec<HttpAuth>,
    /// Extra CA certificates (PEM) trusted for this system's HTTPS; relative to the
    /// configuration file.
    #[serde(default)]
    pub http_ca_files: Vec<PathBuf>,
    /// Import settings when the plugin is a source (correlation, thresholds); read by the
    /// engine.
    #[serde(default)]
    pub source: Option<toml::Table>,
    /// Apply settings when the plugin is a target (concurrency, retries); read by the engine.
    #[serde(default)]
    pub apply: Option<toml::Table>,
}

fn any_version() -> semver::VersionReq {
    semver::VersionReq::STAR
}

/// `[systems.NAME.grants]`: what the operator allows; the effective grant is this intersected
/// with the plugin's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grants {
    /// Origins or `*.` patterns.
    #[serde(default)]
    pub http: Vec<OriginPattern>,
    /// Origins allowed over plain HTTP (loopback test servers); each must also be in `http`.
    #[serde(default)]
    pub http_insecure: Vec<OriginPattern>,
    /// Origins allowed to resolve to loopback, link-local or private addresses (an intranet
    /// TOPdesk, a test server); each must also be in `http`. Everything else is refused after
    /// DNS resolution, so a granted name cannot be pointed at internal services.
    #[serde(default)]
    pub http_private: Vec<OriginPattern>,
    /// Named LDAP connections.
    #[serde(default)]
    pub ldap: Vec<String>,
    /// Vault secret names.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// The XML parser and builder.
    #[serde(default)]
    pub xml: bool,
    /// Key/value state in the vault.
    #[serde(default)]
    pub state: bool,
}

/// `[systems.NAME.limits]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Linear memory cap per instance, MiB.
    #[serde(default = "default_memory_mib")]
    pub memory_mib: u64,
    /// CPU deadline per call (epoch interruption), seconds.
    #[serde(default = "default_cpu_seconds")]
    pub cpu_seconds: f64,
    /// Outer deadline per call, host calls included, seconds.
    #[serde(default = "default_call_seconds")]
    pub call_timeout_seconds: f64,
    /// Longest a single HTTP request may take, seconds; a plugin may ask for less.
    #[serde(default = "default_http_seconds")]
    pub http_timeout_seconds: f64,
    /// Largest HTTP response body accepted, MiB.
    #[serde(default = "default_http_body_mib")]
    pub http_body_mib: u64,
    /// Total size of the plugin's key/value state on this system, KiB.
    #[serde(default = "default_state_kib")]
    pub state_kib: u64,
}

fn default_memory_mib() -> u64 {
    64
}
fn default_cpu_seconds() -> f64 {
    30.0
}
fn default_call_seconds() -> f64 {
    60.0
}
fn default_http_seconds() -> f64 {
    30.0
}
fn default_http_body_mib() -> u64 {
    64
}
fn default_state_kib() -> u64 {
    1024
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_mib: default_memory_mib(),
            cpu_seconds: default_cpu_seconds(),
            call_timeout_seconds: default_call_seconds(),
            http_timeout_seconds: default_http_seconds(),
            http_body_mib: default_http_body_mib(),
            state_kib: default_state_kib(),
        }
    }
}

impl Limits {
    /// Memory cap in bytes.
    pub fn memory_bytes(&self) -> usize {
        usize::try_from(self.memory_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
    }

    /// CPU deadline.
    pub fn cpu(&self) -> Duration {
        Duration::from_secs_f64(self.cpu_seconds)
    }

    /// Outer call deadline.
    pub fn call_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.call_timeout_seconds)
    }

    /// Longest HTTP request.
    pub fn http_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.http_timeout_seconds)
    }

    /// Largest HTTP response body in bytes.
    pub fn http_body_bytes(&self) -> usize {
        usize::try_from(self.http_body_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
    }

    /// State limit in bytes.
    pub fn state_bytes(&self) -> usize {
        usize::try_from(self.state_kib.saturating_mul(1 << 10)).unwrap_or(usize::MAX)
    }

    fn problems(&self, system: &str) -> Vec<String> {
        let key = format!("systems.{system}.limits");
        let mut out = Vec::new();
        if !(1..=4096).contains(&self.memory_mib) {
            out.push(format!(
                "{key}.memory_mib: must be 1..=4096, got {}",
                self.memory_mib
            ));
        }
        if !(1..=1024).contains(&self.http_body_mib) {
            out.push(format!(
                "{key}.http_body_mib: must be 1..=1024, got {}",
                self.http_body_mib
            ));
        }
        if !(1..=65_536).contains(&self.state_kib) {
            out.push(format!(
                "{key}.state_kib: must be 1..=65536, got {}",
                self.state_kib
            ));
        }
        for (name, v) in [
            ("cpu_seconds", self.cpu_seconds),
            ("call_timeout_seconds", self.call_timeout_seconds),
            ("http_timeout_seconds", self.http_timeout_seconds),
        ] {
            if !(v > 0.0 && v <= 86_400.0) {
                out.push(format!(
                    "{key}.{name}: must be between 0 and 86400 seconds, got {v}"
                ));
            }
        }
        out
    }
}

impl SystemSpec {
    fn problems(&self, name: &str, ldap: &BTreeMap<String, LdapConnection>) -> Vec<String> {
        let mut out = self.limits.problems(name);
        let grants = &self.grants;
        for (list, field) in [
            (&grants.http_insecure, "http_insecure"),
            (&grants.http_private, "http_private"),
        ] {
            for origin in list {
                if !grants.http.contains(origin) {
                    out.push(format!(
                        "systems.{name}.grants.{field}: `{origin}` is not also in systems.{name}.grants.http"
                    ));
                }
            }
        }
        for conn in &grants.ldap {
            if !ldap.contains_key(conn) {
                out.push(format!(
                    "systems.{name}.grants.ldap: no connection `{conn}` is defined under [ldap.{conn}]"
                ));
            }
        }
        for (i, auth) in self.http_auth.iter().enumerate() {
            out.extend(auth.problems(&format!("systems.{name}.http_auth[{i}]"), &grants.http));
        }
        out
    }
}

impl OperatorConfig {
    /// Reads and checks a configuration file; every problem is listed at once.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses configuration text; `path` names it in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let file = path.display().to_string();
        let mut config: Self = toml::from_str(text).map_err(|e| Error::Config {
            file: file.clone(),
            problems: vec![e.to_string().trim_end().replace('\n', "\n  ")],
        })?;
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(Error::Config { file, problems });
        }
        let base = path.parent().unwrap_or(Path::new("."));
        config.anchor_paths(base);
        config.plugins.dir = Some(
            base.join(
                config
                    .plugins
                    .dir
                    .take()
                    .unwrap_or_else(|| "plugins".into()),
            ),
        );
        Ok(config)
    }

    /// Makes every relative file path relative to the configuration file's directory.
    fn anchor_paths(&mut self, base: &Path) {
        let anchor = |p: &mut PathBuf| *p = base.join(&*p);
        self.store.path.get_or_insert_with(|| "tessera.db".into());
        self.store.path.iter_mut().for_each(anchor);
        self.vault.key_file.iter_mut().for_each(anchor);
        self.rules.iter_mut().for_each(anchor);
        for conn in self.ldap.values_mut() {
            conn.ca_file.iter_mut().for_each(anchor);
        }
        for system in self.systems.values_mut() {
            system.http_ca_files.iter_mut().for_each(anchor);
            for auth in &mut system.http_auth {
                auth.client_cert
                    .iter_mut()
                    .for_each(|c| anchor(&mut c.cert_file));
            }
        }
    }

    /// The database file.
    pub fn store_path(&self) -> PathBuf {
        self.store
            .path
            .clone()
            .unwrap_or_else(|| "tessera.db".into())
    }

    /// The plugin store directory.
    pub fn plugin_dir(&self) -> PathBuf {
        self.plugins.dir.clone().unwrap_or_else(|| "plugins".into())
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, system) in &self.systems {
            out.extend(system.problems(name, &self.ldap));
        }
        for (name, conn) in &self.ldap {
            out.extend(conn.problems(name));
        }
        for (i, key) in self.plugins.trusted_keys.iter().enumerate() {
            if minisign_verify::PublicKey::from_base64(key).is_err() {
                out.push(format!(
                    "plugins.trusted_keys[{i}]: not a minisign public key"
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_system_with_defaults() {
        let text = "[systems.hr]\nplugin = \"good-source\"\nversion = \"^1\"\n[systems.hr.grants]\nhttp = [\"https://*.example.org\"]\n";
        let cfg =
            OperatorConfig::parse(text, Path::new("/etc/tessera/tessera.toml")).expect("valid");
        let hr = &cfg.systems["hr"];
        assert_eq!(hr.limits.memory_mib, 64);
        assert_eq!(hr.grants.http.len(), 1);
        assert_eq!(cfg.plugin_dir(), Path::new("/etc/tessera/plugins"));
    }

    #[test]
    fn lists_all_problems_with_keys() {
        let text = "[plugins]\ntrusted_keys = [\"nope\"]\n[systems.a]\nplugin = \"x\"\n[systems.a.limits]\nmemory_mib = 0\ncpu_seconds = -1\n[systems.a.grants]\nhttp_insecure = [\"http://127.0.0.1:9\"]\n";
        let err = OperatorConfig::parse(text, Path::new("t.toml"))
            .expect_err("invalid")
            .to_string();
        for key in [
            "systems.a.limits.memory_mib",
            "systems.a.limits.cpu_seconds",
            "systems.a.grants.http_insecure",
            "plugins.trusted_keys[0]",
        ] {
            assert!(err.contains(key), "{key} missing in {err}");
        }
    }

    #[test]
    fn names_unknown_keys() {
        let err = OperatorConfig::parse(
            "[systems.a]\nplugin = \"x\"\ncolour = 1\n",
            Path::new("t.toml"),
        )
        .expect_err("invalid")
        .to_string();
        assert!(err.contains("t.toml") && err.contains("colour"), "{err}");
    }
}
