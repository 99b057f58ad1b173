//! Installed plugins, several versions side by side:
//!
//! ```text
//! <dir>/<id>/<version>/plugin.wasm
//! <dir>/<id>/<version>/plugin.wasm.minisig   (when installed with a signature)
//! <dir>/<id>/<version>/meta.json             (sha-256, signature status)
//! ```
//!
//! An install is checked completely (component, manifest, imports, signature) before anything
//! is written, then staged in a temporary directory inside the store and renamed into place, so
//! a failed install leaves nothing behind.

mod lockfile;
pub mod oci;
mod signature;

use std::path::{Path, PathBuf};

use semver::Version;
use serde::{Deserialize, Serialize};
use tessera_manifest::ComponentInfo;

pub use lockfile::{LockEntry, Lockfile};
pub use signature::SignatureStatus;

use crate::{Error, Result};

/// One installed plugin version.
#[derive(Debug, Clone, Serialize)]
pub struct InstalledPlugin {
    /// Plugin id.
    pub id: String,
    /// Version.
    pub version: Version,
    /// Lower-case hex SHA-256 of the component.
    pub sha256: String,
    /// Signature status at install time.
    pub signature: SignatureStatus,
    /// The component file.
    pub path: PathBuf,
    /// Where it was installed from when that was a registry: `oci://…@sha256:…`.
    pub source: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    sha256: String,
    signature: SignatureStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

/// The plugin store directory.
pub struct PluginStore {
    dir: PathBuf,
    trusted_keys: Vec<String>,
    require_signatures: bool,
}

impl PluginStore {
    /// Opens (and creates) the store.
    pub fn open(dir: &Path, trusted_keys: &[String], require_signatures: bool) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Ok(Self {
            dir: dir.to_owned(),
            trusted_keys: trusted_keys.to_vec(),
            require_signatures,
        })
    }

    /// Checks and installs a component file; returns what was installed.
    pub fn install(&self, file: &Path, signature: Option<&Path>) -> Result<InstalledPlugin> {
        let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
        let sig_text = signature
            .map(|p| std::fs::read_to_string(p).map_err(|e| Error::io(p, e)))
            .transpose()?;
        let label = file.display().to_string();
        self.install_bytes(&bytes, sig_text.as_deref(), &label, None)
    }

    /// Checks and installs a component pulled from a registry (`pulled.pinned` is recorded).
    pub fn install_pulled(&self, pulled: &oci::Pulled) -> Result<InstalledPlugin> {
        let source = Some(pulled.pinned.clone());
        let sig = pulled.signature.as_deref();
        self.install_bytes(&pulled.bytes, sig, &pulled.pinned, source)
    }

    /// The checks every install makes, whatever the bytes came from; `label` names them in
    /// errors.
    fn install_bytes(
        &self,
        bytes: &[u8],
        sig_text: Option<&str>,
        label: &str,
        source: Option<String>,
    ) -> Result<InstalledPlugin> {
        let info = checked(bytes, label)?;
        let status = signature::check(bytes, sig_text, &self.trusted_keys, self.require_signatures)
            .map_err(|message| Error::Signature {
                path: label.to_owned(),
                message,
            })?;
        let m = &info.manifest;
        let target = self.version_dir(&m.id, &m.version);
        if target.exists() {
            return self.reinstall(&info, &target);
        }
        let meta = Meta {
            sha256: info.sha256.clone(),
            signature: status.clone(),
            source: source.clone(),
        };
        self.stage(bytes, sig_text, &meta, &target)?;
        Ok(InstalledPlugin {
            id: m.id.clone(),
            version: m.version.clone(),
            sha256: info.sha256,
            signature: status,
            path: target.join("plugin.wasm"),
            source,
        })
    }

