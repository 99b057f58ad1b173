//! `tessera audit`: verify the chain and its signed checkpoints, export the log, sign and
//! export checkpoints, and prune past retention under a signed cut.

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_config::Settings;
use tessera_store::{
    AuditLog, Checkpoint, CheckpointKey, CheckpointVerifier, ExportFormat, SqliteStore,
};

use super::exit::Finished;
use super::loaders::{settings, store};
use crate::args::{AuditCommand, AuditFormat, CheckpointCommand};

/// What `audit checkpoint export` writes.
#[derive(Serialize, Deserialize)]
struct ExportedCheckpoints {
    /// Hex of the Ed25519 key that verifies them.
    public_key: String,
    checkpoints: Vec<Checkpoint>,
}

pub fn run(config: &Path, command: AuditCommand) -> Result<()> {
    let settings = settings(config)?;
    let store = store(&settings)?;
    match command {
        AuditCommand::Verify {
            json,
            checkpoints,
            public_key,
        } => verify(&settings, &store, json, checkpoints.as_deref(), public_key),
        AuditCommand::Export { format, since } => export(&store, format, since),
        AuditCommand::Checkpoint { command } => checkpoint(&settings, &store, command),
        AuditCommand::Prune { json } => prune(&settings, &store, json),
    }
}

/// The signing key; commands that sign cannot go on without it.
fn signing_key(settings: &Settings) -> Result<std::sync::Arc<CheckpointKey>> {
    tessera_sync::checkpoint_key(settings)?.context(
        "audit checkpoints are signed with a key derived from the vault key; set [vault] key_file \
         or TESSERA_VAULT_KEY",
    )
}

/// The public key to check signatures with: given, or derived from the vault key.
fn verifier(settings: &Settings, given: Option<String>) -> Result<Option<CheckpointVerifier>> {
    if let Some(hex) = given {
        return Ok(Some(
            CheckpointVerifier::from_hex(&hex).context("--public-key")?,
        ));
    }
    Ok(tessera_sync::checkpoint_key(settings)?.map(|k| k.verifier()))
}

fn read_exported(file: &Path) -> Result<ExportedCheckpoints> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading exported checkpoints {}", file.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an `audit checkpoint export` file",
            file.display()
        )
    })
}

/// Walks the chain and checks every checkpoint; a broken chain is a failure (exit 1) naming
/// the first bad record.
fn verify(
    settings: &Settings,
    store: &SqliteStore,
    json: bool,
    exported: Option<&Path>,
    public_key: Option<String>,
) -> Result<()> {
    let verifier = verifier(settings, public_key)?;
    let exported = match exported {
        Some(file) => read_exported(file)?.checkpoints,
        None => Vec::new(),
    };
    let verdict = store.verify_audit_with(verifier.as_ref(), &exported)?;
    match (&verdict, json) {
        (Ok(v), true) => println!(
            "{}",
            json!({
                "intact": true,
                "records": v.records,
                "first_seq": v.first_seq,
                "checkpoints": v.checkpoints,
                "signatures_checked": v.signatures_checked,
            })
        ),
        (Err(b), true) => println!(
            "{}",
            json!({"intact": false, "broken_seq": b.seq, "reason": b.reason})
        ),
        (Ok(v), false) => {
            println!(
                "audit chain intact: {} records from #{}, {} checkpoints hold",
                v.records, v.first_seq, v.checkpoints
            );
            if !v.signatures_checked {
                println!(
                    "note: checkpoint signatures not checked: no vault key and no --public-key"
                );
            }
        }
        (Err(_), false) => {}
    }
    verdict.map(|_| ()).map_err(|b| {
        Finished::Failed(format!(
            "audit chain broken at record #{}: {}",
            b.seq, b.reason
        ))
        .into()
    })
}

fn checkpoint(settings: &Settings, store: &SqliteStore, command: CheckpointCommand) -> Result<()> {
    let key = signing_key(settings)?;
    match command {
        CheckpointCommand::Sign => match store.checkpoint_audit(&key, Utc::now())? {
            Some(c) => println!("signed the head: record #{} ({})", c.seq, c.hash),
            None => println!("the audit log is empty: nothing to sign"),
        },
        CheckpointCommand::Export { file } => {
            let exported = ExportedCheckpoints {
                public_key: key.verifier().to_hex(),
                checkpoints: store.checkpoints()?,
            };
            let text = serde_json::to_string_pretty(&exported)?;
            std::fs::write(&file, text + "\n")
                .with_context(|| format!("writing {}", file.display()))?;
            println!(
                "wrote {} checkpoints to {}; keep it where the database cannot reach",
                exported.checkpoints.len(),
                file.display()
            );
        }
        CheckpointCommand::Key => println!("{}", key.verifier().to_hex()),
    }
    Ok(())
}

/// Removes what is past `[audit] retention_days`, under a signed cut.
fn prune(settings: &Settings, store: &SqliteStore, json: bool) -> Result<()> {
    let Some(days) = settings.audit.retention_days else {
        bail!("no [audit] retention_days is configured, so every record is kept");
    };
    let key = signing_key(settings)?;
    let now = Utc::now();
    let before = now - chrono::Duration::days(i64::from(days));
    let cut = store.prune_audit(&key, before, now)?;
    match (cut, json) {
        (Some((c, removed)), true) => {
            println!("{}", json!({"removed": removed, "cut": c}));
        }
        (None, true) => println!("{}", json!({"removed": 0})),
        (Some((c, removed)), false) => println!(
            "removed {removed} records through #{} (older than {days} days); the chain goes on \
             from a signed cut",
            c.seq
        ),
        (None, false) => println!("no record is older than {days} days"),
    }
    Ok(())
}

fn export(store: &SqliteStore, format: AuditFormat, since: Option<NaiveDate>) -> Result<()> {
    let format = match format {
        AuditFormat::Json => ExportFormat::Json,
        AuditFormat::Csv => ExportFormat::Csv,
    };
    let since = since.map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
    let text = store.export_audit(format, since)?;
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(())
}
