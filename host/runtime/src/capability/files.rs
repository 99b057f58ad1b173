//! `tessera:host/files` (WIT 0.2.1): read-only access to the one directory the operator grants
//! a system, for sources that arrive as files (the CSV exports of SAP HR or Beaufort).
//!
//! A name is relative to that directory. Before anything is opened the name is checked by its
//! parts (no absolute path, no `..`, no empty or `.` part), and the resolved path is checked
//! again after links are followed, so a link inside the directory cannot lead out of it. Both
//! refusals are denials naming `grants.files`. Nothing here writes, creates or deletes. Every
//! list and read is audited with its outcome.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde_json::{Map, Value};
use wasmtime::component::{HasSelf, Linker};

use super::{Caller, Capability, ConfigureContext};
use crate::bindings::host::errors::HostError;
use crate::bindings::host::files::{FileInfo, Host};
use crate::bindings::{WitVersion, v0_2};
use crate::host_state::HostState;

/// The grant of one system; cloned out of the instance's state for a call, so no borrow of
/// the state is held across the file system's awaits.
#[derive(Clone)]
pub(crate) struct FilesCap {
    /// The granted directory, as configured.
    root: PathBuf,
    /// Largest file handed to the plugin, bytes.
    max_bytes: u64,
    caller: Caller,
}

impl Capability for FilesCap {
    const INTERFACE: &'static str = "files";

    fn configure(ctx: &ConfigureContext<'_>, warnings: &mut Vec<String>) -> Option<Self> {
        let requested = ctx.manifest.capabilities.files;
        let granted = ctx.spec.grants.files.as_ref();
        if granted.is_some() && !requested {
            warnings.push(format!(
                "{}: granted but the plugin never requested it",
                ctx.caller.key("grants.files")
            ));
        }
        let root = granted.filter(|_| requested)?.clone();
        Some(Self {
            root,
            max_bytes: ctx.spec.limits.file_bytes(),
            caller: ctx.caller.clone(),
        })
    }

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            // 0.1 has no files interface, so a 0.1 plugin cannot import one.
            WitVersion::V0_1 => Ok(()),
            WitVersion::V0_2 => v0_2::host::files::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }

    fn effective(grant: Option<&Self>, out: &mut Map<String, Value>) {
        let dir = grant.map(|f| Value::String(f.root.display().to_string()));
        out.insert("files".into(), dir.unwrap_or(Value::Null));
    }
}

impl FilesCap {
    /// The real path `name` leads to, checked to lie in the granted directory after every link
    /// is followed. `what` is the audited description of the call.
    async fn resolve(&self, name: &str, what: &str) -> Result<PathBuf, HostError> {
        let caller = &self.caller;
        let deny = |why: &str| caller.deny(format!("{what}: {why}"), caller.key("grants.files"));
        if let Some(why) = tessera_manifest::refused_file_name(name) {
            return Err(deny(why));
        }
        let root = tokio::fs::canonicalize(&self.root).await.map_err(|e| {
            let problem = format!(
                "the granted directory `{}` ({}) cannot be opened: {e}",
                self.root.display(),
                caller.key("grants.files")
            );
            caller.record("file-read", what, format!("failed: {problem}"));
            HostError::Unavailable(problem)
        })?;
        let path = match tokio::fs::canonicalize(root.join(name)).await {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                caller.record("file-read", what, "failed: not found".into());
                return Err(HostError::NotFound(format!("{what}: no such file")));
            }
            Err(e) => return Err(self.io_failure(what, &e)),
        };
        if !path.starts_with(&root) {
            return Err(deny("a link leading outside the granted directory"));
        }
        Ok(path)
    }

    fn io_failure(&self, what: &str, e: &std::io::Error) -> HostError {
        self.caller
            .record("file-read", what, format!("failed: {e}"));
        HostError::Unavailable(format!("{what}: {e}"))
    }
}

/// A directory entry as the plugin sees it, if it is a regular file (links followed).
async fn file_info(dir: &Path, prefix: &str, entry: &tokio::fs::DirEntry) -> Option<FileInfo> {
    let name = entry.file_name().into_string().ok()?;
    let meta = tokio::fs::metadata(dir.join(&name)).await.ok()?;
    if !meta.is_file() {
        return None;
    }
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Some(FileInfo {
        name: format!("{prefix}{name}"),
        size: meta.len(),
        modified,
    })
}

impl HostState {
    fn files_cap(&self, what: &str) -> Result<FilesCap, HostError> {
        let caller = &self.caps.caller;
        self.caps
            .files
            .clone()
            .ok_or_else(|| caller.deny(what.to_owned(), caller.key("grants.files")))
    }
}

impl Host for HostState {
    async fn list_dir(&mut self, dir: String) -> Result<Vec<FileInfo>, HostError> {
        let what = format!("list of directory `{dir}`");
        let cap = self.files_cap(&what)?;
        let path = cap.resolve(&dir, &what).await?;
        let mut entries = tokio::fs::read_dir(&path)
            .await
            .map_err(|e| cap.io_failure(&what, &e))?;
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut out = Vec::new();
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| cap.io_failure(&what, &e))?
        {
            out.extend(file_info(&path, &prefix, &entry).await);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        cap.caller
            .record("file-list", &what, format!("ok: {} files", out.len()));
        Ok(out)
    }

    async fn read(&mut self, name: String) -> Result<Vec<u8>, HostError> {
        let what = format!("file `{name}`");
        let cap = self.files_cap(&what)?;
        let path = cap.resolve(&name, &what).await?;
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| cap.io_failure(&what, &e))?;
        if !meta.is_file() {
            return Err(HostError::NotFound(format!("{what}: not a regular file")));
        }
        if meta.len() > cap.max_bytes {
            let why = format!(
                "{what} is {} bytes, over the limit of {} ({})",
                meta.len(),
                cap.max_bytes,
                cap.caller.key("limits.file_mib")
            );
            cap.caller
                .record("file-read", &what, format!("failed: {why}"));
            return Err(HostError::TooLarge(why));
        }
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| cap.io_failure(&what, &e))?;
        cap.caller
            .record("file-read", &what, format!("ok: {} bytes", bytes.len()));
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_plain_relative_names_pass() {
        for ok in [
            "",
            "persons.csv",
            "exports/2026-12-05/persons.csv",
            "a..b.csv",
        ] {
            assert_eq!(tessera_manifest::refused_file_name(ok), None, "{ok}");
        }
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a/.",
            "x\0y",
        ] {
            assert!(tessera_manifest::refused_file_name(bad).is_some(), "{bad}");
        }
    }
}