    /// The same bytes again is a no-op; different bytes under the same version are refused.
    fn reinstall(&self, info: &ComponentInfo, target: &Path) -> Result<InstalledPlugin> {
        let existing = self.read_installed(&info.manifest.id, &info.manifest.version, target)?;
        if existing.sha256 == info.sha256 {
            return Ok(existing);
        }
        Err(Error::Store(format!(
            "{} is already installed with a different digest ({}); a released version never changes, bump the version",
            info.manifest.reference(),
            existing.sha256
        )))
    }

    fn stage(&self, bytes: &[u8], sig: Option<&str>, meta: &Meta, target: &Path) -> Result<()> {
        let staging = tempfile::Builder::new()
            .prefix(".staging-")
            .tempdir_in(&self.dir)
            .map_err(|e| Error::io(&self.dir, e))?;
        let write = |name: &str, data: &[u8]| {
            let path = staging.path().join(name);
            std::fs::write(&path, data).map_err(|e| Error::io(&path, e))
        };
        write("plugin.wasm", bytes)?;
        if let Some(sig) = sig {
            write("plugin.wasm.minisig", sig.as_bytes())?;
        }
        write(
            "meta.json",
            serde_json::to_string_pretty(meta)
                .expect("meta serialises")
                .as_bytes(),
        )?;
        let parent = target.parent().expect("version dir has a parent");
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let staged = staging.keep();
        std::fs::rename(&staged, target).map_err(|e| {
            let _cleanup = std::fs::remove_dir_all(&staged);
            Error::io(target, e)
        })
    }

    fn version_dir(&self, id: &str, version: &Version) -> PathBuf {
        self.dir.join(id).join(version.to_string())
    }

    fn read_installed(&self, id: &str, version: &Version, dir: &Path) -> Result<InstalledPlugin> {
        let meta_path = dir.join("meta.json");
        let text = std::fs::read_to_string(&meta_path).map_err(|e| Error::io(&meta_path, e))?;
        let meta: Meta = serde_json::from_str(&text)
            .map_err(|e| Error::Store(format!("{}: {e}", meta_path.display())))?;
        Ok(InstalledPlugin {
            id: id.to_owned(),
            version: version.clone(),
            sha256: meta.sha256,
            signature: meta.signature,
            path: dir.join("plugin.wasm"),
            source: meta.source,
        })
    }

    /// Every installed version, sorted by id then version.
    pub fn list(&self) -> Result<Vec<InstalledPlugin>> {
        let mut out = Vec::new();
        for id_entry in read_dir(&self.dir)? {
            let id = id_entry.file_name().to_string_lossy().into_owned();
            if id.starts_with('.') || !id_entry.path().is_dir() {
                continue;
            }
            for v in read_dir(&id_entry.path())? {
                if let Ok(version) = Version::parse(&v.file_name().to_string_lossy()) {
                    out.push(self.read_installed(&id, &version, &v.path())?);
                }
            }
        }
        out.sort_by(|a, b| (&a.id, &a.version).cmp(&(&b.id, &b.version)));
        Ok(out)
    }

    /// One installed version.
    pub fn get(&self, id: &str, version: &Version) -> Result<InstalledPlugin> {
        let dir = self.version_dir(id, version);
        if !dir.is_dir() {
            return Err(Error::Store(format!("{id}@{version} is not installed")));
        }
        self.read_installed(id, version, &dir)
    }

    /// The highest installed version matching `req`.
    pub fn best(&self, id: &str, req: &semver::VersionReq) -> Result<InstalledPlugin> {
        let installed: Vec<InstalledPlugin> =
            self.list()?.into_iter().filter(|p| p.id == id).collect();
        let versions: Vec<String> = installed.iter().map(|p| p.version.to_string()).collect();
        installed
            .into_iter()
            .filter(|p| req.matches(&p.version))
            .max_by(|a, b| a.version.cmp(&b.version))
            .ok_or_else(|| {
                let have = match versions.is_empty() {
                    true => "none is installed".to_owned(),
                    false => format!("installed: {}", versions.join(", ")),
                };
                Error::Store(format!(
                    "no installed version of `{id}` matches {req} ({have}); install one with `tessera plugin install`"
                ))
            })
    }

