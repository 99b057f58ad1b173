//! `tessera plugin …`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::json;
use tessera_config::Settings;
use tessera_manifest::{ComponentInfo, ImportClass, classify_import};
use tessera_runtime::{Plugins, SignatureStatus};

use crate::args::PluginCommand;

pub mod registry;
pub mod scaffold;
pub mod signing;
mod test;

pub fn run(config: &Path, command: PluginCommand) -> Result<()> {
    match command {
        PluginCommand::Inspect { plugin, json } => inspect(config, &plugin, json)?,
        PluginCommand::Install {
            file,
            signature,
            registry,
        } => {
            let (_, plugins) = open(config)?;
            let p = match file.strip_prefix("oci://") {
                Some(_) => registry::install(&plugins, &file, signature.is_some(), &registry)?,
                None => plugins
                    .store
                    .install(Path::new(&file), signature.as_deref())?,
            };
            let from = p.source.as_deref().map(|s| format!(" from {s}"));
            println!(
                "installed {}@{}{} (sha256 {}, {})",
                p.id,
                p.version,
                from.unwrap_or_default(),
                p.sha256,
                signature_text(&p.signature)
            );
        }
        PluginCommand::Push {
            file,
            reference,
            signature,
            registry,
        } => {
            let pinned = registry::push(&file, &reference, signature.as_deref(), &registry)?;
            println!("pushed {pinned}");
        }
        PluginCommand::List { json } => list(config, json)?,
        PluginCommand::Keygen { prefix } => signing::keygen(&prefix)?,
        PluginCommand::New {
            name,
            kind,
            sdk,
            dir,
        } => {
            let root = scaffold::new(&name, kind, &dir, &sdk)?;
            println!(
                "made {}: cd there and follow its README (cargo test, build, sign, plugin test against the mock far system)",
                root.display()
            );
        }
        PluginCommand::Sign { file, key } => drop(signing::sign(&file, &key)?),
        PluginCommand::Test(args) => test::run(config, &args)?,
        PluginCommand::Remove { plugin } => {
            let (id, version) = split_ref(&plugin)?;
            let (_, plugins) = open(config)?;
            plugins.store.remove(id, &version, &plugins.lock)?;
            println!("removed {plugin}");
        }
        PluginCommand::Upgrade { name } => {
            let changed = open(config)?.1.upgrade(&name)?;
            if changed.is_empty() {
                println!("every system using {name} is already on the newest allowed version");
            }
            for (system, old, new) in changed {
                println!(
                    "{system}: {} -> {new}",
                    old.as_deref().unwrap_or("(unpinned)")
                );
            }
        }
        PluginCommand::Rollback { name } => {
            for (system, version) in open(config)?.1.rollback(&name)? {
                println!("{system}: back on {name}@{version}");
            }
        }
    }
    Ok(())
}

/// The configuration and the plugin store and lockfile it names.
fn open(config: &Path) -> Result<(Settings, Plugins)> {
    let settings = Settings::load(config)?;
    let plugins = Plugins::open(&settings)
        .with_context(|| format!("opening the plugin store of {}", config.display()))?;
    Ok((settings, plugins))
}

fn list(config: &Path, json: bool) -> Result<()> {
    let (settings, inst) = open(config)?;
    let plugins = inst.store.list()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&plugins)?);
        return Ok(());
    }
    if plugins.is_empty() {
        println!("no plugins installed in {}", settings.plugins.dir.display());
    }
    for p in plugins {
        let locked: Vec<&str> = inst
            .lock
            .systems
            .iter()
            .filter(|(_, e)| e.plugin == p.id && e.version == p.version)
            .map(|(s, _)| s.as_str())
            .collect();
        let locked = if locked.is_empty() {
            String::new()
        } else {
            format!("  locked by {}", locked.join(", "))
        };
        println!(
            "{}@{}  {}  {}{locked}",
            p.id,
            p.version,
            &p.sha256[..16],
            signature_text(&p.signature)
        );
    }
    Ok(())
}

fn split_ref(text: &str) -> Result<(&str, semver::Version)> {
    let Some((id, version)) = text.split_once('@') else {
        bail!("`{text}`: expected name@version");
    };
    Ok((
        id,
        semver::Version::parse(version).with_context(|| format!("`{text}`: bad version"))?,
    ))
}

/// The newest installed version of `id`, or an error listing what is installed.
fn newest(plugins: &Plugins, id: &str) -> Result<tessera_runtime::InstalledPlugin> {
    let all = plugins.store.list()?;
    let names: std::collections::BTreeSet<&str> = all.iter().map(|p| p.id.as_str()).collect();
    let newest = all
        .iter()
        .filter(|p| p.id == id)
        .max_by(|a, b| a.version.cmp(&b.version));
    match newest {
        Some(p) => Ok(p.clone()),
        None if names.is_empty() => bail!("`{id}` is not a file, and no plugin is installed"),
        None => bail!(
            "`{id}` is not a file nor an installed plugin; installed: {}",
            names.into_iter().collect::<Vec<_>>().join(", ")
        ),
    }
}

