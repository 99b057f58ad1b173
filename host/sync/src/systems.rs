//! The configured systems a run works on, each behind a [`Connect`]: a plugin prepared by the
//! runtime, or a fake in tests.

use async_trait::async_trait;
use tessera_config::{ApplySettings, SourceSettings};
use tessera_domain::{SourceConnector, TargetConnector};
use tessera_runtime::PreparedSystem;

/// Why a connector could not be opened.
pub type ConnectError = Box<dyn std::error::Error + Send + Sync>;

/// Whether a system is read from or written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Persons and contracts come from it.
    Source,
    /// Accounts and entitlements are kept in it.
    Target,
}

impl Kind {
    /// `source` or `target`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Target => "target",
        }
    }
}

/// Opens connectors for one system; every call gives a fresh one.
#[async_trait]
pub trait Connect: Send + Sync {
    /// Source or target.
    fn kind(&self) -> Kind;
    /// `id@version` of what serves the system, for the audit trail.
    fn plugin(&self) -> &str;
    /// A fresh source connector.
    async fn source(&self) -> Result<Box<dyn SourceConnector>, ConnectError>;
    /// A fresh target connector.
    async fn target(&self) -> Result<Box<dyn TargetConnector>, ConnectError>;
    /// How many of its plugin's calls faulted (trapped, panicked, ran out of time or memory)
    /// so far; nothing that is not a plugin faults.
    fn faults(&self) -> u64 {
        0
    }
}

#[async_trait]
impl Connect for PreparedSystem {
    fn kind(&self) -> Kind {
        if self.is_source() {
            Kind::Source
        } else {
            Kind::Target
        }
    }

    fn plugin(&self) -> &str {
        PreparedSystem::plugin(self)
    }

    fn faults(&self) -> u64 {
        PreparedSystem::faults(self)
    }

    async fn source(&self) -> Result<Box<dyn SourceConnector>, ConnectError> {
        Ok(Box::new(PreparedSystem::source(self).await?))
    }

    async fn target(&self) -> Result<Box<dyn TargetConnector>, ConnectError> {
        Ok(Box::new(PreparedSystem::target(self).await?))
    }
}

/// One configured system, ready to run.
pub struct System {
    /// Its name in the configuration.
    pub name: String,
    /// How the engine imports it, when it is a source.
    pub source: SourceSettings,
    /// How the engine applies plans to it, when it is a target.
    pub apply: ApplySettings,
    /// Its connectors.
    pub connect: Box<dyn Connect>,
}

impl System {
    /// Source or target.
    pub fn kind(&self) -> Kind {
        self.connect.kind()
    }
}

/// The systems of a run, and those that could not be loaded.
#[derive(Default)]
pub struct Systems {
    /// Loaded systems, in configuration order.
    pub systems: Vec<System>,
    /// Systems whose plugin could not be loaded, with why.
    pub failed: Vec<(String, String)>,
    /// Warnings from loading (grants nobody asked for), by system.
    pub warnings: Vec<(String, String)>,
    /// How long loading them took.
    pub load_seconds: f64,
}
