//! `tessera init`: a commented starter configuration and role model for a new installation,
//! for the setup the operator names (`--template`).
//!
//! The starters are put together from parts so that each block (the Elanza source, the AD
//! target, …) is written once and every template that has it says the same.

use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

/// The setups `tessera init --template` writes a starter for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Template {
    /// Elanza as the source and no target yet: import and look at persons first.
    SourceOnly,
    /// Elanza into Active Directory.
    #[default]
    Ad,
    /// Elanza into HiX.
    Hix,
    /// Elanza into the HSA catalogue.
    Hsa,
}

const HEAD: &str = include_str!("init/parts/head.toml");
const ELANZA: &str = include_str!("init/parts/elanza.toml");
const ROLES_HEAD: &str = include_str!("init/parts/roles-head.toml");

impl Template {
    /// Every template, for tests and help.
    pub const ALL: [Self; 4] = [Self::SourceOnly, Self::Ad, Self::Hix, Self::Hsa];

    /// The starter `tessera.toml`: every key, each explained; secrets by name only.
    pub fn config(self) -> String {
        let target = match self {
            Self::SourceOnly => "",
            Self::Ad => include_str!("init/parts/ad.toml"),
            Self::Hix => include_str!("init/parts/hix.toml"),
            Self::Hsa => include_str!("init/parts/hsa.toml"),
        };
        format!("{HEAD}{ELANZA}{target}")
    }

    /// The starter role model for the template's target.
    pub fn rules(self) -> String {
        let body = match self {
            Self::SourceOnly => include_str!("init/parts/roles-none.toml"),
            Self::Ad => include_str!("init/parts/roles-ad.toml"),
            Self::Hix => include_str!("init/parts/roles-hix.toml"),
            Self::Hsa => include_str!("init/parts/roles-hsa.toml"),
        };
        format!("{ROLES_HEAD}{body}")
    }
}

/// Writes both files beside `config`; refuses to overwrite anything.
pub fn run(config: &Path, template: Template) -> Result<()> {
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
    std::fs::write(config, template.config())
        .with_context(|| format!("writing {}", config.display()))?;
    std::fs::write(&rules, template.rules())
        .with_context(|| format!("writing {}", rules.display()))?;
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

    /// Each starter is the operator's key reference for its setup: it holds only keys the
    /// code reads (unknown keys are refused), a role model the engine accepts, and the two
    /// agree: every system the model names is configured and every rule grants into one.
    #[test]
    fn every_starter_is_valid_and_consistent_for_its_setup() {
        for template in Template::ALL {
            let config = tessera_config::Settings::parse(
                &template.config(),
                Path::new("/etc/tessera/tessera.toml"),
            )
            .unwrap_or_else(|e| panic!("{template:?}: {e}"));
            assert_eq!(config.timezone.name(), "Europe/Amsterdam");
            assert!(config.systems["elanza"].http_auth[0].header.is_some());
            let model = tessera_engine::model::RoleModel::parse("roles.toml", &template.rules())
                .unwrap_or_else(|e| panic!("{template:?}: {e}"));
            for system in model.systems.keys() {
                assert!(
                    config.systems.contains_key(system),
                    "{template:?}: {system}"
                );
            }
            for rule in &model.rules {
                for (system, _) in &rule.entitlements {
                    assert!(model.systems.contains_key(system), "{template:?}: {system}");
                }
            }
            let targets = config.systems.len() - 1;
            assert_eq!(model.systems.len(), targets, "{template:?}");
            assert_eq!(targets, usize::from(template != Template::SourceOnly));
        }
    }
}
