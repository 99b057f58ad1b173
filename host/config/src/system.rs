//! `[systems.NAME]`: one configured system: its plugin, the plugin's configuration, what it
//! may reach, its limits, and how the engine imports from it or applies to it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use tessera_manifest::OriginPattern;

use crate::apply::ApplyTable;
use crate::schedule::{RawSchedule, Schedule};
use crate::{ApplySettings, HttpAuth, LdapConnection, SourceSettings};

/// One configured system, checked.
#[derive(Debug, Clone)]
pub struct SystemSettings {
    /// Plugin id.
    pub plugin: String,
    /// Semver requirement, `^1.2`; defaults to any.
    pub version: semver::VersionReq,
    /// The plugin's own configuration, checked against its schema when it is loaded.
    pub config: toml::Table,
    /// What the plugin may reach.
    pub grants: CapabilityGrants,
    /// Memory and time limits.
    pub limits: Limits,
    /// Credentials the host adds per origin.
    pub http_auth: Vec<HttpAuth>,
    /// Extra CA certificates (PEM) trusted for this system's HTTPS.
    pub http_ca_files: Vec<PathBuf>,
    /// How the engine imports, when the plugin is a source.
    pub source: SourceSettings,
    /// How the engine applies plans, when the plugin is a target.
    pub apply: ApplySettings,
    /// When the daemon reads it.
    pub schedule: Schedule,
}

/// `[systems.NAME]` as written: the engine's tables are typed only once their keys are known,
/// so a problem in them names its table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSystem {
    plugin: String,
    #[serde(default = "any_version")]
    version: semver::VersionReq,
    #[serde(default)]
    config: toml::Table,
    #[serde(default)]
    grants: CapabilityGrants,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    http_auth: Vec<HttpAuth>,
    #[serde(default)]
    http_ca_files: Vec<PathBuf>,
    source: Option<toml::Table>,
    apply: Option<toml::Table>,
    #[serde(default)]
    schedule: RawSchedule,
}

fn any_version() -> semver::VersionReq {
    semver::VersionReq::STAR
}

impl RawSystem {
    /// The checked system, or every problem found in it.
    pub(crate) fn check(
        self,
        name: &str,
        ldap: &BTreeMap<String, LdapConnection>,
    ) -> Result<SystemSettings, Vec<String>> {
        let mut problems = self.limits.problems(name);
        problems.extend(self.grants.problems(name, ldap));
        for (i, auth) in self.http_auth.iter().enumerate() {
            let key = format!("systems.{name}.http_auth[{i}]");
            problems.extend(auth.problems(&key, &self.grants.http));
        }
        let source = typed::<SourceSettings>(&format!("systems.{name}.source"), self.source)
            .and_then(|s| {
                let p = s.problems(&format!("systems.{name}.source"));
                if p.is_empty() {
                    Ok(s)
                } else {
                    Err(p.join("; "))
                }
            });
        let apply_key = format!("systems.{name}.apply");
        let apply =
            typed::<ApplyTable>(&apply_key, self.apply).and_then(|t| t.settings(&apply_key));
        let schedule = self.schedule.check(name, &mut problems);
        problems.extend(source.as_ref().err().cloned());
        problems.extend(apply.as_ref().err().cloned());
        match (source, apply) {
            (Ok(source), Ok(apply)) if problems.is_empty() => Ok(SystemSettings {
                plugin: self.plugin,
                version: self.version,
                config: self.config,
                grants: self.grants,
                limits: self.limits,
                http_auth: self.http_auth,
                http_ca_files: self.http_ca_files,
                source,
                apply,
                schedule,
            }),
            _ => Err(problems),
        }
    }
}

/// A subtable as a typed value, its problem prefixed with its key.
fn typed<T: Default + serde::de::DeserializeOwned>(
    key: &str,
    table: Option<toml::Table>,
) -> Result<T, String> {
    match table {
        None => Ok(T::default()),
        Some(t) => toml::Value::Table(t)
            .try_into()
            .map_err(|e: toml::de::Error| format!("{key}: {}", e.message())),
    }
}

