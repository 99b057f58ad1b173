//! `tessera audit verify` and `tessera audit export`.

use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;
use serde_json::json;
use tessera_store::{AuditLog, ExportFormat, SqliteStore};

use super::exit::Finished;
use super::loaders::{settings, store};
use crate::args::{AuditCommand, AuditFormat};

pub fn run(config: &Path, command: AuditCommand) -> Result<()> {
    let store = store(&settings(config)?)?;
    match command {
        AuditCommand::Verify { json } => verify(&store, json),
        AuditCommand::Export { format, since } => export(&store, format, since),
    }
}

/// Walks the chain; a broken chain is a failure (exit 1) naming the first bad record.
fn verify(store: &SqliteStore, json: bool) -> Result<()> {
    let verdict = store.verify_audit()?;
    match (&verdict, json) {
        (Ok(n), true) => println!("{}", json!({"intact": true, "records": n})),
        (Err(b), true) => println!(
            "{}",
            json!({"intact": false, "broken_seq": b.seq, "reason": b.reason})
        ),
        (Ok(n), false) => println!("audit chain intact: {n} records"),
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
