//! The operator's `tessera.toml`, parsed once into one typed [`Settings`] value.
//!
//! Everything that reads the configuration (the runtime for plugins and their grants, the
//! engine for import and apply, the sync for the store and the vault key) takes its part of
//! this value; nobody parses the file a second time or patches what was parsed. Every problem
//! in the file is reported at once, each naming its key. Relative paths are made relative to
//! the file's directory here, so no caller needs to know where the file was.

mod apply;
mod connections;
mod console;
mod document;
mod error;
mod import;
mod schedule;
mod system;
mod threshold;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tessera_domain::Zone;

pub use apply::{ApplySettings, RetryPolicy};
pub use connections::{
    BasicAuth, ClientCertAuth, HeaderAuth, HttpAuth, LdapConnection, LdapTls, OAuth2Auth,
};
pub use console::ConsoleSettings;
pub use error::{Error, Result};
pub use import::{SourceSettings, SourceThresholds};
pub use schedule::{DEFAULT_LISTEN, Every, Schedule, ServeSettings};
pub use system::{CapabilityGrants, Limits, SystemSettings};
pub use threshold::Threshold;

use console::RawConsole;
use schedule::RawServe;
use system::RawSystem;

/// The environment variable holding the vault key when `[vault] key_file` is not set.
pub const KEY_ENV: &str = "TESSERA_VAULT_KEY";

/// The whole configuration, checked, with absolute paths.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file it was read from.
    pub file: PathBuf,
    /// `[plugins]`.
    pub plugins: PluginSettings,
    /// `[store]`: where the database is.
    pub store: StoreSettings,
    /// `[vault]`: where the key that encrypts secrets comes from.
    pub vault: VaultSettings,
    /// Role-model files.
    pub rules: Vec<PathBuf>,
    /// `[ldap.NAME]`: directory connections systems can be granted by name.
    pub ldap: BTreeMap<String, LdapConnection>,
    /// `[systems.NAME]`, by name.
    pub systems: BTreeMap<String, SystemSettings>,
    /// `[serve]`: the daemon.
    pub serve: ServeSettings,
    /// `[console]`: the web console.
    pub console: ConsoleSettings,
    /// `[audit]`: how long the audit log keeps its records.
    pub audit: AuditSettings,
    /// `timezone`: the zone whose days contracts, "today" and the account rule's day counts
    /// are in (UTC when unset).
    pub timezone: Zone,
}

/// Five years: the least a hospital's access log is kept (NEN 7513 asks for at least that).
pub const MIN_AUDIT_RETENTION_DAYS: u32 = 5 * 365;

/// `[audit]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Days a record is kept before `tessera audit prune` may remove it under a signed cut;
    /// unset keeps every record. At least [`MIN_AUDIT_RETENTION_DAYS`].
    #[serde(default)]
    pub retention_days: Option<u32>,
}

/// `[plugins]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginSettings {
    /// The plugin store directory (default `plugins` beside the file).
    #[serde(default)]
    pub dir: PathBuf,
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
    /// The database file (default `tessera.db` beside the file).
    #[serde(default)]
    pub path: PathBuf,
}

/// `[vault]`: the key that encrypts secrets at rest. It never lives in the database.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultSettings {
    /// A file holding the 32-byte key as 64 hex characters. Without it the key comes from
    /// the [`KEY_ENV`] environment variable.
    pub key_file: Option<PathBuf>,
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    plugins: PluginSettings,
    #[serde(default)]
    store: StoreSettings,
    #[serde(default)]
    vault: VaultSettings,
    #[serde(default)]
    rules: Vec<PathBuf>,
    #[serde(default)]
    ldap: BTreeMap<String, LdapConnection>,
    #[serde(default)]
    systems: BTreeMap<String, RawSystem>,
    #[serde(default)]
    serve: RawServe,
    #[serde(default)]
    console: RawConsole,
    #[serde(default)]
    audit: AuditSettings,
}

