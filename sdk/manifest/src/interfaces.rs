//! The `tessera:host` interfaces, one row each: how a manifest requests an interface and which
//! operator key grants it.
//!
//! Three readers share this one table: the import check here ([`crate::ComponentInfo`]), the
//! runtime's grant check, and the runtime's linker (whose capability registry has exactly one
//! capability per row, which its tests enforce). Adding an interface is one row here, its WIT
//! file in a new WIT version, and its capability module in the runtime.

use crate::Manifest;

/// One `tessera:host` interface.
#[derive(Debug, Clone, Copy)]
pub struct HostInterface {
    /// The name in `tessera:host/NAME@VERSION`.
    pub name: &'static str,
    /// Whether a manifest requests it; always true for an always-linked interface.
    pub requested: fn(&Manifest) -> bool,
    /// What in the manifest requests it, for messages; empty for an always-linked interface.
    pub requested_by: &'static [&'static str],
    /// The keys under `systems.NAME` that grant it; empty for an always-linked interface.
    pub granted_by: &'static [&'static str],
}

/// Every `tessera:host` interface of every supported WIT version. The first three are linked
/// for every plugin: they reach nothing outside the host.
pub const HOST_INTERFACES: &[HostInterface] = &[
    always_linked("errors"),
    always_linked("log"),
    always_linked("config"),
    HostInterface {
        name: "http",
        requested: |m| !m.capabilities.http.is_empty() || !m.capabilities.http_config.is_empty(),
        requested_by: &["capabilities.http", "capabilities.http_config"],
        granted_by: &["grants.http"],
    },
    HostInterface {
        name: "ldap",
        requested: |m| !m.capabilities.ldap.is_empty(),
        requested_by: &["capabilities.ldap"],
        granted_by: &["grants.ldap"],
    },
    HostInterface {
        name: "xml",
        requested: |m| m.capabilities.xml,
        requested_by: &["capabilities.xml = true"],
        granted_by: &["grants.xml"],
    },
    HostInterface {
        name: "vault",
        requested: Manifest::uses_vault,
        requested_by: &[
            "capabilities.secrets",
            "capabilities.state",
            "a secret config field",
        ],
        granted_by: &["grants.secrets", "grants.state"],
    },
    HostInterface {
        name: "files",
        requested: |m| m.capabilities.files,
        requested_by: &["capabilities.files = true"],
        granted_by: &["grants.files"],
    },
];

const fn always_linked(name: &'static str) -> HostInterface {
    HostInterface {
        name,
        requested: |_| true,
        requested_by: &[],
        granted_by: &[],
    }
}

/// The row of a `tessera:host` interface, by name.
pub fn host_interface(name: &str) -> Option<&'static HostInterface> {
    HOST_INTERFACES.iter().find(|i| i.name == name)
}

impl HostInterface {
    /// Linked for every plugin: nothing to request, nothing to grant.
    pub fn always_linked(&self) -> bool {
        self.granted_by.is_empty()
    }

    /// What requests it, as a phrase: `capabilities.http or capabilities.http_config`.
    pub fn request_hint(&self) -> String {
        either(self.requested_by.iter().map(|k| (*k).to_owned()).collect())
    }

    /// The keys that grant it on `system`, as a phrase: `systems.hr.grants.http`.
    pub fn grant_hint(&self, system: &str) -> String {
        either(
            self.granted_by
                .iter()
                .map(|k| format!("systems.{system}.{k}"))
                .collect(),
        )
    }
}

/// `a`, `a or b`, `a, b or c`.
fn either(mut items: Vec<String>) -> String {
    match items.pop() {
        None => String::new(),
        Some(last) if items.is_empty() => last,
        Some(last) => format!("{} or {last}", items.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::SUPPORTED_WIT;

    /// The interfaces a frozen WIT version's `host` package declares, read from its files.
    fn declared(release: &str) -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../wit")
            .join(format!("since_v{release}"))
            .join("host");
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("the frozen WIT folder exists") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("readable");
            names.extend(text.lines().filter_map(|line| {
                let rest = line.trim_start().strip_prefix("interface ")?;
                Some(rest.trim_end_matches(['{', ' ']).to_owned())
            }));
        }
        assert!(!names.is_empty(), "no interfaces in {}", dir.display());
        names
    }

    #[test]
    fn every_declared_interface_has_exactly_one_row() {
        for release in SUPPORTED_WIT {
            for name in declared(release) {
                let rows = HOST_INTERFACES.iter().filter(|i| i.name == name).count();
                assert_eq!(rows, 1, "tessera:host/{name}@{release}: {rows} rows");
            }
        }
    }

    #[test]
    fn every_row_is_declared_by_the_newest_version() {
        let newest: BTreeSet<String> = declared(crate::WIT_VERSION).into_iter().collect();
        for row in HOST_INTERFACES {
            assert!(newest.contains(row.name), "row `{}` has no WIT", row.name);
        }
        assert_eq!(newest.len(), HOST_INTERFACES.len());
    }

    #[test]
    fn always_linked_rows_need_neither_request_nor_grant() {
        let empty = crate::manifest::tests::sample();
        for row in HOST_INTERFACES {
            assert_eq!(
                row.requested_by.is_empty(),
                row.always_linked(),
                "{}",
                row.name
            );
            if row.always_linked() {
                assert!((row.requested)(&empty), "{}", row.name);
            } else {
                assert!(!(row.requested)(&empty), "{}", row.name);
            }
        }
    }

    #[test]
    fn hints_read_as_phrases() {
        let http = host_interface("http").expect("row");
        assert_eq!(
            http.request_hint(),
            "capabilities.http or capabilities.http_config"
        );
        assert_eq!(http.grant_hint("hr"), "systems.hr.grants.http");
        let vault = host_interface("vault").expect("row");
        assert_eq!(
            vault.request_hint(),
            "capabilities.secrets, capabilities.state or a secret config field"
        );
        assert_eq!(
            vault.grant_hint("hr"),
            "systems.hr.grants.secrets or systems.hr.grants.state"
        );
        assert!(host_interface("sockets").is_none());
    }
}
