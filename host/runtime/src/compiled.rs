//! Compiled plugins kept on disk, so a run loads a plugin in milliseconds instead of compiling
//! it with Cranelift (about 0.15 s per plugin, 0.9 s for a hospital's six, on every `sync`).
//!
//! - An entry is `<plugins dir>/.compiled/<sha256 of the component>-<engine>.cwasm`; `engine`
//!   is a digest of wasmtime's compatibility hash (its version, this runtime's `Config`, the
//!   CPU's features), so another build or machine never picks up a foreign entry.
//! - Loading an entry is loading native code. The plugin directory is not trusted (the
//!   lockfile's digest and the signature are what make a component loadable), so each entry
//!   carries an HMAC-SHA256 under a key derived from the vault key, over the component's digest,
//!   the engine and the compiled bytes. An entry that fails it, or that wasmtime refuses, is
//!   compiled again and replaced. Without a vault key nothing is cached.
//! - The cache is an optimisation: an entry that cannot be written is logged and skipped.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use wasmtime::Engine;
use wasmtime::component::Component;
use zeroize::Zeroizing;

const TAG_LEN: usize = 32;

/// Where compiled plugins are kept, and the key that authenticates them.
pub struct CompiledCache {
    dir: PathBuf,
    key: Zeroizing<[u8; 32]>,
    /// Loads served from an entry, and components compiled, since this cache was opened.
    hits: AtomicU64,
    compiled: AtomicU64,
}

impl CompiledCache {
    /// A cache in `dir` (created on first write) under `key`.
    pub fn new(dir: PathBuf, key: Zeroizing<[u8; 32]>) -> Self {
        Self {
            dir,
            key,
            hits: AtomicU64::new(0),
            compiled: AtomicU64::new(0),
        }
    }

    /// Loads served from an entry, and components compiled, so far.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.compiled.load(Ordering::Relaxed),
        )
    }

    /// The component whose digest is `sha256`: from its entry when one verifies, else
    /// compiled from `bytes` and kept.
    pub(crate) fn component(
        &self,
        engine: &Engine,
        sha256: &str,
        bytes: &[u8],
    ) -> wasmtime::Result<Component> {
        let engine_id = engine_id(engine);
        let path = self.dir.join(format!("{sha256}-{engine_id}.cwasm"));
        if let Some(component) = self.cached(engine, &path, sha256, &engine_id) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(component);
        }
        let component = Component::new(engine, bytes)?;
        self.compiled.fetch_add(1, Ordering::Relaxed);
        match component.serialize() {
            Ok(compiled) => self.keep(&path, sha256, &engine_id, &compiled),
            Err(e) => {
                tracing::warn!(error = %e, "a compiled plugin cannot be serialised; not cached")
            }
        }
        Ok(component)
    }

    /// The entry at `path` when it exists, verifies and loads.
    fn cached(&self, engine: &Engine, path: &Path, sha256: &str, id: &str) -> Option<Component> {
        let entry = match std::fs::read(path) {
            Ok(entry) => entry,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "compiled plugin unreadable; compiling");
                return None;
            }
        };
        let verified = entry
            .split_at_checked(TAG_LEN)
            .filter(|(tag, compiled)| self.mac(sha256, id, compiled).verify_slice(tag).is_ok());
        let Some((_, compiled)) = verified else {
            tracing::warn!(path = %path.display(), "compiled plugin fails authentication; compiling it again");
            return None;
        };
        // SAFETY: the bytes are those this runtime serialised for this component's digest and
        // this engine: the HMAC under the installation's key proves it, and it was checked on
        // the copy in memory that is deserialised, so the file cannot change in between.
        #[allow(unsafe_code)]
        let loaded = unsafe { Component::deserialize(engine, compiled) };
        loaded
            .inspect_err(|e| {
                tracing::warn!(path = %path.display(), error = %e, "compiled plugin refused by wasmtime; compiling");
            })
            .ok()
    }

    /// Writes an entry whole or not at all: a temporary file renamed into place.
    fn keep(&self, path: &Path, sha256: &str, id: &str, compiled: &[u8]) {
        let tag = self.mac(sha256, id, compiled).finalize().into_bytes();
        let written = std::fs::create_dir_all(&self.dir)
            .and_then(|()| tempfile::NamedTempFile::new_in(&self.dir))
            .and_then(|mut file| {
                file.write_all(&tag)?;
                file.write_all(compiled)?;
                file.persist(path).map_err(|e| e.error)?;
                Ok(())
            });
        if let Err(e) = written {
            tracing::warn!(dir = %self.dir.display(), error = %e, "compiled plugin not cached");
        }
    }

    fn mac(&self, sha256: &str, id: &str, compiled: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&*self.key)
            .expect("HMAC takes a key of any length");
        for part in [sha256.as_bytes(), id.as_bytes()] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        mac.update(compiled);
        mac
    }
}

/// Removes every entry of the component `sha256`, for whatever engine; for `plugin remove`.
pub(crate) fn forget(dir: &Path, sha256: &str) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let prefix = format!("{sha256}-");
    for entry in entries {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A short, file-name-safe digest of what makes compiled code loadable by `engine`.
fn engine_id(engine: &Engine) -> String {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
