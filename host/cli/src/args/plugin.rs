//! `tessera plugin …`: installing, inspecting, moving between versions, making and signing
//! plugins.

use std::path::PathBuf;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum PluginCommand {
    /// Check a component and add it to the store.
    Install {
        /// The `.wasm` component.
        file: PathBuf,
        /// A minisign signature of the file.
        #[arg(long)]
        signature: Option<PathBuf>,
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

/// What `plugin new` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PluginKind {
    /// Reads persons and their contracts.
    Source,
    /// Keeps accounts and entitlements.
    Target,
}
