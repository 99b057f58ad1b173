//! A real plugin as one target, a list of persons as the source, and the sync library running
//! them day by day, as `tessera sync` does.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use tessera_config::{ApplySettings, RetryPolicy, SourceSettings};
use tessera_domain::{Person, TargetConnector};
use tessera_engine::apply::ApplyReport;
use tessera_engine::import::{ImportOptions, import};
use tessera_engine::model::RoleModel;
use tessera_engine::plan::Plan;
use tessera_runtime::{MemoryServices, Runtime};
use tessera_store::SqliteStore;
use tessera_sync::{
    Clock, Connect, Mode, NoProgress, SyncOptions, SyncOutcome, System, SystemSummary, Systems,
};

use crate::fakes::{FakeSource, FakeTarget, Fixed};
use crate::install::{TestInstall, runtime};
use crate::paths::plugin;
use crate::people::noon;

/// The source's name in every lifecycle.
pub const SOURCE: &str = "hr";

/// One target system (a first-party plugin in a throw-away installation, or a fake), a list
/// source, a store and a role model.
pub struct Lifecycle {
    /// Keeps the installation's directory and the epoch ticker that enforces the plugin's
    /// CPU deadline.
    _plugin: Option<(TestInstall, Runtime)>,
    /// The store.
    pub store: SqliteStore,
    /// The role model.
    pub model: RoleModel,
    source: FakeSource,
    systems: Systems,
    /// How much each run reads (full by default).
    pub mode: Mode,
}

impl Lifecycle {
    /// Installs `plugin_name` from `plugins/` into an installation configured by `config`,
    /// with `secrets` given to the host, and prepares system `system`.
    pub fn new(plugin_name: &str, system: &str, config: &str, secrets: &[(&str, &str)]) -> Self {
        let install = TestInstall::new(config);
        let mut plugins = install.open();
        plugins
            .store
            .install(&plugin(plugin_name), None)
            .expect("plugin installs");
        plugins.set_services(Arc::new(MemoryServices::with_secrets(secrets.to_vec())));
        let runtime = runtime();
        let (prepared, warnings) = plugins.prepare(&runtime, system).expect("system prepares");
        assert!(warnings.is_empty(), "{warnings:?}");
        let mut life = Self::with_target(system, Box::new(prepared));
        life._plugin = Some((install, runtime));
        life
    }

    /// A fake target as system `system`.
    pub fn fake(system: &str, target: FakeTarget) -> Self {
        Self::with_target(system, Box::new(Fixed::target(target)))
    }

    fn with_target(system: &str, connect: Box<dyn Connect>) -> Self {
        // Small pages, so every run crosses page boundaries; a feed, for incremental runs.
        let source = FakeSource::new(Vec::new(), 2).with_feed();
        let systems = Systems {
            systems: vec![
                System {
                    name: SOURCE.into(),
                    source: SourceSettings::default(),
                    apply: ApplySettings::default(),
                    connect: Box::new(Fixed::source(source.clone())),
                },
                System {
                    name: system.into(),
                    source: SourceSettings::default(),
                    apply: quick(),
                    connect,
                },
            ],
            ..Systems::default()
        };
        Self {
            _plugin: None,
            store: SqliteStore::open_in_memory().expect("store"),
            model: RoleModel::default(),
            source,
            systems,
            mode: Mode::Full,
        }
    }

    /// A fake target beside the first one (a system whose grants ask the first for tickets,
    /// say); its plan comes after the first target's.
    pub fn add_fake(&mut self, system: &str, target: FakeTarget) {
        self.systems.systems.push(System {
            name: system.into(),
            source: SourceSettings::default(),
            apply: quick(),
            connect: Box::new(Fixed::target(target)),
        });
    }

    /// A second source beside [`SOURCE`], with settings of its own.
    pub fn add_source(&mut self, system: &str, source: FakeSource) {
        self.systems.systems.push(System {
            name: system.into(),
            source: SourceSettings::default(),
            apply: ApplySettings::default(),
            connect: Box::new(Fixed::source(source)),
        });
    }

    /// How the target is applied to: two writers, two attempts without pauses by default.
    pub fn apply(&mut self) -> &mut ApplySettings {
        &mut self.systems.systems[1].apply
    }

    /// The source, to change what it serves or how.
    pub fn source(&self) -> &FakeSource {
        &self.source
    }

    /// Sets the role model from TOML.
    pub fn model(&mut self, toml: &str) {
        self.model = RoleModel::parse("roles.toml", toml).expect("role model parses");
    }

    /// A fresh instance of the target's plugin, as one run gets.
    pub async fn target(&self) -> Box<dyn TargetConnector> {
        self.systems.systems[1]
            .connect
            .target()
            .await
            .expect("target instance")
    }

    /// Makes `persons` the whole source and imports them now (thresholds forced).
    pub async fn import(&self, persons: Vec<Person>, today: NaiveDate) {
        self.source.set(persons);
        let mut source = self.source.clone();
        let options = ImportOptions {
            force: true,
            dry_run: false,
            ..ImportOptions::default()
        };
        let settings = SourceSettings::default();
        let report = import(
            &self.store,
            &mut source,
            SOURCE,
            &settings,
            options,
            noon(today),
        )
        .await
        .expect("import");
        assert!(report.committed, "{:?}", report.blocked);
    }

    /// One sync as of `today`.
    pub async fn sync(&self, today: NaiveDate, dry_run: bool) -> SyncOutcome {
        let options = SyncOptions {
            dry_run,
            force: true,
            mode: self.mode,
            ..SyncOptions::default()
        };
        self.sync_with(today, options).await
    }

    /// One sync as of `today` with these options.
    pub async fn sync_with(&self, today: NaiveDate, options: SyncOptions) -> SyncOutcome {
        let clock = Clock {
            today,
            now: noon(today),
        };
        tessera_sync::sync(
            &self.store,
            &self.model,
            &self.systems,
            options,
            clock,
            &NoProgress,
        )
        .await
        .expect("sync")
    }

    /// Reads the target and plans `today`, storing and applying nothing.
    pub async fn plan(&self, today: NaiveDate) -> Plan {
        let outcome = self.sync(today, true).await;
        let target = Self::target_of(&outcome);
        target
            .planned
            .clone()
            .unwrap_or_else(|| panic!("no plan: {:?}", target.notes))
    }

    /// One sync of `today`; returns the target's plan and what applying it did.
    pub async fn cycle(&self, today: NaiveDate) -> (Plan, ApplyReport) {
        let outcome = self.sync(today, false).await;
        let target = Self::target_of(&outcome);
        let report = target.apply.clone();
        let report = report.unwrap_or_else(|| panic!("not applied: {:?}", target.notes));
        let plan = outcome.plans.into_iter().next().expect("the target's plan");
        (plan, report)
    }

    fn target_of(outcome: &SyncOutcome) -> &SystemSummary {
        outcome
            .systems
            .iter()
            .find(|s| s.kind == "target")
            .expect("the target ran")
    }
}

/// Two writers and two quick attempts: tests must not wait for backoff.
fn quick() -> ApplySettings {
    ApplySettings {
        concurrency: 2,
        retry: RetryPolicy {
            attempts: 2,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        },
    }
}

/// The operation names of a plan, e.g. `create`, `grant`, in order.
pub fn ops(plan: &Plan) -> Vec<String> {
    plan.operations
        .iter()
        .map(|p| p.key.split(':').next().unwrap_or_default().to_owned())
        .collect()
}
