//! `tessera preview --person ID`: what the role model gives one person, and why.

use super::Day;
use std::path::Path;

use anyhow::{Result, anyhow};
use tessera_store::prelude::*;

use super::loaders::{model, settings, store};

pub fn run(config: &Path, day: Day, person: &str, json: bool) -> Result<()> {
    let settings = settings(config)?;
    let clock = day.clock(&settings);
    let model = model(&settings)?;
    let store = store(&settings)?;
    let preview = tessera_engine::soll::preview(&store, &model, person, clock.today)?
        .ok_or_else(|| anyhow!("no person `{person}` in the store"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&preview)?);
    } else {
        println!("as of {}:", clock.today);
        // Shifts in words ("8 shifts in IC, 29 Nov – 6 Dec"); --json keeps every id.
        let whole = store.person(person)?;
        print!(
            "{}",
            preview.to_text_with(whole.as_ref().map(|p| (p, model.zone)))
        );
        if preview.accounts.is_empty() {
            println!("  no account in any system");
        }
    }
    Ok(())
}
