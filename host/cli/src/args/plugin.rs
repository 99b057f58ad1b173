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
    /// Run the connector contract against a built component, without installing it.
    ///
    /// The component is linked for one configured system: a target runs the target scenario,
    /// then the change-feed scenario when it declares a feed; a source runs the source
    /// scenario. Prints each step that passed and the one that broke.
    #[command(after_help = CASE_HELP)]
    Test(TestArgs),
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

/// `plugin test`.
#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// The `.wasm` component.
    pub file: PathBuf,
    /// The system in the configuration whose settings (config, grants, limits, http_auth)
    /// the plugin runs with; its `plugin` and `version` must match the component.
    #[arg(long)]
    pub system: String,
    /// What a target test does (required for a target; see below).
    #[arg(long)]
    pub case: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The `--case` file of `plugin test`, shown under its `--help`.
const CASE_HELP: &str = r#"A target needs --case FILE.toml, since only its author knows which attributes it
requires and which it can change:

  username = "cbakker"          # must be free; default tessera-contract-<unix time>
  missing = "7d0e5c00-0000-4000-8000-00000000dead"  # a key of the target's form no account has
  [attributes]                  # the account to create: name = "value" or ["values"]
  surName = "Bakker"
  branch = "Hoofdlocatie"
  [change]                      # at least one; afterwards the account holds exactly these
  department = "Spoedeisende hulp"
  [entitlement]                 # optional: granted and revoked
  kind = "group"
  key = "VPK"
  [feed]                        # optional: the change-feed scenario's own account
  username = "cbakker2"         # default: the username with -feed before any @

Secrets come from the store's vault, as for `tessera run`: set TESSERA_VAULT_KEY or
[vault] key_file, and `tessera secret set NAME` first. Exits 1 when a step broke."#;

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
