//! Fake connectors: sources serving fixed persons, a target in memory, a target in a file
//! that survives a crash, and [`Fixed`] to hand any of them to a run as a system.

mod feed;
mod file_target;
mod meeting;
mod source;
mod target;

use async_trait::async_trait;
use tessera_domain::{SourceConnector, TargetConnector};
use tessera_sync::{Connect, ConnectError, Kind};

pub use file_target::{FileState, FileSystem, FileTarget, Gate};
pub use meeting::Meeting;
pub use source::FakeSource;
pub use target::{FakeTarget, Hang, TargetState};

/// A system for a run whose every connector is a clone of one fake: clones of a
/// [`FakeTarget`] share its state, clones of a [`FakeSource`] serve its persons.
pub struct Fixed<T> {
    fake: T,
    kind: Kind,
    plugin: String,
}

impl Fixed<FakeSource> {
    /// A source system.
    pub fn source(fake: FakeSource) -> Self {
        Self {
            fake,
            kind: Kind::Source,
            plugin: "fake-source@1.0.0".into(),
        }
    }
}

impl<T> Fixed<T> {
    /// A target system.
    pub fn target(fake: T) -> Self {
        Self {
            fake,
            kind: Kind::Target,
            plugin: "fake-target@1.0.0".into(),
        }
    }
}

#[async_trait]
impl Connect for Fixed<FakeSource> {
    fn kind(&self) -> Kind {
        self.kind
    }

    fn plugin(&self) -> &str {
        &self.plugin
    }

    async fn source(&self) -> Result<Box<dyn SourceConnector>, ConnectError> {
        Ok(Box::new(self.fake.clone()))
    }

    async fn target(&self) -> Result<Box<dyn TargetConnector>, ConnectError> {
        Err("a source has no target connector".into())
    }
}

#[async_trait]
impl Connect for Fixed<FakeTarget> {
    fn kind(&self) -> Kind {
        self.kind
    }

    fn plugin(&self) -> &str {
        &self.plugin
    }

    async fn source(&self) -> Result<Box<dyn SourceConnector>, ConnectError> {
        Err("a target has no source connector".into())
    }

    async fn target(&self) -> Result<Box<dyn TargetConnector>, ConnectError> {
        Ok(Box::new(self.fake.clone()))
    }
}
