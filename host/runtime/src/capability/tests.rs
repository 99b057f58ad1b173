//! The registry against the manifest's interface table, and what the linker really links.

use std::path::Path;
use std::sync::Arc;

use tessera_config::{ApplySettings, CapabilityGrants, Limits, SourceSettings};
use tessera_manifest::{HOST_INTERFACES, Manifest, ResolvedConfig};
use wasmtime::component::Linker;

use super::*;
use crate::{HostEnv, MemoryServices, Runtime, RuntimeOptions};

/// A source plugin asking for every capability: one origin, one LDAP connection, XML, one
/// secret, state and files.
fn greedy_manifest() -> Manifest {
    let json = r#"{"format":1,"id":"probe","version":"1.0.0","kind":"source","wit":"0.1.0",
        "description":"","capabilities":{"http":["https://api.example.org"],"ldap":["dir"],
        "secrets":["token"],"xml":true,"state":true,"files":true}}"#;
    Manifest::from_json(json.as_bytes()).expect("a valid manifest")
}

fn settings(grants: CapabilityGrants) -> SystemSettings {
    SystemSettings {
        plugin: "probe".into(),
        version: semver::VersionReq::STAR,
        config: toml::Table::new(),
        grants,
        limits: Limits::default(),
        http_auth: Vec::new(),
        http_ca_files: Vec::new(),
        source: SourceSettings::default(),
        apply: ApplySettings::default(),
        schedule: Default::default(),
    }
}

fn everything() -> CapabilityGrants {
    CapabilityGrants {
        http: vec!["https://api.example.org".parse().expect("pattern")],
        ldap: vec!["dir".into()],
        secrets: vec!["token".into()],
        xml: true,
        state: true,
        files: Some("/srv/exports/hr".into()),
        ..CapabilityGrants::default()
    }
}

fn configure(manifest: &Manifest, grants: CapabilityGrants) -> Capabilities {
    configure_warning(manifest, grants).0
}

fn configure_warning(manifest: &Manifest, grants: CapabilityGrants) -> (Capabilities, Vec<String>) {
    let env = HostEnv::default();
    let caller = Caller {
        plugin: manifest.reference(),
        system: "probe".into(),
        services: Arc::new(MemoryServices::default()),
    };
    let ctx = ConfigureContext {
        manifest,
        spec: &settings(grants),
        config: &ResolvedConfig::default(),
        caller: &caller,
        env: &env,
    };
    Capabilities::configure(&ctx)
}

/// The interface's own functions (not its resources' methods), read from its WIT file; `None`
/// when the version has no such interface (it came later).
fn functions(wit: WitVersion, interface: &str) -> Option<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../../wit/since_v{}/host/{interface}.wit",
        wit.release()
    ));
    let text = std::fs::read_to_string(&path).ok()?;
    let mut in_resource = false;
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("resource ") {
            in_resource = line.ends_with('{');
        } else if in_resource {
            in_resource = line != "}";
        } else if let Some((name, _)) = line.split_once(": func(") {
            names.push(name.to_owned());
        }
    }
    Some(names)
}

/// The interfaces `caps` links for `wit`. Probed by defining one of each interface's functions
/// again: the linker refuses a second definition exactly when the capability linked it.
/// `errors` declares types only, so it has nothing to probe.
fn linked(caps: &Capabilities, wit: WitVersion) -> Vec<&'static str> {
    let runtime = Runtime::new(RuntimeOptions {
        pooling: false,
        ..RuntimeOptions::default()
    })
    .expect("an engine");
    let mut linker = Linker::new(runtime.engine());
    caps.link(&mut linker, wit).expect("links");
    let mut out = Vec::new();
    for row in HOST_INTERFACES {
        let Some(function) = functions(wit, row.name).into_iter().flatten().next() else {
            continue;
        };
        let name = format!("tessera:host/{}@{}", row.name, wit.release());
        let defined_again = linker
            .instance(&name)
            .and_then(|mut i| i.func_wrap(&function, |_, (): ()| Ok(())));
        if defined_again.is_err() {
            out.push(row.name);
        }
    }
    out
}

