//! What the host needs from the rest of the installation: secret values, per-plugin state and
//! an audit sink. The runtime owns this trait and never touches the database itself; the CLI
//! backs it with the encrypted store, tests with [`MemoryServices`].

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::SystemTime;

use zeroize::Zeroizing;

/// Whose state a key belongs to: one plugin on one system.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StateScope {
    /// Plugin id (not the version: state survives upgrades).
    pub plugin: String,
    /// Configured system name.
    pub system: String,
}

/// One access decision or secret read, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEvent {
    /// `id@version`.
    pub plugin: String,
    /// Configured system name.
    pub system: String,
    /// `secret-read`, `denied`, `credential-read`, `file-read`, `file-list`.
    pub action: String,
    /// What was asked for: a secret's name, an origin, a DN. Never a value.
    pub what: String,
    /// `ok`, `denied: allow with KEY`, `failed: …`.
    pub outcome: String,
}

/// Why a service call failed. Messages never carry secret values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// The vault has no key (no key file, no environment variable).
    #[error("the vault is locked: {0}")]
    Locked(String),
    /// The state would exceed its size limit.
    #[error("state limit: {0}")]
    TooLarge(String),
    /// The backing store failed.
    #[error("{0}")]
    Backend(String),
}

/// Secrets, state and audit for the capabilities.
pub trait HostServices: Send + Sync {
    /// The value of a vault secret, if it exists.
    fn secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, ServiceError>;
    /// A state value.
    fn state_get(&self, scope: &StateScope, key: &str) -> Result<Option<Vec<u8>>, ServiceError>;
    /// Sets a state value; fails with `TooLarge` when the scope's total would exceed `limit`
    /// bytes (keys and values counted).
    fn state_set(
        &self,
        scope: &StateScope,
        key: &str,
        value: &[u8],
        limit: usize,
    ) -> Result<(), ServiceError>;
    /// Removes a state value; absent keys are fine.
    fn state_delete(&self, scope: &StateScope, key: &str) -> Result<(), ServiceError>;
    /// Records an access event in the audit trail. Must not fail the call it describes.
    fn audit(&self, event: AccessEvent);
    /// An OAuth2 access token an earlier run kept under `key`, with when it stops being used.
    /// A backend that keeps none answers none: every run then fetches its own.
    fn kept_token(
        &self,
        key: &str,
    ) -> Result<Option<(Zeroizing<String>, SystemTime)>, ServiceError> {
        let _ = key;
        Ok(None)
    }
    /// Keeps `token` under `key` for later runs until `until`; an empty token forgets it.
    fn keep_token(&self, key: &str, token: &str, until: SystemTime) -> Result<(), ServiceError> {
        let _ = (key, token, until);
        Ok(())
    }
}

/// Services kept in memory: for tests, benchmarks and `tessera run` without a store.
#[derive(Debug, Default)]
pub struct MemoryServices {
    secrets: Mutex<BTreeMap<String, Zeroizing<String>>>,
    state: Mutex<BTreeMap<(StateScope, String), Vec<u8>>>,
    events: Mutex<Vec<AccessEvent>>,
    tokens: Mutex<BTreeMap<String, (Zeroizing<String>, SystemTime)>>,
}

impl MemoryServices {
    /// With the given secrets.
    pub fn with_secrets<'a>(secrets: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let this = Self::default();
        for (name, value) in secrets {
            lock(&this.secrets).insert(name.to_owned(), Zeroizing::new(value.to_owned()));
        }
        this
    }

    /// The audit events recorded so far.
    pub fn events(&self) -> Vec<AccessEvent> {
        lock(&self.events).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these maps half-written, so a poisoned lock is usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl HostServices for MemoryServices {
    fn secret(&self, name: &str) -> Result<Option<Zeroizing<String>>, ServiceError> {
        Ok(lock(&self.secrets).get(name).cloned())
    }

    fn state_get(&self, scope: &StateScope, key: &str) -> Result<Option<Vec<u8>>, ServiceError> {
        Ok(lock(&self.state)
            .get(&(scope.clone(), key.to_owned()))
            .cloned())
    }

    fn state_set(
        &self,
        scope: &StateScope,
        key: &str,
        value: &[u8],
        limit: usize,
    ) -> Result<(), ServiceError> {
        let mut state = lock(&self.state);
        let used: usize = state
            .iter()
            .filter(|((s, k), _)| s == scope && k != key)
            .map(|((_, k), v)| k.len() + v.len())
            .sum();
        if used + key.len() + value.len() > limit {
            return Err(ServiceError::TooLarge(format!(
                "{} of {limit} bytes in use; `{key}` needs {}",
                used,
                key.len() + value.len()
            )));
        }
        state.insert((scope.clone(), key.to_owned()), value.to_vec());
        Ok(())
    }

    fn state_delete(&self, scope: &StateScope, key: &str) -> Result<(), ServiceError> {
        lock(&self.state).remove(&(scope.clone(), key.to_owned()));
        Ok(())
    }

    fn audit(&self, event: AccessEvent) {
        lock(&self.events).push(event);
    }

    fn kept_token(
        &self,
        key: &str,
    ) -> Result<Option<(Zeroizing<String>, SystemTime)>, ServiceError> {
        Ok(lock(&self.tokens).get(key).cloned())
    }

    fn keep_token(&self, key: &str, token: &str, until: SystemTime) -> Result<(), ServiceError> {
        let mut tokens = lock(&self.tokens);
        if token.is_empty() {
            tokens.remove(key);
        } else {
            tokens.insert(key.to_owned(), (Zeroizing::new(token.to_owned()), until));
        }
        Ok(())
    }
}

/// What a system's capabilities draw on besides its own spec: the services and the operator's
/// named LDAP connections.
#[derive(Clone)]
pub struct HostEnv {
    /// Secrets, state and audit.
    pub services: std::sync::Arc<dyn HostServices>,
    /// `[ldap.NAME]` connections.
    pub ldap: BTreeMap<String, crate::LdapConnection>,
}

impl Default for HostEnv {
    fn default() -> Self {
        Self {
            services: std::sync::Arc::new(MemoryServices::default()),
            ldap: BTreeMap::new(),
        }
    }
}

impl std::fmt::Debug for HostEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostEnv")
            .field("ldap", &self.ldap.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}
