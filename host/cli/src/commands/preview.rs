//! `tessera preview --person ID`: what the role model gives one person, and why.

use std::path::Path;

use anyhow::{Result, anyhow};
use tessera_store::prelude::*;
use tessera_sync::Clock;

use super::loaders::{model, settings, store};

pub fn run(config: &Path, clock: Clock, person: &str, json: bool) -> Result<()> {
    let settings = settings(config)?;
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
        print!("{}", preview.to_text_with(whole.as_ref()));
        if preview.accounts.is_empty() {
            println!("  no account in any system");
        }
    }
    Ok(())
}
