//! A target whose state lives in a JSON file, replaced atomically after every change, so a
//! process that dies leaves behind exactly the writes that took effect. It counts how often
//! each write took effect, and it can abort the process around the Nth write to stand in for
//! a crash at that step of apply.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tessera_domain::{
    Account, AccountPage, AccountSpec, AttributeChange, ConnectorError, EntitlementPage,
    EntitlementRef, Membership, MembershipPage, SourceConnector, TargetConnector, TargetInfo,
};
use tessera_sync::{Connect, ConnectError, Kind};

/// What the file holds.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FileState {
    pub accounts: BTreeMap<String, Account>,
    pub memberships: BTreeSet<(String, EntitlementRef)>,
    /// How often each write took effect, by label (`create aade`, `grant acc-1 ic`).
    pub applied: BTreeMap<String, u32>,
    next_key: u32,
}

impl FileState {
    pub fn load(path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).expect("target file is JSON"),
            Err(_) => Self::default(),
        }
    }

    /// Write beside, then rename: the file is either the old state or the new one.
    fn save(&self, path: &Path) {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(self).expect("serialise")).expect("write");
        std::fs::rename(&tmp, path).expect("rename");
    }
}

/// Crash points: write `k` (from 1) has point `2k - 1` just before its effect and `2k` just
/// after its effect is on disk.
pub struct FileTarget {
    path: PathBuf,
    abort_at: Option<usize>,
    gate: Option<Gate>,
    writes: usize,
}

/// A point where a target waits for someone outside the process: it creates `dir/waiting`,
/// then blocks until `dir/go` exists, so a test can kill or signal the process right there.
#[derive(Debug, Clone)]
pub struct Gate {
    /// The crash point (see [`FileTarget`]).
    pub point: usize,
    /// Where the two files go.
    pub dir: PathBuf,
}

impl Gate {
    fn wait(&self) {
        std::fs::write(self.dir.join("waiting"), b"").expect("mark the gate");
        // Bounded: a test that never opens the gate must not leave a process behind forever.
        for _ in 0..6000 {
            if self.dir.join("go").exists() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        std::process::abort();
    }
}

/// A target system whose every connector is a [`FileTarget`] on one file.
pub struct FileSystem {
    /// The file.
    pub path: PathBuf,
    /// Where each connector aborts the process (counting its own writes).
    pub abort_at: Option<usize>,
    /// Where each connector waits (counting its own writes).
    pub gate: Option<Gate>,
}

#[async_trait]
impl Connect for FileSystem {
    fn kind(&self) -> Kind {
        Kind::Target
    }

    fn plugin(&self) -> &str {
        "file-ad@1.0.0"
    }

    async fn source(&self) -> Result<Box<dyn SourceConnector>, ConnectError> {
        Err("a target has no source connector".into())
    }

    async fn target(&self) -> Result<Box<dyn TargetConnector>, ConnectError> {
        let mut target = FileTarget::new(self.path.clone(), self.abort_at);
        target.gate = self.gate.clone();
        Ok(Box::new(target))
    }
}

impl FileTarget {
    pub fn new(path: PathBuf, abort_at: Option<usize>) -> Self {
        Self {
            path,
            abort_at,
            gate: None,
            writes: 0,
        }
    }

    fn crash_point(&self, point: usize) {
        if self.abort_at == Some(point) {
            std::process::abort();
        }
        if let Some(gate) = self.gate.as_ref().filter(|g| g.point == point) {
            gate.wait();
        }
    }

    fn write<T>(
        &mut self,
        label: String,
        effect: impl FnOnce(&mut FileState) -> Result<T, ConnectorError>,
    ) -> Result<T, ConnectorError> {
        self.writes += 1;
        self.crash_point(2 * self.writes - 1);
        let mut state = FileState::load(&self.path);
        let result = effect(&mut state);
        if result.is_ok() {
            *state.applied.entry(label).or_default() += 1;
            state.save(&self.path);
        }
        self.crash_point(2 * self.writes);
        result
    }

