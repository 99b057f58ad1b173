//! What a component's bytes say about it: the manifest, the real imports and exports, and the
//! cross-check of the two against [`crate::HOST_INTERFACES`] and [`crate::SUPPORTED_WIT`].

use semver::Version;
use sha2::{Digest, Sha256};
use wasmparser::{Parser, Payload, Validator, WasmFeatures};

use crate::{Error, Manifest, host_interface, supported_wit};

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
    /// stdin), or a types-only `tessera:connector` interface (`types`, `pages`) of a supported
    /// WIT version.
    Inert,
    /// Anything else: refused.
    Foreign,
}

/// The `tessera:connector` interfaces that only declare types, which components import.
const TYPES_ONLY: [&str; 2] = ["types", "pages"];

/// The version of a types-only `tessera:connector` import: `0.2.0` in
/// `tessera:connector/pages@0.2.0`.
fn connector_types_version(name: &str) -> Option<&str> {
    let (interface, version) = name.strip_prefix("tessera:connector/")?.split_once('@')?;
    TYPES_ONLY.contains(&interface).then_some(version)
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
    if connector_types_version(name).is_some_and(|v| release_of(v).is_some()) {
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
        let exported = self.exports.iter().any(|e| {
            e.split_once('@').is_some_and(|(interface, version)| {
                interface == expected && self.version_problem(e, Some(version)).is_none()
            })
        });
        if !exported {
            return Err(Error::WrongExports {
                kind: self.manifest.kind.as_str().into(),
                expected: format!("{expected}@{}", self.manifest.wit),
                found: self.exports.clone(),
            });
        }
        Ok(())
    }

    fn import_problem(&self, name: &str) -> Option<String> {
        match classify_import(name) {
            // Types of another WIT version than the manifest's are a mix the host refuses.
            ImportClass::Inert => self.version_problem(name, connector_types_version(name)),
            ImportClass::Foreign => Some(format!(
                "`{name}` is not a tessera:host or WASI 0.2 interface"
            )),
            ImportClass::Host { interface, version } => {
                if let Some(problem) = self.version_problem(name, version.as_deref()) {
                    return Some(problem);
                }
                let Some(row) = host_interface(&interface) else {
                    return Some(format!("`{name}` is not a tessera:host interface"));
                };
                (!(row.requested)(&self.manifest)).then(|| {
                    format!(
                        "`{name}` is imported but the manifest does not request it ({})",
                        row.request_hint()
                    )
                })
            }
        }
    }

    /// A `tessera` import or export must be of a supported version, and of the one the
    /// manifest names: the host links a plugin in the bindings of its manifest's version only,
    /// so a component mixing versions is refused.
    fn version_problem(&self, name: &str, version: Option<&str>) -> Option<String> {
        let version = version?;
        let Some(release) = release_of(version) else {
            return Some(format!(
                "`{name}`: WIT {version} is not supported by this host (it supports {})",
                crate::wit::supported_list()
            ));
        };
        (supported_wit(&self.manifest.wit) != Some(release)).then(|| {
            format!(
                "`{name}`: WIT {version} does not match the manifest's WIT version {}",
                self.manifest.wit
            )
        })
    }
}

/// The supported release serving a version written in an import name.
fn release_of(version: &str) -> Option<&'static str> {
    Version::parse(version)
        .ok()
        .as_ref()
        .and_then(supported_wit)
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
            classify_import("tessera:connector/pages@0.2.0"),
            ImportClass::Inert
        );
        assert_eq!(
            classify_import("tessera:connector/source-connector@0.2.0"),
            ImportClass::Foreign
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

    /// A component of the sample manifest with these imports, as `parse` would read it.
    fn importing(imports: &[&str]) -> ComponentInfo {
        ComponentInfo {
            manifest: crate::manifest::tests::sample(),
            imports: imports.iter().map(|i| (*i).to_owned()).collect(),
            exports: vec!["tessera:connector/source-connector@0.1.0".into()],
            sha256: String::new(),
        }
    }

    fn problems(imports: &[&str]) -> Vec<String> {
        match importing(imports).check_imports() {
            Ok(()) => Vec::new(),
            Err(Error::UndeclaredImports(problems)) => problems,
            Err(e) => panic!("unexpected: {e}"),
        }
    }

    #[test]
    fn always_linked_interfaces_and_inert_imports_pass() {
        let ok = [
            "tessera:host/errors@0.1.0",
            "tessera:host/log@0.1.0",
            "tessera:host/config@0.1.0",
            "tessera:connector/types@0.1.0",
            "wasi:io/streams@0.2.6",
        ];
        assert_eq!(problems(&ok), Vec::<String>::new());
    }

    #[test]
    fn an_unrequested_interface_names_the_manifest_keys() {
        let found = problems(&["tessera:host/vault@0.1.0", "tessera:host/xml@0.1.0"]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("capabilities.secrets, capabilities.state"));
        assert!(found[1].contains("(capabilities.xml = true)"), "{found:?}");
    }

    #[test]
    fn an_unsupported_version_is_refused_naming_the_supported_ones() {
        let found = problems(&["tessera:host/log@0.3.0", "tessera:host/log@0.1.9"]);
        assert_eq!(found.len(), 2, "{found:?}");
        for problem in &found {
            assert!(
                problem.contains("is not supported by this host"),
                "{problem}"
            );
            assert!(
                problem.contains(&format!("it supports {}", crate::SUPPORTED_WIT.join(", "))),
                "{problem}"
            );
        }
        assert_eq!(
            classify_import("tessera:connector/types@0.3.0"),
            ImportClass::Foreign
        );
    }

    /// The sample manifest moved to WIT 0.2, exporting the 0.2 source world.
    fn importing_v0_2(imports: &[&str]) -> ComponentInfo {
        let mut info = importing(imports);
        info.manifest.wit = Version::new(0, 2, 0);
        info.exports = vec!["tessera:connector/source-connector@0.2.0".into()];
        info
    }

    #[test]
    fn a_wit_0_2_component_imports_wit_0_2() {
        let ok = [
            "tessera:host/errors@0.2.0",
            "tessera:host/log@0.2.0",
            "tessera:connector/types@0.2.0",
            "tessera:connector/pages@0.2.0",
        ];
        assert!(importing_v0_2(&ok).check_imports().is_ok());
    }

    #[test]
    fn a_component_mixing_wit_versions_is_refused() {
        let mixed = importing_v0_2(&["tessera:host/log@0.1.0", "tessera:connector/types@0.1.0"]);
        let Err(Error::UndeclaredImports(found)) = mixed.check_imports() else {
            panic!("mixing versions was accepted");
        };
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("does not match the manifest's WIT version 0.2.0"));
        let mut exports_0_1 = importing_v0_2(&[]);
        exports_0_1.exports = vec!["tessera:connector/source-connector@0.1.0".into()];
        assert!(matches!(
            exports_0_1.check_imports(),
            Err(Error::WrongExports { expected, .. }) if expected.ends_with("@0.2.0")
        ));
    }

    #[test]
    fn an_unknown_interface_is_refused() {
        let found = problems(&["tessera:host/sockets@0.1.0"]);
        assert_eq!(
            found,
            ["`tessera:host/sockets@0.1.0` is not a tessera:host interface"]
        );
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
