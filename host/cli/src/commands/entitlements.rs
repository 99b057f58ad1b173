//! `tessera entitlements --system S`: what a target offers, as its last listing left it, so an
//! operator can write rules with the right keys (an AD group's objectGUID) and read plans.

use std::path::Path;

use anyhow::{Result, bail};
use tessera_store::prelude::*;

use super::loaders::{settings, store};
use super::table::Table;

pub fn run(config: &Path, system: &str, json: bool) -> Result<()> {
    let settings = settings(config)?;
    settings.system(system)?;
    let store = store(&settings)?;
    let catalogue = store.entitlements(system)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&catalogue)?);
        return Ok(());
    }
    if catalogue.is_empty() {
        bail!(
            "no entitlements of `{system}` are known yet: a full read lists them (`tessera sync \
             --full`, or `tessera plan --system {system}`)"
        );
    }
    let mut table = Table::new(&["KIND", "KEY", "NAME"]);
    for e in &catalogue {
        table.row(vec![e.kind.clone(), e.key.clone(), e.display_name.clone()]);
    }
    print!("{}", table.render());
    Ok(())
}
