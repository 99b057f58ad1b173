//! Loading a plugin (read, check, compile once, pick the bindings of its WIT version) and
//! preparing it for one system (effective grant, linker, pre-instantiation).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tessera_manifest::{ComponentInfo, ImportClass, Kind, classify_import, validate_config};
use wasmtime::component::{Component, Linker};

use crate::bindings::{SourcePre, TargetPre, WitVersion};
use crate::capability::{Caller, Capabilities, ConfigureContext};
use crate::compiled::CompiledCache;
use crate::host_state::HostState;
use crate::{Error, HostEnv, Limits, Result, Runtime, SystemSettings};

/// A plugin read, checked against its manifest, and compiled once.
pub struct LoadedPlugin {
    /// Manifest, real imports and digest.
    pub info: ComponentInfo,
    component: Component,
    /// The bindings its manifest's WIT version runs in.
    wit: WitVersion,
}

/// A plugin linked for one system: the effective grant is fixed, and every run instantiates
/// the pre-linked template afresh.
pub struct PreparedSystem {
    pub(crate) system: String,
    pub(crate) plugin: String,
    pub(crate) limits: Limits,
    pub(crate) caps: Arc<Capabilities>,
    pub(crate) engine: wasmtime::Engine,
    pub(crate) pre: Pre,
    /// Faults of every instance so far, for the daemon's metrics.
    pub(crate) faults: Arc<AtomicU64>,
}

/// The pre-instantiated plugin, by kind; each kind is keyed by WIT version.
pub(crate) enum Pre {
    Source(SourcePre),
    Target(TargetPre),
}

impl Runtime {
    /// Reads, checks and compiles a plugin file.
    pub fn load(&self, path: &Path) -> Result<LoadedPlugin> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        self.load_bytes(&bytes, &path.display().to_string())
    }

    /// Checks and compiles plugin bytes; `label` names them in errors.
    pub fn load_bytes(&self, bytes: &[u8], label: &str) -> Result<LoadedPlugin> {
        self.load_checked(bytes, label, None)
    }

    /// As [`Runtime::load_bytes`] for an installed component whose digest is `sha256`: the
    /// compiled code comes from `cache` when an entry verifies, and is kept there otherwise.
    pub fn load_cached(
        &self,
        bytes: &[u8],
        label: &str,
        cache: &CompiledCache,
        sha256: &str,
    ) -> Result<LoadedPlugin> {
        self.load_checked(bytes, label, Some((cache, sha256)))
    }

    fn load_checked(
        &self,
        bytes: &[u8],
        label: &str,
        cache: Option<(&CompiledCache, &str)>,
    ) -> Result<LoadedPlugin> {
        let component_error = |source| Error::Component {
            path: label.to_owned(),
            source,
        };
        let info = ComponentInfo::parse(bytes).map_err(component_error)?;
        info.check_imports().map_err(component_error)?;
        // The manifest parser refused versions tessera-manifest does not list; this refuses
        // one it lists but this runtime has no bindings for.
        let wit = WitVersion::of(&info.manifest.wit).ok_or_else(|| {
            component_error(tessera_manifest::Error::UnsupportedWit {
                found: info.manifest.wit.to_string(),
                supported: WitVersion::ALL.map(WitVersion::release).join(", "),
            })
        })?;
        let component = match cache {
            Some((cache, sha256)) => cache.component(self.engine(), sha256, bytes),
            None => Component::new(self.engine(), bytes),
        };
        let component = component.map_err(|e| Error::Compile {
            plugin: info.manifest.reference(),
            message: format!("{e:#}"),
        })?;
        Ok(LoadedPlugin {
            info,
            component,
            wit,
        })
    }
}

impl LoadedPlugin {
    /// `id@version`.
    pub fn reference(&self) -> String {
        self.info.manifest.reference()
    }

    /// Links the plugin for `system`: checks id, version and configuration, computes the
    /// effective grant and pre-instantiates. Returns warnings (grants never requested).
    pub fn prepare(
        &self,
        runtime: &Runtime,
        system: &str,
        spec: &SystemSettings,
        env: &HostEnv,
    ) -> Result<(PreparedSystem, Vec<String>)> {
        let manifest = &self.info.manifest;
        let link_error = |message: String| Error::Link {
            system: system.to_owned(),
            plugin: manifest.reference(),
            message,
        };
        if manifest.id != spec.plugin || !spec.version.matches(&manifest.version) {
            return Err(link_error(format!(
                "systems.{system} asks for {} {}, this is {}",
                spec.plugin,
                spec.version,
                manifest.reference()
            )));
        }
        let config =
            validate_config(&manifest.config, &spec.config).map_err(|problems| Error::Config {
                file: format!("system `{system}` (plugin {})", manifest.reference()),
                problems: problems
                    .iter()
                    .map(|p| format!("systems.{system}.{p}"))
                    .collect(),
            })?;
        let caller = Caller {
            plugin: manifest.reference(),
            system: system.to_owned(),
            services: env.services.clone(),
        };
        let ctx = ConfigureContext {
            manifest,
            spec,
            config: &config,
            caller: &caller,
            env,
        };
        let (caps, warnings) = Capabilities::configure(&ctx);
        self.check_granted(&caps).map_err(link_error)?;
        let pre = self
            .pre_instantiate(runtime, &caps)
            .map_err(|e| link_error(format!("{e:#}")))?;
        let prepared = PreparedSystem {
            system: system.to_owned(),
            plugin: manifest.reference(),
            limits: spec.limits,
            caps: Arc::new(caps),
            engine: runtime.engine().clone(),
            faults: Arc::default(),
            pre,
        };
        Ok((prepared, warnings))
    }

    fn check_granted(&self, caps: &Capabilities) -> std::result::Result<(), String> {
        let problems: Vec<String> = self
            .info
            .imports
            .iter()
            .filter_map(|import| match classify_import(import) {
                ImportClass::Host { interface, .. } => caps.granted(&interface).err(),
                _ => None,
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    fn pre_instantiate(&self, runtime: &Runtime, caps: &Capabilities) -> wasmtime::Result<Pre> {
        let mut linker = Linker::<HostState>::new(runtime.engine());
        caps.link(&mut linker, self.wit)?;
        let pre = linker.instantiate_pre(&self.component)?;
        Ok(match self.info.manifest.kind {
            Kind::Source => Pre::Source(SourcePre::new(self.wit, pre)?),
            Kind::Target => Pre::Target(TargetPre::new(self.wit, pre)?),
        })
    }
}

impl PreparedSystem {
    /// How many calls of this system's instances faulted (trapped, panicked, timed out, ran
    /// out of memory) since it was prepared.
    pub fn faults(&self) -> u64 {
        self.faults.load(Ordering::Relaxed)
    }

    /// The configured system's name.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// `id@version` of the plugin serving it.
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// Whether the plugin is a source (else a target).
    pub fn is_source(&self) -> bool {
        matches!(self.pre, Pre::Source(_))
    }

    /// The effective grant as JSON, for review.
    pub fn effective_grant(&self) -> serde_json::Value {
        self.caps.effective()
    }
}

impl std::fmt::Debug for PreparedSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedSystem")
            .field("system", &self.system)
            .field("plugin", &self.plugin)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("plugin", &self.reference())
            .finish_non_exhaustive()
    }
}
