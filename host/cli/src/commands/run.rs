//! `tessera run SYSTEM`: one run of one system, to see a plugin work with its grants.

use std::path::Path;

use anyhow::{Context, Result};
use tessera_config::Settings;
use tessera_sync::PluginHost;

pub fn run(config: &Path, system: &str, json: bool) -> Result<()> {
    let settings = Settings::load(config)?;
    let mut host = PluginHost::open(&settings)?;
    let systems = host.systems(&settings, Some(system))?;
    super::print_warnings(&systems);
    if let Some((_, why)) = systems.failed.first() {
        anyhow::bail!("{system}: {why}");
    }
    let loaded = systems
        .systems
        .first()
        .context("the system was not loaded")?;
    let probe = super::block_on(tessera_sync::probe(loaded))??;
    let text = serde_json::to_string_pretty(&probe)?;
    if json {
        println!("{text}");
    } else {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        println!("{}", lines.join("\n").replace(['{', '}', '"', ','], ""));
    }
    Ok(())
}
