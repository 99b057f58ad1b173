//! `tessera preview --person ID`: what the role model gives one person, and why.

use std::path::Path;

use anyhow::{Result, anyhow};
use tessera_engine::soll;

use super::context::{Clock, load_config, load_model, open_store};

pub fn run(config: &Path, clock: Clock, person: &str, json: bool) -> Result<()> {
    let config = load_config(config)?;
    let model = load_model(&config)?;
    let store = open_store(&config)?;
    let preview = soll::preview(&store, &model, person, clock.today)?
        .ok_or_else(|| anyhow!("no person `{person}` in the vault"))?;
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
