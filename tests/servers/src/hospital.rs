//! A hospital for the demo and the hospital benchmark: flexible workers and their shifts in
//! the mock Elanza, HiX with a group per function and a login group per department, an OU of
//! a Samba AD domain with a group per department and per function, and an HSA tree on slapd
//! with a commission per care unit, and an Entra ID tenant on the mock Graph with a group per
//! department. [`Hospital::config`] and [`Hospital::roles`] tie them to
//! Tessera's first-party plugins; [`story`] holds the events of simulated days.
//!
//! At [`Scale::existing`] > 0 the targets already hold accounts for the first workers, with
//! the memberships a previous tool gave them, as a hospital has when Tessera takes over.

mod ad;
pub mod entra;
mod hr;
mod model;
mod seed;
pub mod story;

use chrono::NaiveDate;

pub use ad::{AdTree, guid_text};
pub use hr::AFAS_TOKEN;

use crate::afas::AfasMock;
use crate::elanza::{Dataset, ElanzaMock, ElanzaOptions, Faults, Generate};
use crate::graph::GraphMock;
use crate::hix::{Catalogue, HixMock};
use crate::samba::Samba;
use crate::slapd::Slapd;

/// The API key the mock Elanza wants; it goes into the vault as `elanza-api-key`.
pub const ELANZA_KEY: &str = "elanza-demo-key-2718";

/// How big the hospital is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Flexible workers in Elanza.
    pub workers: usize,
    /// Shifts each, spread over the 60 days before and 14 days after today.
    pub shifts_per_worker: usize,
    /// The first workers, who already have an account in every target and work today.
    pub existing: usize,
    /// The last workers, whose shifts all ended more than ten days ago: in Elanza's history,
    /// but nobody Tessera should give an account.
    pub former: usize,
    /// Permanent staff in AFAS Profit (none: no HR source); the first also works flex shifts.
    pub permanent: usize,
    /// The first permanent staff (the one who also works flex shifts aside) who already have
    /// an account in every target, as the existing workers do.
    pub permanent_existing: usize,
    /// Whether the hospital has an Entra ID tenant (the mock Graph) beside AD.
    pub entra: bool,
    /// Fixes names, departments and shift times.
    pub seed: u64,
}

impl Scale {
    /// A ward's worth: enough to show every kind of change in seconds.
    pub fn demo() -> Self {
        Self {
            workers: 24,
            shifts_per_worker: 40,
            existing: 4,
            former: 0,
            permanent: 3,
            permanent_existing: 0,
            entra: true,
            seed: 7,
        }
    }

    /// The benchmark: 30,000 workers with about 615,000 shifts; 25,000 work now and are known
    /// to every target, 5,000 worked here before (their last ten days of shifts are gone).
    /// Beside them 10,000 permanent staff in AFAS Profit, all known to every target.
    pub fn hospital() -> Self {
        Self {
            workers: 30_000,
            shifts_per_worker: 21,
            existing: 25_000,
            former: 5_000,
            permanent: 10_000,
            permanent_existing: 10_000,
            entra: false,
            seed: 11,
        }
    }

    /// The same hospital `factor` times as big (for quicker runs of the benchmark).
    pub fn scaled(self, factor: f64) -> Self {
        let times = |n: usize| (n as f64 * factor).round() as usize;
        Self {
            workers: times(self.workers),
            existing: times(self.existing),
            former: times(self.former),
            permanent: times(self.permanent),
            permanent_existing: times(self.permanent_existing),
            ..self
        }
    }
}

/// The directories that run as real servers, when they are installed.
#[derive(Default)]
pub struct Directories {
    /// The shared Samba domain controller.
    pub samba: Option<&'static Samba>,
    /// A slapd with the HSA schema ([`crate::hsa::start`]).
    pub hsa: Option<Slapd>,
}

