//! `tessera plugin …`: installing, inspecting, moving between versions, making and signing
//! plugins.

use std::path::PathBuf;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum PluginCommand {
    /// Check a component and add it to the store, from a file or an OCI registry.
    Install {
        /// The `.wasm` component, or `oci://registry/namespace/name:version` (or `@sha256:…`).
        file: String,
        /// A minisign signature of the file; from a registry, the one pushed with it is used.
        #[arg(long)]
        signature: Option<PathBuf>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Push a checked component (and its signature) to an OCI registry, in the Wasm OCI
    /// artifact layout; prints the reference pinned by digest.
    Push {
        /// The `.wasm` component.
        file: PathBuf,
        /// `oci://registry/namespace/name:version`.
        reference: String,
        /// Its minisign signature (FILE.minisig when it exists).
        #[arg(long)]
        signature: Option<PathBuf>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Installed plugins and versions.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show a plugin's manifest, real imports, digest and signature without running it.
    Inspect {
        /// A `.wasm` file or an installed `name@version`.
        plugin: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove an installed `name@version` that no system is locked to.
    Remove { plugin: String },
    /// Move every system using the plugin to the newest installed version it allows.
    Upgrade { name: String },
    /// Put every system using the plugin back on its previous version.
    Rollback { name: String },
    /// Make a minisign key pair for signing plugins: PREFIX.key (secret) and PREFIX.pub.
    Keygen {
        /// Where the two files go, without their `.key` / `.pub`.
        prefix: PathBuf,
    },
    /// Start a plugin: a crate NAME (in DIR) that builds for wasm32-wasip2, with its manifest,
    /// a README, a mock answer of the far system and a test that passes against it.
    New {
        /// The plugin id: lower-case letters, digits and `-`.
        name: String,
        /// What it is.
        #[arg(long, value_enum)]
        kind: PluginKind,
        /// The `sdk` directory of a Tessera checkout, which the crate depends on.
        #[arg(long)]
        sdk: PathBuf,
        /// Where the crate's directory goes.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Sign a plugin file with a secret key from `keygen`, into FILE.minisig.
    Sign {
        /// The `.wasm` component.
        file: PathBuf,
        /// The secret key.
        #[arg(long)]
        key: PathBuf,
    },
}

/// How to reach an OCI registry.
#[derive(clap::Args, Debug, Default)]
pub struct RegistryArgs {
    /// Talk plain HTTP: only to a registry on loopback (a local mirror, a test).
    #[arg(long)]
    pub plain_http: bool,
    /// Sign in as this user; the password comes from TESSERA_REGISTRY_PASSWORD, never from
    /// the command line.
    #[arg(long)]
    pub username: Option<String>,
}

/// What `plugin new` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PluginKind {
    /// Reads persons and their contracts.
    Source,
    /// Keeps accounts and entitlements.
    Target,
}