pub(crate) fn signature_text(s: &SignatureStatus) -> String {
    match s {
        SignatureStatus::Unsigned => "unsigned".into(),
        SignatureStatus::Verified { key, comment } => format!(
            "signed, verified with key {}… ({comment})",
            &key[..key.len().min(12)]
        ),
    }
}

/// Reads the component named by `plugin` and what its signature says now: for an installed
/// version, checked with today's trusted keys as a load would (never `meta.json`'s word).
fn locate(config: &Path, plugin: &str) -> Result<(Vec<u8>, String)> {
    let as_file = Path::new(plugin);
    if as_file.exists() {
        let bytes = std::fs::read(as_file).with_context(|| format!("reading {plugin}"))?;
        let sig = as_file.with_extension("wasm.minisig");
        let status = if sig.exists() {
            format!(
                "signature file {} present (checked against plugins.trusted_keys on install)",
                sig.display()
            )
        } else {
            "unsigned (no .minisig beside the file)".into()
        };
        return Ok((bytes, status));
    }
    let (_, plugins) = open(config)?;
    let installed = match plugin.contains('@') {
        true => {
            let (id, version) = split_ref(plugin)
                .with_context(|| format!("`{plugin}` is neither a file nor name@version"))?;
            plugins.store.get(id, &version)?
        }
        // A bare name: its newest installed version.
        false => newest(&plugins, plugin)?,
    };
    let bytes = std::fs::read(&installed.path)
        .with_context(|| format!("reading {}", installed.path.display()))?;
    let status = match plugins.store.signature_now(&installed, &bytes) {
        Ok(status) => signature_text(&status),
        Err(why) => format!("REFUSED at load: {why}"),
    };
    Ok((bytes, status))
}

fn inspect(config: &Path, plugin: &str, as_json: bool) -> Result<()> {
    let (bytes, signature) = locate(config, plugin)?;
    let info = ComponentInfo::parse(&bytes).with_context(|| plugin.to_owned())?;
    let check = info.check_imports().err().map(|e| e.to_string());
    let imports: Vec<(String, &str)> = info
        .imports
        .iter()
        .map(|i| (i.clone(), class_text(i)))
        .collect();
    if as_json {
        let value = json!({
            "manifest": info.manifest,
            "sha256": info.sha256,
            "signature": signature,
            "imports": imports.iter().map(|(n, c)| json!({"name": n, "class": c})).collect::<Vec<_>>(),
            "exports": info.exports,
            "refused": check,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    print_inspect(&info, &signature, &imports, check.as_deref());
    Ok(())
}

fn class_text(import: &str) -> &'static str {
    match classify_import(import) {
        ImportClass::Host { .. } => "tessera host capability",
        ImportClass::Inert => "inert (WASI with nothing granted, or types only)",
        ImportClass::Foreign => "FOREIGN: refused",
    }
}

fn print_inspect(
    info: &ComponentInfo,
    signature: &str,
    imports: &[(String, &str)],
    refused: Option<&str>,
) {
    let m = &info.manifest;
    println!("plugin       {} ({})", m.reference(), m.kind.as_str());
    println!("description  {}", m.description);
    println!("wit          tessera {}", m.wit);
    println!("sha256       {}", info.sha256);
    println!("signature    {signature}");
    println!("config");
    for f in &m.config {
        let default = f
            .default
            .as_ref()
            .map(|d| format!(" default {d}"))
            .unwrap_or_default();
        let flags = [(f.required, " required"), (f.secret, " secret")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, t)| *t)
            .collect::<String>();
        println!(
            "  {:<20} {:?}{flags}{default}  {}",
            f.name, f.ty, f.description
        );
    }
    let c = &m.capabilities;
    println!("requests");
    // Fixed origins, and the configuration fields whose URL's origin it asks for: Elanza's
    // only origin is the operator's `base_url`.
    let mut http: Vec<String> = c.http.iter().map(ToString::to_string).collect();
    http.extend(
        c.http_config
            .iter()
            .map(|f| format!("the origin of config `{f}`")),
    );
    let http = match http.is_empty() {
        true => "none".to_owned(),
        false => http.join(", "),
    };
    println!("  http     {http}");
    println!("  ldap     {}", c.ldap.join(", "));
    println!("  secrets  {}", c.secrets.join(", "));
    println!("  xml      {}", c.xml);
    println!("  state    {}", c.state);
    println!("  files    {}", c.files);
    println!("imports");
    for (name, class) in imports {
        println!("  {name:<45} {class}");
    }
    println!("exports      {}", info.exports.join(", "));
    match refused {
        None => println!("verdict      imports match the manifest"),
        Some(why) => println!("verdict      REFUSED: {why}"),
    }
}
