//! Command-line arguments only; no logic.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Tessera: identity provisioning for healthcare, with sandboxed connector plugins.
#[derive(Parser)]
#[command(name = "tessera", version)]
pub struct Cli {
    /// The installation's configuration file.
    #[arg(
        long,
        global = true,
        env = "TESSERA_CONFIG",
        default_value = "tessera.toml"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Install, list, inspect, remove, upgrade and roll back plugins.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Run one configured system once: test its connection and read everything it lists.
    Run {
        /// System name from the configuration.
        system: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build the test plugins, install them into a temporary installation, inspect and run them.
    Demo,
}

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
}