    /// Removes one version unless the lockfile pins it.
    pub fn remove(&self, id: &str, version: &Version, lock: &Lockfile) -> Result<()> {
        if let Some((system, _)) = lock.pinning(id, version) {
            return Err(Error::Store(format!(
                "{id}@{version} is locked for system `{system}`; upgrade or roll back that system first"
            )));
        }
        let dir = self.version_dir(id, version);
        let plugin = self.get(id, version)?;
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let compiled = self.compiled_dir();
        crate::compiled::forget(&compiled, &plugin.sha256).map_err(|e| Error::io(&compiled, e))
    }

    /// Where compiled plugins are cached (see [`crate::CompiledCache`]); a dot directory, so
    /// listing the store passes it by.
    pub fn compiled_dir(&self) -> PathBuf {
        self.dir.join(".compiled")
    }

    /// Reads an installed component for loading: its digest must be `expected` (the lockfile's
    /// pin) and its signature, the `.minisig` kept since install, must verify with today's
    /// trusted keys. `meta.json` is not trusted here: whoever can write the plugin directory
    /// can write it too. A key removed from `plugins.trusted_keys` stops its plugins loading.
    pub fn read_for_load(
        &self,
        plugin: &InstalledPlugin,
        expected: &str,
        lockfile: &Path,
    ) -> Result<(Vec<u8>, SignatureStatus)> {
        let bytes = self.read_verified(plugin, expected, lockfile)?;
        let status = self
            .signature_now(plugin, &bytes)
            .map_err(|message| Error::Signature {
                path: plugin.path.display().to_string(),
                message: format!("at load: {message}"),
            })?;
        Ok((bytes, status))
    }

    /// What the `.minisig` kept beside an installed component says of `bytes` under today's
    /// trusted keys and `require_signatures`: what a load would decide, not what `meta.json`
    /// recorded at install.
    pub fn signature_now(
        &self,
        plugin: &InstalledPlugin,
        bytes: &[u8],
    ) -> std::result::Result<SignatureStatus, String> {
        let sig_path = plugin.path.with_extension("wasm.minisig");
        let sig = match std::fs::read_to_string(&sig_path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("reading {}: {e}", sig_path.display())),
        };
        if sig.is_some() && self.trusted_keys.is_empty() && !self.require_signatures {
            // Signed once, but nothing is trusted or required now: treated as unsigned.
            return Ok(SignatureStatus::Unsigned);
        }
        signature::check(
            bytes,
            sig.as_deref(),
            &self.trusted_keys,
            self.require_signatures,
        )
    }

    /// Reads an installed component, refusing it when its digest is not `expected`.
    pub fn read_verified(
        &self,
        plugin: &InstalledPlugin,
        expected: &str,
        lockfile: &Path,
    ) -> Result<Vec<u8>> {
        use sha2::{Digest, Sha256};
        let bytes = std::fs::read(&plugin.path).map_err(|e| Error::io(&plugin.path, e))?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != expected {
            return Err(Error::Lock {
                lockfile: lockfile.display().to_string(),
                message: format!(
                    "{}@{}: digest mismatch: locked {expected}, installed file has {actual}; refusing to load",
                    plugin.id, plugin.version
                ),
            });
        }
        Ok(bytes)
    }
}

/// A component whose manifest and imports pass, before anything is written.
pub fn checked(bytes: &[u8], label: &str) -> Result<ComponentInfo> {
    let component_error = |source| Error::Component {
        path: label.to_owned(),
        source,
    };
    let info = ComponentInfo::parse(bytes).map_err(component_error)?;
    info.check_imports().map_err(component_error)?;
    Ok(info)
}

fn read_dir(dir: &Path) -> Result<Vec<std::fs::DirEntry>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    entries
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))
}
