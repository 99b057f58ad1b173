//! One run of a plugin: a fresh instance, guarded calls, the engine's connector traits.

use std::sync::Arc;

use async_trait::async_trait;
use tessera_domain as d;
use tokio::time::error::Elapsed;
use wasmtime::Store;

use crate::bindings::{Answer, SourceExports, TargetExports};
use crate::fault::{Evidence, FaultKind, classify};
use crate::host_state::HostState;
use crate::plugin::Pre;
use crate::{Error, PluginFault, PreparedSystem, Result, Runtime};

/// Why a call produced no value: the connector said no, or the plugin failed as a program.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// A typed answer from the connector.
    #[error(transparent)]
    Connector(#[from] d::ConnectorError),
    /// The plugin trapped, panicked, or ran out of time or memory; the run is over.
    #[error(transparent)]
    Fault(#[from] PluginFault),
}

impl CallError {
    /// As the engine sees it. A fault during a write leaves the outcome unknown.
    fn into_connector(self, write: bool) -> d::ConnectorError {
        match self {
            Self::Connector(e) => e,
            Self::Fault(f) if write => d::ConnectorError::OutcomeUnknown(f.to_string()),
            Self::Fault(f) => d::ConnectorError::Other(f.to_string()),
        }
    }
}

/// Store and exports of one instance, plus what is needed to guard its calls. The exports are
/// those of the plugin's WIT version, in domain types.
struct Run<B> {
    store: Store<HostState>,
    exports: B,
    system: Arc<str>,
    plugin: Arc<str>,
    cpu_ticks: u64,
    call_timeout: std::time::Duration,
    fault: Option<PluginFault>,
    faults: Arc<std::sync::atomic::AtomicU64>,
    logged: (usize, usize),
}

type Outcome<T> = std::result::Result<wasmtime::Result<T>, Elapsed>;

impl<B> Run<B> {
    fn check_alive(&self) -> std::result::Result<(), CallError> {
        match &self.fault {
            Some(f) => Err(CallError::Fault(f.clone())),
            None => Ok(()),
        }
    }

    fn arm(&mut self) {
        self.store.set_epoch_deadline(self.cpu_ticks);
    }

    /// Turns what the call produced into a value or a named fault, and forwards guest output.
    fn finish<T>(&mut self, call: &str, outcome: Outcome<T>) -> std::result::Result<T, CallError> {
        let result = match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                let stderr =
                    String::from_utf8_lossy(&self.store.data().stderr.contents()).into_owned();
                let memory_exhausted = self.store.data_mut().limiter.exhausted.take();
                let (kind, message) = classify(Evidence {
                    error: &error,
                    memory_exhausted,
                    stderr: &stderr,
                });
                Err(self.fault(call, kind, message))
            }
            Err(_) => {
                let message = format!(
                    "call deadline of {:?} passed (host calls included)",
                    self.call_timeout
                );
                Err(self.fault(call, FaultKind::Timeout, message))
            }
        };
        self.forward_output();
        result
    }

    fn fault(&mut self, call: &str, kind: FaultKind, message: String) -> CallError {
        let fault = PluginFault {
            plugin: self.plugin.to_string(),
            system: self.system.to_string(),
            call: call.to_owned(),
            kind,
            message,
        };
        tracing::error!(plugin = %fault.plugin, system = %fault.system, call, kind = ?kind, "{}", fault.message);
        // A trapped instance cannot be entered again; the run ends here.
        self.fault = Some(fault.clone());
        self.faults
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        CallError::Fault(fault)
    }

    fn forward_output(&mut self) {
        let data = self.store.data();
        let (out, err) = (data.stdout.contents(), data.stderr.contents());
        for (bytes, seen, stream) in [
            (&out, self.logged.0, "stdout"),
            (&err, self.logged.1, "stderr"),
        ] {
            for line in String::from_utf8_lossy(&bytes[seen.min(bytes.len())..]).lines() {
                tracing::info!(target: "tessera::plugin", plugin = %self.plugin, system = %self.system, stream, "{line}");
            }
        }
        self.logged = (out.len(), err.len());
    }
}

/// Runs one guarded export call: CPU deadline armed, outer timeout around it, faults named.
macro_rules! guarded {
    ($run:expr, $name:literal, |$store:ident, $b:ident| $call:expr) => {{
        let run = &mut $run;
        match run.check_alive() {
            Err(e) => Err(e),
            Ok(()) => {
                run.arm();
                let timeout = run.call_timeout;
                let outcome = {
                    let $store = &mut run.store;
                    let $b = &run.exports;
                    tokio::time::timeout(timeout, $call).await
                };
                run.finish($name, outcome)
            }
        }
    }};
}

