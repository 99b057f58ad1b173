//! The operator's `tessera.toml`: where plugins live, which keys are trusted, and per system
//! the plugin, its version requirement, its configuration, its grants and its limits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use tessera_manifest::OriginPattern;

use crate::{Error, Result};

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    /// Plugin store settings.
    #[serde(default)]
    pub plugins: PluginSettings,
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

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_mib: default_memory_mib(),
            cpu_seconds: default_cpu_seconds(),
            call_timeout_seconds: default_call_seconds(),
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

    fn problems(&self, system: &str) -> Vec<String> {
        let key = format!("systems.{system}.limits");
        let mut out = Vec::new();
        if !(1..=4096).contains(&self.memory_mib) {
            out.push(format!(
                "{key}.memory_mib: must be 1..=4096, got {}",
                self.memory_mib
            ));
        }
        for (name, v) in [
            ("cpu_seconds", self.cpu_seconds),
            ("call_timeout_seconds", self.call_timeout_seconds),
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

    /// The plugin store directory.
    pub fn plugin_dir(&self) -> PathBuf {
        self.plugins.dir.clone().unwrap_or_else(|| "plugins".into())
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, system) in &self.systems {
            out.extend(system.limits.problems(name));
            for insecure in &system.grants.http_insecure {
                if !system.grants.http.contains(insecure) {
                    out.push(format!(
                        "systems.{name}.grants.http_insecure: `{insecure}` is not also in systems.{name}.grants.http"
                    ));
                }
            }
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
