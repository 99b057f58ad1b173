//! Builds the test plugins in `tests/fixtures/` (the 0.1.0 and 0.2.0 ones with cargo
//! invocations of their own) and the first-party plugins in `plugins/` for wasm32-wasip2 (installing the target
//! through rustup when it is missing) and tells the tests where they are.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest_dir
        .ancestors()
        .nth(2)
        .expect("tests/support sits two levels below the workspace root");
    for watched in ["tests/fixtures", "plugins", "sdk", "wit"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    ensure_target();
    let target_dir = root.join("target").join("fixtures");
    build(&root.join("tests/fixtures/Cargo.toml"), &target_dir);
    // Their own workspaces: built against the frozen WIT 0.1.0 and 0.2.0, which one build
    // cannot mix with the newest.
    for old in ["good-source-wit-0-1", "good-source-wit-0-2-0"] {
        let manifest = root.join("tests/fixtures").join(old).join("Cargo.toml");
        build(&manifest, &target_dir);
    }
    let out = target_dir.join("wasm32-wasip2").join("release");
    println!("cargo:rustc-env=TESSERA_FIXTURES={}", out.display());
    let plugins_dir = root.join("target").join("plugins");
    build(&root.join("plugins/Cargo.toml"), &plugins_dir);
    let out = plugins_dir.join("wasm32-wasip2").join("release");
    println!("cargo:rustc-env=TESSERA_PLUGINS={}", out.display());
}

fn ensure_target() {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let Ok(installed) = installed else {
        return; // No rustup: the toolchain must already have the target.
    };
    if !String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-wasip2")
    {
        let status = Command::new("rustup")
            .args(["target", "add", "wasm32-wasip2"])
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "rustup target add wasm32-wasip2 failed"
        );
    }
}

fn build(manifest: &Path, target_dir: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--target",
        "wasm32-wasip2",
        "--manifest-path",
    ])
    .arg(manifest)
    .arg("--target-dir")
    .arg(target_dir);
    // Flags meant for the host build must not leak into the guest build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("cargo runs");
    assert!(status.success(), "building {} failed", manifest.display());
}
