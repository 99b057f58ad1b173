//! `tessera preview --person ID`: what the role model gives one person, and why.

use std::path::Path;

use anyhow::{Result, anyhow};
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
        print!("{}", preview.to_text());
        if preview.accounts.is_empty() {
            println!("  no account in any system");
        }
    }
    Ok(())
}