/// The running hospital.
pub struct Hospital {
    pub elanza: ElanzaMock,
    /// AFAS Profit with the permanent staff, when the scale has any.
    pub afas: Option<AfasMock>,
    pub hix: HixMock,
    pub ad: Option<AdTree>,
    /// Entra ID on the mock Graph, when the scale has it.
    pub entra: Option<GraphMock>,
    pub hsa: Option<Slapd>,
    today: NaiveDate,
}

impl Hospital {
    /// Generates the workers around `today`, starts the mocks on the current tokio runtime,
    /// builds the AD and HSA trees and seeds every target with the existing accounts.
    pub async fn start(scale: Scale, today: NaiveDate, dirs: Directories) -> Self {
        let mut data = Dataset::generate(&Generate {
            seed: scale.seed,
            workers: scale.workers,
            shifts_per_worker: scale.shifts_per_worker,
            anchor: today,
            days_before: 60,
            days_after: 14,
        });
        seed::shape(&mut data, &scale, today);
        let existing: Vec<seed::Known> = data.workers[..scale.existing.min(data.workers.len())]
            .iter()
            .filter_map(|w| seed::known(&data, w))
            .chain(hr::known(&data, scale.permanent, scale.permanent_existing))
            .collect();
        let hix_users = seed::hix_users(&existing);
        let ad = dirs.samba.map(|dc| AdTree::build(dc, &data));
        if let Some(ad) = &ad {
            seed::ad_accounts(ad, &existing);
        }
        if let Some(hsa) = &dirs.hsa {
            seed::hsa_persons(hsa, &data, &existing);
        }
        let hix = HixMock::start(hix_catalogue(&data), hix_users).await;
        let entra = if scale.entra {
            Some(entra::start(&data, &existing).await)
        } else {
            None
        };
        let afas = match scale.permanent {
            0 => None,
            n => Some(hr::start(&data, n, today).await),
        };
        let elanza = ElanzaMock::start(ElanzaOptions {
            api_key: ELANZA_KEY.into(),
            data,
            faults: Faults::default(),
        })
        .await;
        Self {
            elanza,
            afas,
            hix,
            ad,
            entra,
            hsa: dirs.hsa,
            today,
        }
    }

    /// The day the schedule is centred on.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// `tessera.toml`, with the store, vault key and rules file beside it.
    pub fn config(&self) -> String {
        model::config(self)
    }

    /// The role model: departments × functions to HiX groups and login groups, AD groups and
    /// HSA commissions.
    pub fn roles(&self) -> String {
        model::roles(self)
    }

    /// The vault secrets the configuration names, `(name, value)`.
    pub fn secrets(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("elanza-api-key", ELANZA_KEY.to_owned())];
        if self.afas.is_some() {
            out.push(("afas-token", AFAS_TOKEN.to_owned()));
        }
        if let Some(ad) = &self.ad {
            out.push(("ad-bind", ad.dc.admin_password().to_owned()));
        }
        if let Some(hsa) = &self.hsa {
            out.push(("hsa-bind", hsa.root_password().to_owned()));
        }
        if self.entra.is_some() {
            out.push(("entra-client-secret", entra::CLIENT_SECRET.to_owned()));
        }
        out
    }

    /// The systems configured, sources first.
    pub fn systems(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self.afas.iter().map(|_| "afas").collect();
        out.extend(["elanza", "hix"]);
        out.extend(self.ad.as_ref().map(|_| "ad"));
        out.extend(self.hsa.as_ref().map(|_| "hsa"));
        out.extend(self.entra.as_ref().map(|_| "entra"));
        out
    }
}

/// HiX groups per function (product) and login groups per department.
fn hix_catalogue(data: &Dataset) -> Catalogue {
    let groups: Vec<(String, String)> = data
        .products
        .iter()
        .map(|p| (p.hr_function_code.clone(), p.name.clone()))
        .collect();
    let login_groups: Vec<(String, String)> = data
        .departments
        .iter()
        .map(|d| {
            (
                model::login_group(&d.code),
                format!("Inloggroep {}", d.name),
            )
        })
        .collect();
    Catalogue::new(&refs(&groups), &refs(&login_groups))
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}
