use std::path::{Path, PathBuf};

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

/// While the working WIT still says 0.1.0, it must equal the frozen release; a change needs a
/// new version number (and a new frozen folder when released).
#[test]
fn the_frozen_release_matches_the_working_copy_of_the_same_version() {
    let root = wit_root();
    for package in ["connector", "host"] {
        let working = wit_files(&root.join(package));
        let frozen = wit_files(&root.join("since_v0.1.0").join(package));
        assert!(!frozen.is_empty());
        let same_version = working.iter().all(|(_, text)| text.contains("@0.1.0;"));
        if same_version {
            assert_eq!(
                working, frozen,
                "wit/{package} changed without a version bump"
            );
        }
    }
}