impl PreparedSystem {
    fn new_store(&self) -> Store<HostState> {
        let mut store = Store::new(
            &self.engine,
            HostState::new(
                self.caps.clone(),
                self.limits.memory_bytes(),
                self.limits.host_memory_bytes(),
            ),
        );
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(Runtime::ticks(self.limits.cpu()));
        store
    }

    fn run<B>(&self, store: Store<HostState>, exports: B) -> Run<B> {
        Run {
            store,
            exports,
            system: self.system.as_str().into(),
            plugin: self.plugin.as_str().into(),
            cpu_ticks: Runtime::ticks(self.limits.cpu()),
            call_timeout: self.limits.call_timeout(),
            fault: None,
            faults: self.faults.clone(),
            logged: (0, 0),
        }
    }

    fn instantiate_fault(&self, e: wasmtime::Error) -> Error {
        Error::Fault(PluginFault {
            plugin: self.plugin.clone(),
            system: self.system.clone(),
            call: "instantiate".into(),
            kind: FaultKind::Trap,
            message: format!("{e:#}"),
        })
    }

    /// A fresh instance of a source plugin for one run.
    pub async fn source(&self) -> Result<WasmSource> {
        let Pre::Source(pre) = &self.pre else {
            return Err(self.wrong_kind("source"));
        };
        let mut store = self.new_store();
        let exports = pre
            .instantiate(&mut store)
            .await
            .map_err(|e| self.instantiate_fault(e))?;
        Ok(WasmSource {
            run: self.run(store, exports),
        })
    }

    /// A fresh instance of a target plugin for one run.
    pub async fn target(&self) -> Result<WasmTarget> {
        let Pre::Target(pre) = &self.pre else {
            return Err(self.wrong_kind("target"));
        };
        let mut store = self.new_store();
        let exports = pre
            .instantiate(&mut store)
            .await
            .map_err(|e| self.instantiate_fault(e))?;
        Ok(WasmTarget {
            run: self.run(store, exports),
        })
    }

    fn wrong_kind(&self, wanted: &str) -> Error {
        Error::Link {
            system: self.system.clone(),
            plugin: self.plugin.clone(),
            message: format!("used as a {wanted}, but the plugin is not one"),
        }
    }
}

/// One run of a source plugin.
pub struct WasmSource {
    run: Run<Box<dyn SourceExports>>,
}

impl WasmSource {
    /// `describe`, with faults kept apart from connector errors.
    pub async fn call_describe(&mut self) -> std::result::Result<d::SourceInfo, CallError> {
        guarded!(self.run, "describe", |s, b| b.describe(s))
    }

    /// `test-connection`.
    pub async fn call_test_connection(&mut self) -> std::result::Result<String, CallError> {
        let answer = guarded!(self.run, "test-connection", |s, b| b.test_connection(s))?;
        Ok(answer?)
    }

    /// `read`.
    pub async fn call_read(
        &mut self,
        cursor: Option<String>,
    ) -> std::result::Result<d::SourcePage, CallError> {
        let answer = guarded!(self.run, "read", |s, b| b.read(s, cursor.as_deref()))?;
        Ok(answer?)
    }

    /// `read-changes` (WIT 0.2); a plugin built for 0.1 answers `Unsupported`.
    pub async fn call_read_changes(
        &mut self,
        cursor: Option<&[u8]>,
    ) -> std::result::Result<d::SourceChanges, CallError> {
        let answer = guarded!(self.run, "read-changes", |s, b| b.read_changes(s, cursor))?;
        Ok(answer?)
    }
}

#[async_trait]
impl d::SourceConnector for WasmSource {
    async fn describe(&mut self) -> std::result::Result<d::SourceInfo, d::ConnectorError> {
        self.call_describe()
            .await
            .map_err(|e| e.into_connector(false))
    }
    async fn test_connection(&mut self) -> std::result::Result<String, d::ConnectorError> {
        self.call_test_connection()
            .await
            .map_err(|e| e.into_connector(false))
    }
    async fn read(
        &mut self,
        cursor: Option<String>,
    ) -> std::result::Result<d::SourcePage, d::ConnectorError> {
        self.call_read(cursor)
            .await
            .map_err(|e| e.into_connector(false))
    }
    async fn read_changes(
        &mut self,
        cursor: Option<&[u8]>,
    ) -> std::result::Result<d::SourceChanges, d::ConnectorError> {
        self.call_read_changes(cursor)
            .await
            .map_err(|e| e.into_connector(false))
    }
}

