//! `tessera.lock`: the exact plugin version and digest each system runs, and the one before it
//! for rollback. Written by the CLI, read before every load.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// One system's pin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntry {
    /// Plugin id.
    pub plugin: String,
    /// Exact version.
    pub version: Version,
    /// SHA-256 of the component.
    pub sha256: String,
    /// The registry manifest it was installed from, by digest (`oci://…@sha256:…`), when it
    /// came from a registry: where to fetch exactly this again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The pin before the last upgrade, for rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Box<LockEntry>>,
}

/// The lockfile.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Lockfile {
    #[serde(skip)]
    path: PathBuf,
    /// Pins by system name.
    #[serde(default)]
    pub systems: BTreeMap<String, LockEntry>,
}

impl Lockfile {
    /// Reads the lockfile, or starts an empty one when there is none.
    pub fn load(path: &Path) -> Result<Self> {
        let mut lock = match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str::<Self>(&text).map_err(|e| Error::Lock {
                lockfile: path.display().to_string(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::default(),
            Err(e) => return Err(Error::io(path, e)),
        };
        lock.path = path.to_owned();
        Ok(lock)
    }

    /// Writes it back atomically.
    pub fn save(&self) -> Result<()> {
        let text = format!(
            "# Written by tessera; pins the exact plugin per system. Change it with\n# `tessera plugin upgrade` / `rollback`, not by hand.\n{}",
            toml::to_string_pretty(self).expect("lockfile serialises")
        );
        let tmp = self.path.with_extension("lock.tmp");
        std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| Error::io(&self.path, e))
    }

    /// Where it lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The system pinning `id@version`, if any.
    pub fn pinning(&self, id: &str, version: &Version) -> Option<(&str, &LockEntry)> {
        self.systems
            .iter()
            .find(|(_, e)| e.plugin == id && &e.version == version)
            .map(|(s, e)| (s.as_str(), e))
    }

    /// Pins a system, keeping the previous pin for rollback when the version changes.
    pub fn pin(
        &mut self,
        system: &str,
        plugin: &str,
        version: &Version,
        sha256: &str,
        source: Option<&str>,
    ) {
        let previous = self
            .systems
            .remove(system)
            .filter(|old| &old.version != version || old.plugin != plugin);
        let previous = previous.map(|mut p| {
            p.previous = None;
            Box::new(p)
        });
        let entry = LockEntry {
            plugin: plugin.into(),
            version: version.clone(),
            sha256: sha256.into(),
            source: source.map(str::to_owned),
            previous,
        };
        self.systems.insert(system.to_owned(), entry);
    }

    /// Restores the previous pin of a system.
    pub fn rollback(&mut self, system: &str) -> Result<&LockEntry> {
        let lockfile = self.path.display().to_string();
        let current = self.systems.remove(system).ok_or_else(|| Error::Lock {
            lockfile: lockfile.clone(),
            message: format!("system `{system}` has no pin"),
        })?;
        let Some(mut previous) = current.previous.clone() else {
            self.systems.insert(system.to_owned(), current);
            return Err(Error::Lock {
                lockfile,
                message: format!("system `{system}` has no earlier version to roll back to"),
            });
        };
        let mut undo = current;
        undo.previous = None;
        previous.previous = Some(Box::new(undo));
        self.systems.insert(system.to_owned(), *previous);
        Ok(&self.systems[system])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_upgrades_and_rolls_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut lock = Lockfile::load(&dir.path().join("tessera.lock")).expect("empty");
        let v1 = Version::new(1, 0, 0);
        let v2 = Version::new(1, 1, 0);
        lock.pin("hr", "good-source", &v1, "aa", None);
        lock.pin(
            "hr",
            "good-source",
            &v2,
            "bb",
            Some("oci://r.example/t/good-source@sha256:0b"),
        );
        assert_eq!(
            lock.systems["hr"]
                .previous
                .as_ref()
                .map(|p| p.version.clone()),
            Some(v1.clone())
        );
        lock.save().expect("save");
        let mut lock = Lockfile::load(lock.path()).expect("load");
        let pinned = Some("oci://r.example/t/good-source@sha256:0b");
        assert_eq!(
            lock.systems["hr"].source.as_deref(),
            pinned,
            "kept by save and load"
        );
        let back = lock.rollback("hr").expect("rollback");
        assert_eq!((&back.version, back.source.as_deref()), (&v1, None));
        assert_eq!(lock.rollback("hr").expect("roll forward again").version, v2);
        assert!(lock.rollback("nope").is_err());
    }
}