impl Settings {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses configuration text; `path` names it in errors and anchors relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let invalid = |problems| Error::Invalid {
            file: path.to_owned(),
            problems,
        };
        let mut problems = Vec::new();
        // Refused keys are listed and left out, so the checks below still find the rest.
        let Some(raw) = document::read::<RawSettings>(text, &mut problems) else {
            return Err(invalid(problems));
        };
        let timezone = match raw.timezone.as_deref().map(Zone::named) {
            None => Zone::UTC,
            Some(Ok(zone)) => zone,
            Some(Err(e)) => {
                problems.push(format!("timezone: {e}"));
                Zone::UTC
            }
        };
        for (name, conn) in &raw.ldap {
            problems.extend(conn.problems(name));
        }
        for (i, key) in raw.plugins.trusted_keys.iter().enumerate() {
            if minisign_verify::PublicKey::from_base64(key).is_err() {
                problems.push(format!(
                    "plugins.trusted_keys[{i}]: not a minisign public key"
                ));
            }
        }
        let serve = raw.serve.check(&mut problems);
        let console = raw.console.check(&mut problems);
        if let Some(days) = raw.audit.retention_days
            && days < MIN_AUDIT_RETENTION_DAYS
        {
            problems.push(format!(
                "audit.retention_days: must be at least {MIN_AUDIT_RETENTION_DAYS} (five years), got {days}"
            ));
        }
        let mut systems = BTreeMap::new();
        for (name, system) in raw.systems {
            match system.check(&name, &raw.ldap) {
                Ok(system) => drop(systems.insert(name, system)),
                Err(found) => problems.extend(found),
            }
        }
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        let ranking = SourceSettings::rank(
            systems
                .iter()
                .map(|(name, s): (&String, &SystemSettings)| (name.as_str(), s.source.priority)),
        );
        for system in systems.values_mut() {
            system.source.ranking.clone_from(&ranking);
        }
        let mut settings = Self {
            file: path.to_owned(),
            plugins: raw.plugins,
            store: raw.store,
            vault: raw.vault,
            rules: raw.rules,
            ldap: raw.ldap,
            systems,
            serve,
            console,
            audit: raw.audit,
            timezone,
        };
        settings.anchor_paths(path.parent().unwrap_or(Path::new(".")));
        Ok(settings)
    }

    /// Makes every file path relative to the configuration file's directory, with defaults.
    fn anchor_paths(&mut self, base: &Path) {
        let anchor = |p: &mut PathBuf| *p = base.join(&*p);
        if self.plugins.dir.as_os_str().is_empty() {
            self.plugins.dir = "plugins".into();
        }
        if self.store.path.as_os_str().is_empty() {
            self.store.path = "tessera.db".into();
        }
        anchor(&mut self.plugins.dir);
        anchor(&mut self.store.path);
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

    /// The lockfile beside the configuration file.
    pub fn lockfile(&self) -> PathBuf {
        self.file.with_file_name("tessera.lock")
    }

    /// The system called `name`, or a problem listing the known ones.
    pub fn system(&self, name: &str) -> Result<&SystemSettings> {
        self.systems.get(name).ok_or_else(|| Error::Invalid {
            file: self.file.clone(),
            problems: vec![format!(
                "no system `{name}` (known: {})",
                self.systems.keys().cloned().collect::<Vec<_>>().join(", ")
            )],
        })
    }

    /// Every secret name the configuration refers to, with the key that names it.
    pub fn referenced_secrets(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, conn) in &self.ldap {
            out.extend(
                conn.bind_secret
                    .iter()
                    .map(|s| (s.clone(), format!("ldap.{name}.bind_secret"))),
            );
        }
        for (name, spec) in &self.systems {
            for (i, auth) in spec.http_auth.iter().enumerate() {
                out.extend(
                    auth.secret_names()
                        .into_iter()
                        .map(|s| (s.to_owned(), format!("systems.{name}.http_auth[{i}]"))),
                );
            }
            out.extend(
                spec.grants
                    .secrets
                    .iter()
                    .map(|s| (s.clone(), format!("systems.{name}.grants.secrets"))),
            );
            for (key, value) in &spec.config {
                if let Some(secret) = value.get("secret").and_then(toml::Value::as_str) {
                    out.push((secret.to_owned(), format!("systems.{name}.config.{key}")));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