/// One run of a target plugin.
pub struct WasmTarget {
    run: Run<Box<dyn TargetExports>>,
}

/// The connector's answer, or the fault as the engine sees it; `write` marks calls whose
/// outcome a fault leaves unknown.
fn answer<T>(r: std::result::Result<Answer<T>, CallError>, write: bool) -> Answer<T> {
    r.unwrap_or_else(|e| Err(e.into_connector(write)))
}

#[async_trait]
impl d::TargetConnector for WasmTarget {
    async fn describe(&mut self) -> Answer<d::TargetInfo> {
        let r = guarded!(self.run, "describe", |s, b| b.describe(s));
        r.map_err(|e| e.into_connector(false))
    }
    async fn test_connection(&mut self) -> Answer<String> {
        let r = guarded!(self.run, "test-connection", |s, b| b.test_connection(s));
        answer(r, false)
    }
    async fn list_accounts(&mut self, cursor: Option<String>) -> Answer<d::AccountPage> {
        let r = guarded!(self.run, "list-accounts", |s, b| b
            .list_accounts(s, cursor.as_deref()));
        answer(r, false)
    }
    async fn list_entitlements(&mut self, cursor: Option<String>) -> Answer<d::EntitlementPage> {
        let r = guarded!(self.run, "list-entitlements", |s, b| b
            .list_entitlements(s, cursor.as_deref()));
        answer(r, false)
    }
    async fn list_memberships(&mut self, cursor: Option<String>) -> Answer<d::MembershipPage> {
        let r = guarded!(self.run, "list-memberships", |s, b| b
            .list_memberships(s, cursor.as_deref()));
        answer(r, false)
    }
    async fn read_changes(&mut self, cursor: Option<&[u8]>) -> Answer<d::TargetChanges> {
        let r = guarded!(self.run, "read-changes", |s, b| b.read_changes(s, cursor));
        answer(r, false)
    }
    async fn get_account(&mut self, key: &str) -> Answer<Option<d::Account>> {
        let r = guarded!(self.run, "get-account", |s, b| b.get_account(s, key));
        answer(r, false)
    }
    async fn correlate(&mut self, attribute: &str, value: &str) -> Answer<Option<d::Account>> {
        let r = guarded!(self.run, "correlate", |s, b| b
            .correlate(s, attribute, value));
        answer(r, false)
    }
    async fn create(&mut self, spec: &d::AccountSpec) -> Answer<d::Account> {
        let r = guarded!(self.run, "create", |s, b| b.create(s, spec));
        answer(r, true)
    }
    async fn update(
        &mut self,
        account: &str,
        changes: &[d::AttributeChange],
    ) -> Answer<d::Account> {
        let r = guarded!(self.run, "update", |s, b| b.update(s, account, changes));
        answer(r, true)
    }
    async fn enable(&mut self, account: &str) -> Answer<()> {
        let r = guarded!(self.run, "enable", |s, b| b.enable(s, account));
        answer(r, true)
    }
    async fn disable(&mut self, account: &str) -> Answer<()> {
        let r = guarded!(self.run, "disable", |s, b| b.disable(s, account));
        answer(r, true)
    }
    async fn delete(&mut self, account: &str) -> Answer<()> {
        let r = guarded!(self.run, "delete", |s, b| b.delete(s, account));
        answer(r, true)
    }
    async fn grant(&mut self, account: &str, entitlement: &d::EntitlementRef) -> Answer<()> {
        let r = guarded!(self.run, "grant", |s, b| b.grant(s, account, entitlement));
        answer(r, true)
    }
    async fn revoke(&mut self, account: &str, entitlement: &d::EntitlementRef) -> Answer<()> {
        let r = guarded!(self.run, "revoke", |s, b| b.revoke(s, account, entitlement));
        answer(r, true)
    }
    async fn open_ticket(&mut self, spec: &d::TicketSpec) -> Answer<d::Ticket> {
        let r = guarded!(self.run, "open-ticket", |s, b| b.open_ticket(s, spec));
        answer(r, true)
    }
    async fn ticket(&mut self, key: &str) -> Answer<d::Ticket> {
        let r = guarded!(self.run, "get-ticket", |s, b| b.ticket(s, key));
        answer(r, false)
    }
}