/// `[systems.NAME.grants]`: the capabilities the operator allows a system's plugin; the
/// effective grant is this intersected with what the plugin's manifest requests.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityGrants {
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
    /// Secret names.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// The XML parser and builder.
    #[serde(default)]
    pub xml: bool,
    /// Per-plugin key/value state.
    #[serde(default)]
    pub state: bool,
    /// The one directory whose files the plugin may read (never write): an absolute path on
    /// this host, such as the share an HR system drops its CSV exports into.
    #[serde(default)]
    pub files: Option<std::path::PathBuf>,
}

impl CapabilityGrants {
    fn problems(&self, name: &str, ldap: &BTreeMap<String, LdapConnection>) -> Vec<String> {
        let mut out = Vec::new();
        for (list, field) in [
            (&self.http_insecure, "http_insecure"),
            (&self.http_private, "http_private"),
        ] {
            for origin in list.iter().filter(|o| !self.http.contains(o)) {
                out.push(format!(
                    "systems.{name}.grants.{field}: `{origin}` is not also in systems.{name}.grants.http"
                ));
            }
        }
        if let Some(dir) = self.files.as_ref().filter(|d| !d.is_absolute()) {
            out.push(format!(
                "systems.{name}.grants.files: `{}` is not an absolute path",
                dir.display()
            ));
        }
        for conn in self.ldap.iter().filter(|c| !ldap.contains_key(*c)) {
            out.push(format!(
                "systems.{name}.grants.ldap: no connection `{conn}` is defined under [ldap.{conn}]"
            ));
        }
        out
    }
}

/// `[systems.NAME.limits]`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Linear memory cap per instance, MiB.
    #[serde(default = "default_memory_mib")]
    pub memory_mib: u64,
    /// What the host may hold for one instance outside its linear memory (parsed XML,
    /// element handles, open LDAP searches, a response body being read), MiB.
    #[serde(default = "default_host_memory_mib")]
    pub host_memory_mib: u64,
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
    /// Largest file the plugin may read from its granted directory, MiB.
    #[serde(default = "default_file_mib")]
    pub file_mib: u64,
}

fn default_memory_mib() -> u64 {
    64
}
/// Room for several of the largest SOAP answers (a 19,000-record HiX answer holds about
/// 15 MiB parsed) at once; with a few systems running side by side the process stays well
/// under a gigabyte.
fn default_host_memory_mib() -> u64 {
    128
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
/// Room for cursors, and for what Elanza keeps for a hospital group's 60,000 workers: the
/// change feed's digests (a worker number and 8 bytes each, some 900 KiB) and the remembered
/// weeks before the detail window (a worker's name, contact and shift count, some 7 MiB).
fn default_state_kib() -> u64 {
    16 * 1024
}
/// An HR export of 40,000 employees with their contracts is some 15 MiB; the file is read
/// into the plugin's memory whole, which `memory_mib` bounds as well.
fn default_file_mib() -> u64 {
    32
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_mib: default_memory_mib(),
            host_memory_mib: default_host_memory_mib(),
            cpu_seconds: default_cpu_seconds(),
            call_timeout_seconds: default_call_seconds(),
            http_timeout_seconds: default_http_seconds(),
            http_body_mib: default_http_body_mib(),
            state_kib: default_state_kib(),
            file_mib: default_file_mib(),
        }
    }
}

impl Limits {
    /// Memory cap in bytes.
    pub fn memory_bytes(&self) -> usize {
        usize::try_from(self.memory_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
    }

    /// Host memory budget per instance in bytes.
    pub fn host_memory_bytes(&self) -> usize {
        usize::try_from(self.host_memory_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
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

    /// Largest readable file in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.file_mib.saturating_mul(1 << 20)
    }

    fn problems(&self, system: &str) -> Vec<String> {
        let key = format!("systems.{system}.limits");
        let mut out = Vec::new();
        let ranges = [
            ("memory_mib", self.memory_mib, 4096),
            ("host_memory_mib", self.host_memory_mib, 4096),
            ("http_body_mib", self.http_body_mib, 1024),
            ("state_kib", self.state_kib, 65_536),
            ("file_mib", self.file_mib, 4096),
        ];
        for (name, value, max) in ranges {
            if !(1..=max).contains(&value) {
                out.push(format!("{key}.{name}: must be 1..={max}, got {value}"));
            }
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
