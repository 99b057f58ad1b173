//! What the demo needs before its first day: the first-party plugins built, the real
//! directories started where installed, and an installation in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use tessera_config::Settings;
use tessera_runtime::Plugins;
use tessera_store::Secrets;
use tessera_test_servers::hospital::{Directories, Hospital};
use tessera_test_servers::{hsa, samba};

/// The first-party plugins, by crate name; the wasm file has `_` for `-`.
pub const PLUGINS: [&str; 6] = [
    "afas-profit",
    "elanza",
    "hix",
    "active-directory",
    "hsa",
    "entra-id",
];

/// The source checkout: the demo is a developer's tool and builds the plugins from it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds `plugins/` for wasm32-wasip2 into `target/plugins`, where the tests build them
/// too, and returns the directory of the `.wasm` files.
pub fn build_plugins() -> Result<PathBuf> {
    println!("building the first-party plugins for wasm32-wasip2 …");
    let target_dir = root().join("target/plugins");
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .args(["build", "--release", "--quiet", "--target", "wasm32-wasip2"])
        .arg("--manifest-path")
        .arg(root().join("plugins/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags meant for the host build must not leak into the guest build.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
    ] {
        cargo.env_remove(var);
    }
    let status = cargo.status().context(
        "running cargo; the demo needs the Rust toolchain with the wasm32-wasip2 target",
    )?;
    if !status.success() {
        bail!(
            "building the plugins failed; is the target installed? rustup target add wasm32-wasip2"
        );
    }
    Ok(target_dir.join("wasm32-wasip2/release"))
}

/// Samba and slapd where they are installed and start; a one-line note for each that is not.
pub fn directories() -> Directories {
    let samba = try_start("Active Directory (Samba AD DC)", samba::installed(), || {
        samba::shared()
    });
    let hsa = try_start(
        "HSA (OpenLDAP slapd)",
        tessera_test_servers::slapd::installed(),
        hsa::start,
    );
    Directories { samba, hsa }
}

/// Starts a harness that panics on failure, turning a failure into one line.
fn try_start<T>(what: &str, installed: Result<(), String>, start: impl FnOnce() -> T) -> Option<T> {
    if let Err(hint) = installed {
        println!("  {what}: not installed, going on without it ({hint})");
        return None;
    }
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(start));
    std::panic::set_hook(hook);
    match started {
        Ok(server) => {
            println!("  {what}: started on 127.0.0.1");
            Some(server)
        }
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("it did not start");
            println!(
                "  {what}: could not start, going on without it: {}",
                first_line(why)
            );
            None
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Writes the configuration, role model and vault key into `home`, stores the secrets and
/// installs the plugins, signed with a key made for this demo and required at install and
/// load. Returns the configuration's path.
pub fn installation(home: &Path, hospital: &Hospital, wasm: &Path) -> Result<PathBuf> {
    let signing = minisign::KeyPair::generate_unencrypted_keypair()
        .map_err(|e| anyhow::anyhow!("making the demo's signing key: {e}"))?;
    let config = home.join("tessera.toml");
    std::fs::write(
        &config,
        require_signatures(&hospital.config(), &signing.pk)?,
    )?;
    std::fs::write(home.join("roles.toml"), hospital.roles())?;
    tessera_cli::commands::secret::write_key(&home.join("vault.key"))?;
    let settings = Settings::load(&config)?;
    let key = tessera_sync::vault_key(&settings)?.context("the demo's vault key")?;
    let store = tessera_sync::open_store(&settings)?;
    for (name, value) in hospital.secrets() {
        store.set_secret(&key, name, value.as_bytes(), Utc::now())?;
    }
    let plugins = Plugins::open(&settings)?;
    for name in PLUGINS {
        let file = wasm.join(format!("{}.wasm", name.replace('-', "_")));
        let signature = sign(&signing.sk, &file, home)?;
        let p = plugins
            .store
            .install(&file, Some(&signature))
            .with_context(|| format!("installing {}", file.display()))?;
        println!(
            "  installed {}@{}  sha256 {}…  signed",
            p.id,
            p.version,
            &p.sha256[..16]
        );
    }
    Ok(config)
}

/// The hospital's configuration with signatures required and the demo's key trusted.
fn require_signatures(config: &str, public: &minisign::PublicKey) -> Result<String> {
    let section = "[plugins]\n";
    anyhow::ensure!(
        config.contains(section),
        "the hospital config has no [plugins]"
    );
    let with = format!(
        "{section}require_signatures = true\ntrusted_keys = [\"{}\"]\n",
        public.to_base64()
    );
    Ok(config.replacen(section, &with, 1))
}

/// Signs `file` into `home/signatures` as `tessera plugin sign` does; returns the signature.
fn sign(secret: &minisign::SecretKey, file: &Path, home: &Path) -> Result<PathBuf> {
    let dir = home.join("signatures");
    std::fs::create_dir_all(&dir)?;
    let name = file.file_name().context("a plugin file name")?;
    let out = dir.join(name).with_extension("wasm.minisig");
    tessera_cli::commands::plugin::signing::sign_with(secret, file, &out)
}
