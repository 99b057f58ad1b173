//! `tessera plugin new NAME --kind source|target`: a plugin crate from templates shipped in the
//! binary, that builds for wasm32-wasip2, whose tests pass in the SDK's mock host, and that
//! passes the connector contract (`tessera plugin test`) against the mock far system it comes
//! with.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

use crate::args::PluginKind;

/// One file of a template: where it goes in the crate, and its text with `{{…}}` holes.
struct File {
    path: &'static str,
    text: &'static str,
}

const COMMON: &[File] = &[
    File {
        path: "Cargo.toml",
        text: include_str!("templates/common/Cargo.toml.tpl"),
    },
    File {
        path: "README.md",
        text: include_str!("templates/common/README.md.tpl"),
    },
    File {
        path: ".gitignore",
        text: include_str!("templates/common/gitignore.tpl"),
    },
    File {
        path: "contract.toml",
        text: include_str!("templates/common/contract.toml.tpl"),
    },
];

const SOURCE: &[File] = &[
    File {
        path: "tessera.toml",
        text: include_str!("templates/source/tessera.toml.tpl"),
    },
    File {
        path: "mock.json",
        text: include_str!("templates/source/mock.json.tpl"),
    },
    File {
        path: "src/lib.rs",
        text: include_str!("templates/source/lib.rs.tpl"),
    },
    File {
        path: "src/map.rs",
        text: include_str!("templates/source/map.rs.tpl"),
    },
    File {
        path: "examples/far_system.rs",
        text: include_str!("templates/source/far_system.rs.tpl"),
    },
];

const TARGET: &[File] = &[
    File {
        path: "tessera.toml",
        text: include_str!("templates/target/tessera.toml.tpl"),
    },
    File {
        path: "mock.json",
        text: include_str!("templates/target/mock.json.tpl"),
    },
    File {
        path: "src/lib.rs",
        text: include_str!("templates/target/lib.rs.tpl"),
    },
    File {
        path: "src/map.rs",
        text: include_str!("templates/target/map.rs.tpl"),
    },
    File {
        path: "examples/far_system.rs",
        text: include_str!("templates/target/far_system.rs.tpl"),
    },
    File {
        path: "case.toml",
        text: include_str!("templates/target/case.toml.tpl"),
    },
];

/// Writes the crate `dir/NAME`; refuses a bad name, an SDK that is not one, and a directory
/// that exists. Returns the crate's directory.
pub fn new(name: &str, kind: PluginKind, dir: &Path, sdk: &Path) -> Result<PathBuf> {
    check_name(name)?;
    let sdk = sdk
        .canonicalize()
        .with_context(|| format!("--sdk {}: no such directory", sdk.display()))?;
    let manifest = std::fs::read_to_string(sdk.join("Cargo.toml")).unwrap_or_default();
    ensure!(
        manifest.contains("name = \"tessera-sdk\""),
        "--sdk {}: not the tessera-sdk crate (the `sdk` directory of a Tessera checkout)",
        sdk.display()
    );
    let root = dir.join(name);
    ensure!(
        !root.exists(),
        "{} exists; plugin new never overwrites",
        root.display()
    );
    let sdk_text = sdk.to_string_lossy().replace('\\', "/");
    let holes = holes(name, kind, &sdk_text);
    let files = COMMON.iter().chain(match kind {
        PluginKind::Source => SOURCE,
        PluginKind::Target => TARGET,
    });
    for file in files {
        let path = root.join(file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, fill(file.text, &holes))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(root)
}

/// A plugin id: lower-case letters, digits and `-`, starting with a letter, at most 64.
fn check_name(name: &str) -> Result<()> {
    let good = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    if !good {
        bail!(
            "`{name}` is not a plugin name: lower-case letters, digits and `-`, starting with a letter"
        );
    }
    Ok(())
}

fn holes(name: &str, kind: PluginKind, sdk: &str) -> Vec<(&'static str, String)> {
    let (kind_word, what, description, case_flag) = match kind {
        PluginKind::Source => (
            "source",
            "It reads employees from an HR system's REST API as persons with their contracts.",
            "A Tessera source: employees from an HR system's REST API",
            "",
        ),
        PluginKind::Target => (
            "target",
            "It keeps accounts and their groups in a system with a REST API.",
            "A Tessera target: accounts and groups through a REST API",
            " --case case.toml",
        ),
    };
    vec![
        ("{{name}}", name.to_owned()),
        ("{{crate}}", name.replace('-', "_")),
        (
            "{{system}}",
            name.split('-').next().unwrap_or(name).to_owned(),
        ),
        ("{{kind}}", kind_word.to_owned()),
        ("{{what}}", what.to_owned()),
        ("{{description}}", description.to_owned()),
        ("{{sdk}}", sdk.to_owned()),
        ("{{case_flag}}", case_flag.to_owned()),
    ]
}

fn fill(text: &str, holes: &[(&'static str, String)]) -> String {
    holes
        .iter()
        .fold(text.to_owned(), |t, (hole, value)| t.replace(hole, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plugin_ids_and_every_hole_is_filled() {
        for bad in ["Acme", "9lives", "acme_hr", "acme-", ""] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        check_name("acme-hr2").expect("a good name");
        for kind in [PluginKind::Source, PluginKind::Target] {
            let holes = holes("acme-hr", kind, "/opt/tessera/sdk");
            let files = COMMON.iter().chain(if kind == PluginKind::Source {
                SOURCE
            } else {
                TARGET
            });
            for file in files {
                let text = fill(file.text, &holes);
                assert!(!text.contains("{{"), "{}: a hole left: {text}", file.path);
            }
        }
    }
}
