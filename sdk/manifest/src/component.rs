use sha2::{Digest, Sha256};
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

use crate::{Error, Manifest};

/// What the bytes of a plugin say about it, read without compiling or running it.
#[derive(Debug, Clone)]
pub struct ComponentInfo {
    /// The manifest the SDK wrote.
    pub manifest: Manifest,
    /// The component's real imports, `tessera:host/http@0.1.0`, `wasi:io/streams@0.2.6`, ….
    pub imports: Vec<String>,
    /// The component's exports.
    pub exports: Vec<String>,
    /// Lower-case hex SHA-256 of the whole file.
    pub sha256: String,
}

/// What an import is, for the cross-check against the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportClass {
    /// A `tessera:host` interface, by name (`http`, `ldap`, …), with its version.
    Host {
        /// Interface name.
        interface: String,
        /// Package version in the import name.
        version: Option<String>,
    },
    /// A WASI 0.2 interface the host links with nothing granted (no files, env, sockets,
    /// stdin), or the types-only `tessera:connector/types` interface.
    Inert,
    /// Anything else: refused.
    Foreign,
}

const INERT_WASI: [&str; 6] = [
    "wasi:cli/",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:filesystem/",
    "wasi:sockets/",
];

/// Sorts an import name into what the host does with it.
pub fn classify_import(name: &str) -> ImportClass {
    if let Some(rest) = name.strip_prefix("tessera:host/") {
        let (interface, version) = match rest.split_once('@') {
            Some((i, v)) => (i, Some(v.to_owned())),
            None => (rest, None),
        };
        return ImportClass::Host {
            interface: interface.to_owned(),
            version,
        };
    }
    if name.starts_with("tessera:connector/types@0.1.") {
        return ImportClass::Inert;
    }
    let wasi_02 = name
        .split_once('@')
        .is_some_and(|(_, v)| v.starts_with("0.2."));
    if wasi_02 && INERT_WASI.iter().any(|p| name.starts_with(p)) {
        ImportClass::Inert
    } else {
        ImportClass::Foreign
    }
}

impl ComponentInfo {
    /// Validates the binary, reads its manifest, imports and exports, and hashes it.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        if !bytes.starts_with(b"\0asm") {
            return Err(Error::NotWasm(bytes.iter().take(4).copied().collect()));
        }
        if Parser::is_core_wasm(bytes) {
            return Err(Error::CoreModule);
        }
        Validator::new_with_features(WasmFeatures::all())
            .validate_all(bytes)
            .map_err(|e| Error::Malformed(e.to_string()))?;
        let (manifest_bytes, imports, exports) = scan(bytes)?;
        let manifest = Manifest::from_json(&manifest_bytes.ok_or(Error::MissingManifest)?)?;
        Ok(Self {
            manifest,
            imports,
            exports,
            sha256: hex::encode(Sha256::digest(bytes)),
        })
    }

    /// Refuses imports the manifest does not request and exports that do not fit its kind.
    pub fn check_imports(&self) -> Result<(), Error> {
        let undeclared: Vec<String> = self
            .imports
            .iter()
            .filter_map(|name| self.import_problem(name))
            .collect();
        if !undeclared.is_empty() {
            return Err(Error::UndeclaredImports(undeclared));
        }
        let expected = self.manifest.kind.export_interface();
        if !self.exports.iter().any(|e| e.starts_with(expected)) {
            return Err(Error::WrongExports {
                kind: self.manifest.kind.as_str().into(),
                expected: expected.into(),
                found: self.exports.clone(),
            });
        }
        Ok(())
    }

    fn import_problem(&self, name: &str) -> Option<String> {
        let caps = &self.manifest.capabilities;
        match classify_import(name) {
            ImportClass::Inert => None,
            ImportClass::Foreign => Some(format!(
                "`{name}` is not a tessera:host or WASI 0.2 interface"
            )),
            ImportClass::Host { interface, version } => {
                if let Some(v) = version.as_deref().filter(|v| !v.starts_with("0.1.")) {
                    return Some(format!(
                        "`{name}`: tessera:host {v} is not supported by this host"
                    ));
                }
                let (declared, how) = match interface.as_str() {
                    "log" | "config" | "errors" => (true, ""),
                    "http" => (
                        !caps.http.is_empty() || !caps.http_config.is_empty(),
                        "capabilities.http or capabilities.http_config",
                    ),
                    "ldap" => (!caps.ldap.is_empty(), "capabilities.ldap"),
                    "xml" => (caps.xml, "capabilities.xml = true"),
                    "vault" => (
                        self.manifest.uses_vault(),
                        "capabilities.secrets, capabilities.state or a secret config field",
                    ),
                    _ => return Some(format!("`{name}` is not a tessera:host interface")),
                };
                (!declared).then(|| {
                    format!("`{name}` is imported but the manifest does not request it ({how})")
                })
            }
        }
    }
}

type Scan = (Option<Vec<u8>>, Vec<String>, Vec<String>);

/// Walks the binary once: the manifest section may sit in the embedded core module; imports and
/// exports are read from the outermost component only.
fn scan(bytes: &[u8]) -> Result<Scan, Error> {
    let mut manifest = None;
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| Error::Malformed(e.to_string()))? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::CustomSection(s) if s.name() == crate::SECTION => {
                let previous = manifest.replace(s.data().to_vec());
                if previous.is_some() {
                    return Err(Error::BadManifest("more than one manifest section".into()));
                }
            }
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    let import = import.map_err(|e| Error::Malformed(e.to_string()))?;
                    imports.push(import.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    let export = export.map_err(|e| Error::Malformed(e.to_string()))?;
                    exports.push(export.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok((manifest, imports, exports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_imports() {
        assert_eq!(
            classify_import("tessera:host/http@0.1.0"),
            ImportClass::Host {
                interface: "http".into(),
                version: Some("0.1.0".into())
            }
        );
        assert_eq!(classify_import("wasi:io/streams@0.2.6"), ImportClass::Inert);
        assert_eq!(
            classify_import("tessera:connector/types@0.1.0"),
            ImportClass::Inert
        );
        assert_eq!(
            classify_import("wasi:http/outgoing-handler@0.2.6"),
            ImportClass::Foreign
        );
        assert_eq!(
            classify_import("wasi:io/streams@0.3.0"),
            ImportClass::Foreign
        );
        assert_eq!(classify_import("evil:net/raw"), ImportClass::Foreign);
    }

    #[test]
    fn refuses_what_is_not_a_component() {
        assert!(matches!(
            ComponentInfo::parse(b"hello"),
            Err(Error::NotWasm(_))
        ));
        let core = b"\0asm\x01\0\0\0";
        assert!(matches!(ComponentInfo::parse(core), Err(Error::CoreModule)));
        let truncated = b"\0asm\x0d\0\x01\0\x01\x10";
        assert!(matches!(
            ComponentInfo::parse(truncated),
            Err(Error::Malformed(_))
        ));
    }
}
