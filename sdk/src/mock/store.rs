//! The mock host's state and the calls that only read or keep it: config, vault, log, files.

use std::collections::BTreeMap;

use tessera_manifest::{ConfigValue, Manifest, OriginPattern, ResolvedConfig};

use super::grants::Grants;
use super::http::Routes;
use super::{LogLine, MockDirectory};
use crate::host::config::{Entry, Value};
use crate::host::errors::{Denial, HostError};
use crate::host::http::Request;
use crate::host::log::{Field, Level};

/// Secrets shorter than this are not masked in logs: masking "a" would garble every line.
const MIN_MASKED: usize = 4;

#[derive(Debug)]
pub(crate) struct Host {
    pub(crate) manifest: Manifest,
    pub(crate) grants: Grants,
    config: ResolvedConfig,
    pub(crate) secrets: BTreeMap<String, String>,
    pub(crate) state: BTreeMap<String, Vec<u8>>,
    /// By name, with the time each was last modified (Unix seconds).
    pub(crate) files: BTreeMap<String, (Vec<u8>, i64)>,
    pub(crate) routes: Routes,
    pub(crate) directories: BTreeMap<String, MockDirectory>,
    pub(crate) requests: Vec<Request>,
    pub(crate) logs: Vec<LogLine>,
    pub(crate) denials: Vec<Denial>,
    /// Secret values the plugin has read, masked in its log lines from then on.
    read_secrets: Vec<String>,
}

impl Host {
    pub(crate) fn new(manifest: Manifest) -> Self {
        let grants = Grants {
            system: manifest.id.clone(),
            ..Grants::default()
        };
        Self {
            manifest,
            grants,
            config: ResolvedConfig::default(),
            secrets: BTreeMap::new(),
            state: BTreeMap::new(),
            files: BTreeMap::new(),
            routes: Routes::default(),
            directories: BTreeMap::new(),
            requests: Vec::new(),
            logs: Vec::new(),
            denials: Vec::new(),
            read_secrets: Vec::new(),
        }
    }

    pub(crate) fn configure(&mut self, config: ResolvedConfig, http: Option<Vec<OriginPattern>>) {
        self.grants.configure(&self.manifest, &config, http);
        self.config = config;
    }

    /// Keeps a denial for [`super::Installed::denials`] and hands it back.
    pub(crate) fn denied(&mut self, error: HostError) -> HostError {
        if let HostError::Denied(d) = &error {
            self.denials.push(d.clone());
        }
        error
    }

    pub(crate) fn config_get(&self, key: &str) -> Option<Value> {
        self.config.get(key).map(value)
    }

    pub(crate) fn config_all(&self) -> Vec<Entry> {
        self.config
            .0
            .iter()
            .map(|(key, v)| Entry {
                key: key.clone(),
                value: value(v),
            })
            .collect()
    }

    pub(crate) fn secret(&mut self, name: &str) -> Result<String, HostError> {
        if !self.grants.secrets.contains(name) {
            let e = self
                .grants
                .deny(format!("secret `{name}`"), "grants.secrets");
            return Err(self.denied(e));
        }
        let value = self.secrets.get(name).cloned().ok_or_else(|| {
            HostError::NotFound(format!(
                "the vault has no secret `{name}`; set it with `tessera secret set {name}`"
            ))
        })?;
        if value.len() >= MIN_MASKED && !self.read_secrets.contains(&value) {
            self.read_secrets.push(value.clone());
        }
        Ok(value)
    }

    fn state_granted(&mut self, key: &str) -> Result<(), HostError> {
        if self.grants.state {
            return Ok(());
        }
        let e = self
            .grants
            .deny(format!("state key `{key}`"), "grants.state");
        Err(self.denied(e))
    }

    pub(crate) fn state_get(&mut self, key: &str) -> Result<Option<Vec<u8>>, HostError> {
        self.state_granted(key)?;
        Ok(self.state.get(key).cloned())
    }

    pub(crate) fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), HostError> {
        self.state_granted(key)?;
        self.state.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    pub(crate) fn state_delete(&mut self, key: &str) -> Result<(), HostError> {
        self.state_granted(key)?;
        self.state.remove(key);
        Ok(())
    }

    pub(crate) fn log(&mut self, level: Level, message: &str, fields: &[Field]) {
        let line = LogLine {
            level,
            message: self.mask(message),
            fields: fields
                .iter()
                .map(|f| (self.mask(&f.key), self.mask(&f.value)))
                .collect(),
        };
        self.logs.push(line);
    }

    fn mask(&self, text: &str) -> String {
        self.read_secrets
            .iter()
            .fold(text.to_owned(), |t, s| t.replace(s.as_str(), "[secret]"))
    }
}

#[cfg(not(feature = "wit-0-2-0"))]
impl Host {
    /// The checks the host makes on a file name before it touches the disk.
    fn file_name(&mut self, name: &str, what: &str) -> Result<(), HostError> {
        let refused = if !self.grants.files {
            Some(String::new())
        } else {
            tessera_manifest::refused_file_name(name).map(|why| format!(": {why}"))
        };
        match refused {
            None => Ok(()),
            Some(why) => {
                let e = self.grants.deny(format!("{what}{why}"), "grants.files");
                Err(self.denied(e))
            }
        }
    }

    pub(crate) fn list_dir(
        &mut self,
        dir: &str,
    ) -> Result<Vec<crate::host::files::FileInfo>, HostError> {
        let what = format!("list of directory `{dir}`");
        self.file_name(dir, &what)?;
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let listed: Vec<_> = self
            .files
            .iter()
            .filter(|(name, _)| {
                name.strip_prefix(&prefix)
                    .is_some_and(|rest| !rest.contains('/'))
            })
            .map(|(name, (bytes, modified))| crate::host::files::FileInfo {
                name: name.clone(),
                size: bytes.len() as u64,
                modified: *modified,
            })
            .collect();
        let is_dir = dir.is_empty() || self.files.keys().any(|n| n.starts_with(&prefix));
        if !is_dir {
            return Err(not_there(&what));
        }
        Ok(listed)
    }

    pub(crate) fn read_file(&mut self, name: &str) -> Result<Vec<u8>, HostError> {
        let what = format!("file `{name}`");
        self.file_name(name, &what)?;
        match self.files.get(name) {
            Some((bytes, _)) => Ok(bytes.clone()),
            None if self
                .files
                .keys()
                .any(|n| n.starts_with(&format!("{name}/"))) =>
            {
                Err(HostError::NotFound(format!("{what}: not a regular file")))
            }
            None => Err(not_there(&what)),
        }
    }
}

/// What the host answers for a name the directory does not hold.
#[cfg(not(feature = "wit-0-2-0"))]
fn not_there(what: &str) -> HostError {
    HostError::Unavailable(format!("{what}: No such file or directory (os error 2)"))
}

fn value(v: &ConfigValue) -> Value {
    match v {
        ConfigValue::Text(s) => Value::Text(s.clone()),
        ConfigValue::Integer(i) => Value::Integer(*i),
        ConfigValue::Float(f) => Value::Number(*f),
        ConfigValue::Boolean(b) => Value::Boolean(*b),
        ConfigValue::List(items) => Value::TextList(items.clone()),
        ConfigValue::SecretRef { secret } => Value::SecretRef(secret.clone()),
    }
}
