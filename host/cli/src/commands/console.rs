//! What `tessera serve` hands the web console: store connections of its own, the role model,
//! the systems as loaded and the installed plugins with what they ask for and were granted.

use std::sync::Arc;

use anyhow::Result;
use tessera_config::Settings;
use tessera_console::{Context, Opener, PluginView, SystemView};
use tessera_domain::TargetInfo;
use tessera_manifest::ComponentInfo;
use tessera_store::{SqliteStore, Store};
use tessera_sync::{Installation, Kind, System, Systems};

pub async fn context(installation: &Installation, systems: &Systems) -> Result<Context> {
    let path = installation.settings.store.path.clone();
    let open: Opener =
        Box::new(move || Ok(Box::new(SqliteStore::open(&path)?) as Box<dyn Store + Send>));
    let mut shown = Vec::new();
    for s in &systems.systems {
        shown.push(SystemView {
            name: s.name.clone(),
            kind: s.kind().as_str().to_owned(),
            plugin: s.connect.plugin().to_owned(),
            info: described(s).await,
        });
    }
    shown.extend(systems.failed.iter().map(|(name, why)| SystemView {
        name: name.clone(),
        kind: "not loaded".to_owned(),
        plugin: why.clone(),
        info: None,
    }));
    Ok(Context {
        open,
        model: Arc::new(installation.model.clone()),
        systems: shown,
        plugins: plugins(installation)?,
        settings: tessera_console::Settings {
            four_eyes: installation.settings.console.four_eyes,
            session: installation.settings.console.session,
        },
    })
}

/// What a target's plugin says of itself, for the console's next plan; a failure to say is
/// logged and leaves that target out of the dry run.
async fn described(system: &System) -> Option<TargetInfo> {
    if system.kind() != Kind::Target {
        return None;
    }
    let described = match system.connect.target().await {
        Ok(mut target) => target.describe().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    described
        .map_err(|why| tracing::warn!(system = %system.name, %why, "not described for the console"))
        .ok()
}

fn plugins(installation: &Installation) -> Result<Vec<PluginView>> {
    let plugins = &installation.host.plugins;
    let settings = &installation.settings;
    let mut views = Vec::new();
    for p in plugins.store.list()? {
        let systems: Vec<String> = plugins
            .lock
            .systems
            .iter()
            .filter(|(_, e)| e.plugin == p.id && e.version == p.version)
            .map(|(s, _)| s.clone())
            .collect();
        let bytes = std::fs::read(&p.path).unwrap_or_default();
        let signature = match plugins.store.signature_now(&p, &bytes) {
            Ok(status) => super::plugin::signature_text(&status),
            Err(why) => format!("refused at load: {why}"),
        };
        let requested = match ComponentInfo::parse(&bytes) {
            Ok(info) => requested(&info),
            Err(e) => vec![format!("unreadable: {e}")],
        };
        views.push(PluginView {
            plugin: format!("{}@{}", p.id, p.version),
            granted: systems.iter().flat_map(|s| granted(settings, s)).collect(),
            systems,
            digest: p.sha256.clone(),
            signature,
            requested,
        });
    }
    Ok(views)
}

fn requested(info: &ComponentInfo) -> Vec<String> {
    let c = &info.manifest.capabilities;
    let mut out: Vec<String> = c.http.iter().map(|o| format!("http {o}")).collect();
    out.extend(
        c.http_config
            .iter()
            .map(|f| format!("http: the origin of config `{f}`")),
    );
    out.extend(c.ldap.iter().map(|l| format!("ldap {l}")));
    out.extend(c.secrets.iter().map(|s| format!("secret {s}")));
    if c.xml {
        out.push("xml".to_owned());
    }
    if c.state {
        out.push("state".to_owned());
    }
    if c.files {
        out.push("files (read-only)".to_owned());
    }
    out
}

fn granted(settings: &Settings, system: &str) -> Vec<String> {
    let Some(s) = settings.systems.get(system) else {
        return Vec::new();
    };
    let g = &s.grants;
    let mut out: Vec<String> = g
        .http
        .iter()
        .map(|o| format!("{system}: http {o}"))
        .collect();
    out.extend(g.ldap.iter().map(|l| format!("{system}: ldap {l}")));
    out.extend(g.secrets.iter().map(|n| format!("{system}: secret {n}")));
    if g.xml {
        out.push(format!("{system}: xml"));
    }
    if let Some(dir) = &g.files {
        out.push(format!("{system}: files {} (read-only)", dir.display()));
    }
    out
}
