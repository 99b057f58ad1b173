//! `run SYSTEM`: one run of one system, to see its plugin work with its grants.

use serde::Serialize;
use tessera_domain::Warning;
use tessera_engine::paging::{MAX_PAGES, Pager};

use crate::systems::{Kind, System};
use crate::{Error, Result};

/// Warnings a probe keeps to show; the count says how many there were in all.
pub const MAX_SHOWN: usize = 1_000;

/// What one run of one system saw.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// The system.
    pub system: String,
    /// `id@version` of its plugin.
    pub plugin: String,
    /// `source` or `target`.
    pub kind: &'static str,
    /// What `test-connection` answered, or why it failed.
    pub connection: std::result::Result<String, String>,
    /// Persons read (a source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persons: Option<usize>,
    /// Their contracts (a source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contracts: Option<usize>,
    /// How many warnings the source gave (a source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_count: Option<usize>,
    /// The warnings themselves, the first [`MAX_SHOWN`] of them (a source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<Warning>>,
    /// Entitlement kinds it offers (a target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlement_kinds: Option<Vec<String>>,
    /// Whether writes to one account must be serial (a target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_writes: Option<bool>,
    /// Accounts listed (a target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<usize>,
}

/// Runs `system` once: tests its connection and reads everything it lists.
pub async fn probe(system: &System) -> Result<Probe> {
    let mut probe = Probe {
        system: system.name.clone(),
        plugin: system.connect.plugin().to_owned(),
        kind: system.kind().as_str(),
        connection: Err(String::new()),
        persons: None,
        contracts: None,
        warning_count: None,
        warnings: None,
        entitlement_kinds: None,
        serial_writes: None,
        accounts: None,
    };
    match system.kind() {
        Kind::Source => read_source(system, &mut probe).await?,
        Kind::Target => list_target(system, &mut probe).await?,
    }
    Ok(probe)
}

fn failed(system: &System, e: impl std::fmt::Display) -> Error {
    Error::System {
        system: system.name.clone(),
        message: e.to_string(),
    }
}

async fn read_source(system: &System, probe: &mut Probe) -> Result<()> {
    let mut source = system
        .connect
        .source()
        .await
        .map_err(|e| failed(system, e))?;
    probe.connection = source.test_connection().await.map_err(|e| e.to_string());
    let (mut persons, mut contracts, mut count) = (0, 0, 0);
    let mut warnings = Vec::new();
    let mut pager = Pager::new(system.source.max_pages);
    while let Some(cursor) = pager.next_page() {
        let page = source.read(cursor).await.map_err(|e| failed(system, e))?;
        persons += page.persons.len();
        contracts += page
            .persons
            .iter()
            .map(|p| p.contracts.len())
            .sum::<usize>();
        count += page.warnings.len();
        let room = MAX_SHOWN.saturating_sub(warnings.len());
        warnings.extend(page.warnings.into_iter().take(room));
        pager
            .turn(page.next_cursor)
            .map_err(|e| failed(system, e))?;
    }
    probe.persons = Some(persons);
    probe.contracts = Some(contracts);
    probe.warning_count = Some(count);
    probe.warnings = Some(warnings);
    Ok(())
}

async fn list_target(system: &System, probe: &mut Probe) -> Result<()> {
    let mut target = system
        .connect
        .target()
        .await
        .map_err(|e| failed(system, e))?;
    let info = target.describe().await.map_err(|e| failed(system, e))?;
    probe.connection = target.test_connection().await.map_err(|e| e.to_string());
    let mut accounts = 0;
    let mut pager = Pager::new(MAX_PAGES);
    while let Some(cursor) = pager.next_page() {
        let page = target
            .list_accounts(cursor)
            .await
            .map_err(|e| failed(system, e))?;
        accounts += page.accounts.len();
        pager
            .turn(page.next_cursor)
            .map_err(|e| failed(system, e))?;
    }
    probe.entitlement_kinds = Some(info.entitlement_kinds);
    probe.serial_writes = Some(info.serial_writes);
    probe.accounts = Some(accounts);
    Ok(())
}