#[test]
fn only_the_errors_interface_has_no_functions_to_link() {
    for wit in WitVersion::ALL {
        for row in HOST_INTERFACES {
            let Some(functions) = functions(wit, row.name) else {
                continue;
            };
            assert_eq!(functions.is_empty(), row.name == "errors", "{}", row.name);
        }
    }
}

#[test]
fn the_registry_has_one_capability_per_table_row() {
    let mut registry = Capabilities::INTERFACES.to_vec();
    registry.sort_unstable();
    let mut table: Vec<&str> = HOST_INTERFACES.iter().map(|i| i.name).collect();
    table.sort_unstable();
    assert_eq!(registry, table);
}

#[test]
fn with_nothing_granted_only_the_always_linked_interfaces_are_linked() {
    let caps = configure(&greedy_manifest(), CapabilityGrants::default());
    for wit in WitVersion::ALL {
        assert_eq!(linked(&caps, wit), ["log", "config"]);
    }
    for row in HOST_INTERFACES {
        assert_eq!(caps.granted(row.name).is_ok(), row.always_linked());
    }
}

#[test]
fn a_requested_but_ungranted_interface_is_not_linked_and_names_its_key() {
    let grants = CapabilityGrants {
        http: Vec::new(),
        ..everything()
    };
    let caps = configure(&greedy_manifest(), grants);
    for wit in WitVersion::ALL {
        let linked = linked(&caps, wit);
        assert!(!linked.contains(&"http"), "{linked:?}");
        assert!(linked.contains(&"xml") && linked.contains(&"vault"));
    }
    let err = caps.granted("http").expect_err("not granted");
    assert!(err.contains("imports tessera:host/http"), "{err}");
    assert!(err.contains("set systems.probe.grants.http"), "{err}");
    let err = configure(&greedy_manifest(), CapabilityGrants::default())
        .granted("vault")
        .expect_err("not granted");
    assert!(
        err.ends_with("set systems.probe.grants.secrets or systems.probe.grants.state"),
        "{err}"
    );
}

#[test]
fn with_everything_granted_every_interface_links_in_every_version() {
    let caps = configure(&greedy_manifest(), everything());
    for wit in WitVersion::ALL {
        let probed: Vec<&str> = HOST_INTERFACES
            .iter()
            .map(|i| i.name)
            .filter(|name| *name != "errors" && functions(wit, name).is_some())
            .collect();
        assert_eq!(linked(&caps, wit), probed, "{wit:?}");
    }
    assert!(linked(&caps, WitVersion::V0_2).contains(&"files"));
}

#[test]
fn a_grant_nobody_requested_is_a_warning_and_not_effective() {
    let mut manifest = greedy_manifest();
    manifest.capabilities = tessera_manifest::Capabilities::default();
    let (caps, warnings) = configure_warning(&manifest, everything());
    for key in ["http", "ldap", "xml", "secrets", "state", "files"] {
        let key = format!("systems.probe.grants.{key}");
        assert!(
            warnings.iter().any(|w| w.starts_with(&key)),
            "{key}: {warnings:?}"
        );
    }
    let effective = caps.effective();
    assert_eq!(effective["http"], serde_json::json!([]));
    assert_eq!(effective["ldap"], serde_json::json!([]));
    assert_eq!(effective["secrets"], serde_json::json!([]));
    assert_eq!(effective["state"], false);
    assert_eq!(effective["xml"], false);
    assert_eq!(effective["files"], serde_json::Value::Null);
    let granted = configure(&greedy_manifest(), everything()).effective();
    assert_eq!(granted["http"][0], "https://api.example.org:443");
    assert_eq!(granted["ldap"][0], "dir");
    assert_eq!(granted["secrets"][0], "token");
    assert_eq!(granted["state"], true);
    assert_eq!(granted["xml"], true);
    assert_eq!(granted["files"], "/srv/exports/hr");
}
