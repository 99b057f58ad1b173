//! Command-line arguments only; no logic.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod plugin;

pub use plugin::{PluginCommand, PluginKind, RegistryArgs, TestArgs};

/// Tessera: identity provisioning for healthcare, with sandboxed connector plugins.
#[derive(Parser)]
#[command(name = "tessera", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The installation's configuration file.
    #[arg(
        long,
        global = true,
        env = "TESSERA_CONFIG",
        default_value = "tessera.toml"
    )]
    pub config: PathBuf,
    /// Run as if today were this day (YYYY-MM-DD); for tests and demos.
    #[arg(long, global = true, hide = true, env = "TESSERA_TODAY")]
    pub today: Option<chrono::NaiveDate>,
    /// How log lines on stderr look: `text` for people, `json` (one object a line) for log
    /// shippers. `TESSERA_LOG` sets the level (`info`, `debug`, `tessera=debug`).
    #[arg(
        long,
        global = true,
        env = "TESSERA_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// For people.
    Text,
    /// One JSON object a line.
    Json,
}

/// Shown under `--help`; main.rs documents the same codes.
const EXIT_CODES: &str = "Exit codes:
  0  success
  1  errors: failed operations or a failed command
  2  usage or configuration error
  3  something was blocked by a threshold (nothing else failed)";

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
    /// Import the sources' changes, then read, plan and apply the targets' (`--full`: everything).
    Sync(SyncArgs),
    /// Run as a service: each system on its schedule, with /healthz, /readyz and /metrics.
    Serve {
        /// Listen here instead of `[serve] listen`.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Every account and entitlement a person should have, with rules, contracts and dates.
    Preview {
        /// The person id.
        #[arg(long)]
        person: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read the targets and show what a sync would do, without applying anything.
    Plan(PlanArgs),
    /// Entitlements targets hold that neither a rule nor a manual grant gives.
    Deviations(PlanArgs),
    /// The persons in the store, or those whose id, name or e-mail contains `--search`.
    Persons {
        /// Text to look for, without case.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One person: every source's data, contracts, change history, accounts and entitlements.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// A target's entitlement catalogue as last read: kinds, keys (GUIDs for AD) and names.
    Entitlements {
        /// The target system.
        #[arg(long)]
        system: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Give a person an entitlement outside the role model, or withdraw it (`grant revoke ID`).
    Grant(GrantArgs),
    /// List manual grants.
    Grants {
        /// Include withdrawn and expired grants.
        #[arg(long)]
        all: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Keep deviations the last full run listed, as manual grants with a reason and an end.
    Adopt(AdoptArgs),
    /// Take over a system: the manual grants a rule now also gives (`report`), and their
    /// withdrawal in one go (`withdraw`).
    Takeover {
        #[command(subcommand)]
        command: TakeoverCommand,
    },
    /// Approve actions a threshold blocked (by id, or `--all`), or list those waiting (`--list`).
    Approve(ApproveArgs),
    /// Reject actions a threshold blocked, with a reason; a later plan asks again if it must.
    Reject(ApproveArgs),
    /// Verify or export the hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a commented starter configuration (beside --config) and role model.
    Init {
        /// The setup to start from: Elanza alone, or Elanza into AD, HiX or HSA.
        #[arg(long, value_enum, default_value_t)]
        template: crate::commands::init::Template,
    },
    /// Validate the configuration, role model, secrets, plugins and each system's connection.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Set, list and delete the vault's encrypted secrets, or make a vault key.
    Secret {
        #[command(subcommand)]
        command: SecretCommand,
    },
    /// Add, change, list and remove the web console's users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user; the password (12 characters or more) is read from standard input.
    Add {
        /// 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
        name: String,
        /// admin, operator, reviewer or auditor.
        #[arg(long)]
        role: String,
    },
    /// Give a user a new role and password (read from standard input); their sessions end.
    Set {
        name: String,
        #[arg(long)]
        role: String,
    },
    /// The users and their roles; never password hashes.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a user and end their sessions.
    Remove { name: String },
}

/// `tessera sync`.
#[derive(clap::Args)]
pub struct SyncArgs {
    /// Read and plan, but change nothing: no import is committed, no plan stored or applied.
    #[arg(long)]
    pub dry_run: bool,
    /// Commit imports even when a source threshold trips (target thresholds need `approve`).
    #[arg(long)]
    pub force: bool,
    /// A full reconciliation: read every source and list every target in full, and report the
    /// drift the change feeds missed. Without it, systems with a change feed are read through it.
    #[arg(long)]
    pub full: bool,
    /// Print the summary as JSON; no progress bars.
    #[arg(long)]
    pub json: bool,
}

/// `tessera plan` and `tessera deviations`.
#[derive(clap::Args)]
pub struct PlanArgs {
    /// Only this target system.
    #[arg(long)]
    pub system: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tessera grant`.
#[derive(clap::Args)]
#[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
pub struct GrantArgs {
    #[command(subcommand)]
    pub command: Option<GrantCommand>,
    /// The person id.
    #[arg(long, required = true)]
    pub person: Option<String>,
    /// The target system.
    #[arg(long, required = true)]
    pub system: Option<String>,
    /// The entitlement as KIND/KEY, e.g. `group/IC-nurses`.
    #[arg(long, required = true, value_parser = parse_entitlement)]
    pub entitlement: Option<tessera_domain::EntitlementRef>,
    /// Why the person needs it; recorded in the audit log.
    #[arg(long, required = true)]
    pub reason: Option<String>,
    /// Last day the grant holds (YYYY-MM-DD).
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// Who grants it.
    #[arg(long, env = "USER", hide_env_values = true)]
    pub by: Option<String>,
}

#[derive(clap::Args)]
pub struct AdoptArgs {
    /// The target system.
    #[arg(long)]
    pub system: String,
    /// Only this account's deviations (its key, as `tessera deviations` shows it).
    #[arg(long, required_unless_present_any = ["all", "person"])]
    pub account: Option<String>,
    /// Only this entitlement, as KIND/KEY.
    #[arg(long, value_parser = parse_entitlement)]
    pub entitlement: Option<tessera_domain::EntitlementRef>,
    /// Only this person's deviations.
    #[arg(long)]
    pub person: Option<String>,
    /// Every deviation the last full run listed (narrowed by the options above).
    #[arg(long)]
    pub all: bool,
    /// Why they are kept; recorded with each grant and in the audit log.
    #[arg(long)]
    pub reason: String,
    /// Last day the grants hold (default: the system's `max_grant_days` from today).
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// Who adopts them.
    #[arg(long, env = "USER", hide_env_values = true)]
    pub by: Option<String>,
}

#[derive(Subcommand)]
pub enum TakeoverCommand {
    /// Per person, the manual grants (adopted or given by hand) that a rule now also gives.
    Report {
        /// The target system.
        #[arg(long)]
        system: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Withdraw those grants in one go; the rules keep giving the rights, so nobody loses access.
    Withdraw {
        /// The target system.
        #[arg(long)]
        system: String,
        /// Why; recorded for each withdrawn grant.
        #[arg(long)]
        reason: String,
        /// Who withdraws them.
        #[arg(long, env = "USER", hide_env_values = true)]
        by: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum GrantCommand {
    /// Withdraw a manual grant; the next sync revokes what it alone gave.
    Revoke {
        /// The grant id (see `tessera grants`).
        id: i64,
        /// Who withdraws it.
        #[arg(long, env = "USER", hide_env_values = true)]
        by: Option<String>,
    },
}

fn parse_entitlement(text: &str) -> Result<tessera_domain::EntitlementRef, String> {
    match text.split_once('/') {
        Some((kind, key)) if !kind.is_empty() && !key.is_empty() => {
            Ok(tessera_domain::EntitlementRef {
                kind: kind.to_owned(),
                key: key.to_owned(),
            })
        }
        _ => Err("expected KIND/KEY, e.g. group/IC-nurses".to_owned()),
    }
}

/// `tessera approve` and `tessera reject`.
#[derive(clap::Args)]
pub struct ApproveArgs {
    /// The blocked actions' ids.
    #[arg(required_unless_present_any = ["list", "all"], conflicts_with_all = ["list", "all"])]
    pub ids: Vec<i64>,
    /// Every action waiting (of `--system`, when given).
    #[arg(long, conflicts_with = "list")]
    pub all: bool,
    /// Only this system's actions, with `--all`.
    #[arg(long, requires = "all")]
    pub system: Option<String>,
    /// Why; recorded in the audit log. Required for more than one action and for a rejection.
    #[arg(long)]
    pub reason: Option<String>,
    /// List the actions waiting for approval instead.
    #[arg(long)]
    pub list: bool,
    /// Who decides.
    #[arg(long, env = "USER", hide_env_values = true)]
    pub by: Option<String>,
    /// Print JSON (with --list).
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the chain and check its signed checkpoints; names the first broken record.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Also check checkpoints exported earlier with `audit checkpoint export`.
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<PathBuf>,
        /// The checkpoint public key (`audit checkpoint key`), for an auditor without the
        /// vault key; by default it is derived from the vault key.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
    /// Sign the chain's head now, export the checkpoints, or print their public key.
    Checkpoint {
        #[command(subcommand)]
        command: CheckpointCommand,
    },
    /// Remove records older than `[audit] retention_days`, leaving a signed cut.
    Prune {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the log as JSON or CSV.
    Export {
        /// Output format.
        #[arg(long, value_enum)]
        format: AuditFormat,
        /// Only records from this day on (YYYY-MM-DD, UTC).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
    },
}

/// `tessera person`.
#[derive(Subcommand)]
pub enum PersonCommand {
    /// Show one person by id.
    Show {
        /// The person id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `tessera audit checkpoint`.
#[derive(Subcommand)]
pub enum CheckpointCommand {
    /// Sign the chain's current head (every sync and serve run does this too).
    Sign,
    /// Write every checkpoint, with the public key, to a file the database cannot reach.
    Export {
        /// The file to write (JSON).
        file: PathBuf,
    },
    /// Print the public key that verifies the checkpoints.
    Key,
}

/// Audit export formats.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AuditFormat {
    Json,
    Csv,
}

/// `tessera secret`.
#[derive(Subcommand)]
pub enum SecretCommand {
    /// Set a secret from standard input, read to its end; one trailing newline is dropped.
    Set {
        /// 1 to 128 characters from A-Z, a-z, 0-9, `.`, `_` and `-`.
        name: String,
    },
    /// Secret names and when each last changed; never values.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a secret.
    Delete { name: String },
    /// Write a new random vault key to FILE (mode 0600); an existing file is never replaced.
    Keygen { file: PathBuf },
}
