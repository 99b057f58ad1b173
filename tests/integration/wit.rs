use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn wit_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit")
}

fn wit_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wit"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The one package version every file of a working package declares: `0.2.3`.
fn package_version(package: &str, files: &[(String, String)]) -> String {
    let versions: Vec<&str> = files
        .iter()
        .filter_map(|(_, text)| {
            let line = text.lines().find(|l| l.starts_with("package "))?;
            line.trim_end_matches(';').rsplit_once('@').map(|(_, v)| v)
        })
        .collect();
    assert_eq!(
        versions.len(),
        files.len(),
        "wit/{package}: a file without a package line"
    );
    assert!(
        versions.windows(2).all(|w| w[0] == w[1]),
        "wit/{package}: files of one package name different versions: {versions:?}"
    );
    versions[0].to_owned()
}

/// The working WIT equals the frozen release of its version, when that version is released;
/// a change to a released contract needs a new version number (and a new frozen folder when
/// it is released).
#[test]
fn the_frozen_release_matches_the_working_copy_of_the_same_version() {
    let root = wit_root();
    for package in ["connector", "host"] {
        let working = wit_files(&root.join(package));
        let version = package_version(package, &working);
        let frozen = root.join(format!("since_v{version}")).join(package);
        if frozen.exists() {
            assert_eq!(
                working,
                wit_files(&frozen),
                "wit/{package} differs from the released {version} without a version bump"
            );
        }
    }
}

/// Every frozen release, pinned by a digest of its files: a released contract never changes,
/// whatever version the working copy has moved on to. Freezing a new release adds a row.
const FROZEN: &[(&str, &str)] = &[
    (
        "since_v0.1.0",
        "d2e7d9ea3e79d9b91c6ee24b4c3f47d4785fa70d2f6958f170dbd7bce85f8df3",
    ),
    (
        "since_v0.2.0",
        "66c785b21f4beb0e344835f1c0aa5465da8397c2e89a691e7b87cb78d934278e",
    ),
    (
        "since_v0.2.1",
        "0128e7a1dd467da9389f0bdb0189bdad4b5b8c839c02e6bf3d604d998dc90186",
    ),
    (
        "since_v0.2.2",
        "33d2c298f276626b6093f46e65a28c18c5e70e1fb5ada90e015aa6fcace564e1",
    ),
    (
        "since_v0.2.3",
        "7e292435a2db232dc1772a5a734422813f4bdacab3580dd62fdb3303bec12a74",
    ),
];

/// SHA-256 over every file below `dir`, in path order: each relative path (with `/`), a NUL,
/// the content (for a link, `-> ` and its target), a NUL.
fn digest(dir: &Path) -> String {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), out);
            } else {
                out.push(entry.path());
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    let mut named: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap();
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            (parts.join("/"), p)
        })
        .collect();
    named.sort();
    let mut hasher = Sha256::new();
    for (name, path) in named {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        let content = match std::fs::read_link(&path) {
            Ok(target) => format!("-> {}", target.display()).into_bytes(),
            Err(_) => std::fs::read(&path).unwrap(),
        };
        hasher.update(content);
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

#[test]
fn every_frozen_release_is_pinned_and_unchanged() {
    let root = wit_root();
    let mut released: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("since_v"))
        .collect();
    released.sort();
    let pinned: Vec<String> = FROZEN.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(released, pinned, "a frozen release without a pinned digest");
    for (name, expected) in FROZEN {
        assert_eq!(
            digest(&root.join(name)),
            *expected,
            "wit/{name} was edited after its release"
        );
    }
}
