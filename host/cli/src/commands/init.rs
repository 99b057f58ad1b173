//! `tessera init`: a commented starter configuration and role model for a new installation.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// The starter `tessera.toml`: every key, each explained; secrets by name only.
pub const CONFIG: &str = include_str!("init/tessera.toml");
/// The starter role model.
pub const RULES: &str = include_str!("init/roles.toml");

/// Writes both files beside `config`; refuses to overwrite anything.
pub fn run(config: &Path) -> Result<()> {
    let dir = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let rules = dir.join("roles.toml");
    for path in [config, rules.as_path()] {
        if path.exists() {
            bail!("{} exists; init never overwrites a file", path.display());
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(config, CONFIG).with_context(|| format!("writing {}", config.display()))?;
    std::fs::write(&rules, RULES).with_context(|| format!("writing {}", rules.display()))?;
    println!("wrote {} and {}", config.display(), rules.display());
    println!(
        "next: tessera secret keygen {}",
        dir.join("vault.key").display()
    );
    println!(
        "      tessera plugin install <plugin>.wasm; tessera secret set <name>; tessera check"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The starter file is the operator's key reference: it must hold only keys the code
    /// reads (unknown keys are refused) and a role model the engine accepts.
    #[test]
    fn the_starter_files_are_valid_for_the_code() {
        let config =
            tessera_config::Settings::parse(CONFIG, Path::new("/etc/tessera/tessera.toml"))
                .unwrap();
        assert_eq!(config.systems.len(), 2);
        assert!(config.systems["elanza"].http_auth[0].header.is_some());
        let model = tessera_engine::model::RoleModel::parse("roles.toml", RULES).unwrap();
        assert_eq!(model.rules.len(), 2);
        assert!(model.systems.contains_key("ad"));
    }
}
