//! `tessera demo`: what a newcomer sees first. At this stage: build the first test plugins,
//! install them into a throw-away installation, inspect one, run a source and a target, and show
//! a hostile plugin being stopped while the host carries on.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use tessera_runtime::{Installation, Runtime, RuntimeOptions};

/// The test plugins' workspace in this source tree.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn build_plugins(target_dir: &Path) -> Result<PathBuf> {
    println!("building the test plugins for wasm32-wasip2 …");
    let manifest = fixtures().join("Cargo.toml");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--target", "wasm32-wasip2", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .status()
        .context("running cargo; the demo needs the Rust toolchain and the wasm32-wasip2 target (rustup target add wasm32-wasip2)")?;
    if !status.success() {
        bail!(
            "building the test plugins failed; is the target installed? rustup target add wasm32-wasip2"
        );
    }
    Ok(target_dir.join("wasm32-wasip2/release"))
}

const CONFIG: &str = r#"
[systems.hr]
plugin = "good-source"
version = "^1"
config = { persons = 2500, page_size = 1000, greeting = "goedemorgen" }

[systems.directory]
plugin = "good-target"

[systems.rogue]
plugin = "hostile"
config = { mode = "loop" }
limits = { cpu_seconds = 0.5 }
"#;

pub fn run() -> Result<()> {
    let build_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures");
    let wasm = build_plugins(&build_dir)?;
    let home = tempfile::tempdir()?;
    let config = home.path().join("tessera.toml");
    std::fs::write(&config, CONFIG)?;
    let mut inst = Installation::open(&config)?;
    for name in ["good_source", "good_target", "hostile"] {
        let p = inst
            .store
            .install(&wasm.join(format!("{name}.wasm")), None)?;
        println!(
            "installed {}@{}  sha256 {}",
            p.id,
            p.version,
            &p.sha256[..16]
        );
    }
    println!("\n$ tessera plugin inspect good-source@1.0.0");
    super::plugin::run(
        &config,
        crate::args::PluginCommand::Inspect {
            plugin: "good-source@1.0.0".into(),
            json: false,
        },
    )?;
    let runtime = Runtime::new(RuntimeOptions::default())?;
    for system in ["hr", "directory", "rogue", "hr"] {
        println!("\n$ tessera run {system}");
        let (prepared, _) = inst.prepare(&runtime, system)?;
        match super::block_on(super::run::run_prepared(&prepared))? {
            Ok(report) => println!("{}", serde_json::to_string_pretty(&report)?),
            Err(e) => println!("stopped: {e:#}"),
        }
    }
    println!("\nthe hostile plugin was stopped; the same host then ran `hr` again normally.");
    Ok(())
}