    fn account<'s>(s: &'s mut FileState, key: &str) -> Result<&'s mut Account, ConnectorError> {
        s.accounts
            .get_mut(key)
            .ok_or_else(|| ConnectorError::NotFound(key.to_owned()))
    }
}

#[async_trait]
impl TargetConnector for FileTarget {
    async fn describe(&mut self) -> Result<TargetInfo, ConnectorError> {
        Ok(TargetInfo {
            entitlement_kinds: vec!["group".into()],
            serial_writes: true,
            supports_delete: true,
            correlation_attributes: vec![],
            feed: None,
        })
    }

    async fn test_connection(&mut self) -> Result<String, ConnectorError> {
        Ok("file".into())
    }

    async fn list_accounts(&mut self, _: Option<String>) -> Result<AccountPage, ConnectorError> {
        let accounts = FileState::load(&self.path).accounts.into_values().collect();
        Ok(AccountPage {
            accounts,
            next_cursor: None,
        })
    }

    async fn list_entitlements(
        &mut self,
        _: Option<String>,
    ) -> Result<EntitlementPage, ConnectorError> {
        Ok(EntitlementPage::default())
    }

    async fn list_memberships(
        &mut self,
        _: Option<String>,
    ) -> Result<MembershipPage, ConnectorError> {
        let memberships = FileState::load(&self.path)
            .memberships
            .into_iter()
            .map(|(account, entitlement)| Membership {
                account,
                entitlement,
            })
            .collect();
        Ok(MembershipPage {
            memberships,
            next_cursor: None,
        })
    }

    async fn correlate(&mut self, _: &str, _: &str) -> Result<Option<Account>, ConnectorError> {
        Ok(None)
    }

    async fn create(&mut self, spec: &AccountSpec) -> Result<Account, ConnectorError> {
        self.write(format!("create {}", spec.username), |s| {
            s.next_key += 1;
            let account = Account {
                key: format!("acc-{}", s.next_key),
                username: Some(spec.username.clone()),
                enabled: spec.enabled,
                attributes: spec.attributes.clone(),
            };
            s.accounts.insert(account.key.clone(), account.clone());
            Ok(account)
        })
    }

    async fn update(
        &mut self,
        key: &str,
        changes: &[AttributeChange],
    ) -> Result<Account, ConnectorError> {
        self.write(format!("update {key}"), |s| {
            let a = Self::account(s, key)?;
            for c in changes {
                a.attributes.retain(|x| x.name != c.name);
                for value in &c.values {
                    a.attributes.push(tessera_domain::Attribute {
                        name: c.name.clone(),
                        value: value.clone(),
                    });
                }
            }
            Ok(a.clone())
        })
    }

    async fn enable(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.write(format!("enable {key}"), |s| {
            Self::account(s, key)?.enabled = true;
            Ok(())
        })
    }

    async fn disable(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.write(format!("disable {key}"), |s| {
            Self::account(s, key)?.enabled = false;
            Ok(())
        })
    }

    async fn delete(&mut self, key: &str) -> Result<(), ConnectorError> {
        self.write(format!("delete {key}"), |s| {
            s.accounts
                .remove(key)
                .ok_or_else(|| ConnectorError::NotFound(key.to_owned()))?;
            s.memberships.retain(|(a, _)| a != key);
            Ok(())
        })
    }

    async fn grant(&mut self, key: &str, e: &EntitlementRef) -> Result<(), ConnectorError> {
        self.write(format!("grant {key} {}", e.key), |s| {
            Self::account(s, key)?;
            s.memberships.insert((key.to_owned(), e.clone()));
            Ok(())
        })
    }

    async fn revoke(&mut self, key: &str, e: &EntitlementRef) -> Result<(), ConnectorError> {
        self.write(format!("revoke {key} {}", e.key), |s| {
            s.memberships.remove(&(key.to_owned(), e.clone()));
            Ok(())
        })
    }
}
