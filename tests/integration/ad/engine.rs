//! The engine driving a real plugin over simulated days: import persons from a list, then for
//! each day read the target, plan, save and apply, as `tessera sync` does. Shared by the AD
//! and HSA tests.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Days, NaiveDate, Utc};
use tessera_domain::{
    CodeName, ConnectorError, Contract, ContractKind, Person, PersonName, SourceConnector,
    SourceInfo, SourcePage, TargetConnector, Timestamp,
};
use tessera_engine::apply::{ApplyReport, ApplySettings, RetryPolicy, apply_plan};
use tessera_engine::import::{ImportOptions, SourceSettings, import};
use tessera_engine::model::RoleModel;
use tessera_engine::plan::{Plan, plan_system, save_plan};
use tessera_engine::reconcile::read_target;
use tessera_runtime::{Installation, MemoryServices, PreparedSystem};
use tessera_store::Store;
use tessera_tests::{TestInstall, plugin, runtime};

/// A day of the simulated calendar: day 0 is 2026-11-01.
pub fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1)
        .and_then(|d| d.checked_add_days(Days::new(n)))
        .expect("valid day")
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).expect("noon").and_utc()
}

/// A person with the given contracts.
pub fn person(id: &str, given: &str, family: &str, contracts: Vec<Contract>) -> Person {
    Person {
        id: id.into(),
        name: PersonName {
            given: given.into(),
            family: family.into(),
            ..PersonName::default()
        },
        email: None,
        phone: None,
        contracts,
        attributes: vec![],
    }
}

/// An employment contract in a department, from `start` to `end` (open-ended when `None`).
pub fn contract(
    id: &str,
    dept: (&str, &str),
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Contract {
    Contract {
        id: id.into(),
        kind: ContractKind::Employment,
        start: Some(Timestamp::Date(start)),
        end: end.map(Timestamp::Date),
        department: Some(CodeName {
            code: dept.0.into(),
            name: dept.1.into(),
        }),
        title: None,
        location: None,
        cost_centre: None,
        employer: None,
        fte: None,
        hours_per_week: None,
        sequence: None,
        attributes: vec![],
    }
}

struct ListSource(Vec<Person>);

#[async_trait]
impl SourceConnector for ListSource {
    async fn describe(&mut self) -> Result<SourceInfo, ConnectorError> {
        Ok(SourceInfo::default())
    }
    async fn test_connection(&mut self) -> Result<String, ConnectorError> {
        Ok("list".into())
    }
    async fn read(&mut self, _: Option<String>) -> Result<SourcePage, ConnectorError> {
        Ok(SourcePage {
            persons: std::mem::take(&mut self.0),
            ..SourcePage::default()
        })
    }
}

/// An installation with one plugin as system `system`, a store and a role model.
pub struct Lifecycle {
    /// Keeps the installation's directory.
    _install: TestInstall,
    /// The prepared system.
    pub system: PreparedSystem,
    /// The engine's store.
    pub store: Store,
    /// The role model.
    pub model: RoleModel,
    name: String,
}

impl Lifecycle {
    /// Installs `plugin_name` from `plugins/` into an installation configured by `config`,
    /// with `secrets` in the vault, and prepares system `system`.
    pub fn new(plugin_name: &str, system: &str, config: &str, secrets: &[(&str, &str)]) -> Self {
        let install = TestInstall::new(config);
        let mut inst: Installation = install.open();
        inst.store
            .install(&plugin(plugin_name), None)
            .expect("plugin installs");
        inst.set_services(Arc::new(MemoryServices::with_secrets(secrets.to_vec())));
        let (prepared, warnings) = inst.prepare(&runtime(), system).expect("system prepares");
        assert!(warnings.is_empty(), "{warnings:?}");
        Self {
            _install: install,
            system: prepared,
            store: Store::open_in_memory().expect("store"),
            model: RoleModel::default(),
            name: system.to_owned(),
        }
    }

    /// Sets the role model from TOML.
    pub fn model(&mut self, toml: &str) {
        self.model = RoleModel::parse("roles.toml", toml).expect("role model parses");
    }

    /// A fresh plugin instance, as one run gets.
    pub async fn target(&self) -> Box<dyn TargetConnector> {
        Box::new(self.system.target().await.expect("target instance"))
    }

    /// Imports `persons` as the whole source.
    pub async fn import(&self, persons: Vec<Person>, today: NaiveDate) {
        let report = import(
            &self.store,
            &mut ListSource(persons),
            &SourceSettings::new("hr"),
            ImportOptions {
                force: true,
                dry_run: false,
            },
            noon(today),
        )
        .await
        .expect("import");
        assert!(report.committed, "{:?}", report.blocked);
    }

    /// Reads the target and plans `today` without applying.
    pub async fn plan(&self, today: NaiveDate) -> Plan {
        let mut target = self.target().await;
        let report = read_target(&self.store, &self.name, target.as_mut(), noon(today))
            .await
            .expect("read target");
        plan_system(&self.store, &self.model, &self.name, &report.info, today).expect("plan")
    }

    /// One cycle: read, plan, save, apply with two instances. Returns the plan and report.
    pub async fn cycle(&self, today: NaiveDate) -> (Plan, ApplyReport) {
        let mut plan = self.plan(today).await;
        let id = save_plan(&self.store, &mut plan, noon(today)).expect("save plan");
        let mut pool = vec![self.target().await, self.target().await];
        let settings = ApplySettings {
            concurrency: 2,
            retry: RetryPolicy {
                attempts: 2,
                base_delay: std::time::Duration::ZERO,
                max_delay: std::time::Duration::ZERO,
            },
            plugin: None,
        };
        let report = apply_plan(&self.store, id, &mut pool, &settings, noon(today))
            .await
            .expect("apply");
        (plan, report)
    }
}

/// The operation names of a plan, e.g. `create`, `grant`, in order.
pub fn ops(plan: &Plan) -> Vec<String> {
    plan.operations
        .iter()
        .map(|p| p.key.split(':').next().unwrap_or_default().to_owned())
        .collect()
}
