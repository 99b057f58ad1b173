//! A small pool of ldap3 connections for one named connection. ldap3 multiplexes operations
//! over one connection, so a "connection" here is shared by concurrent callers; the pool
//! spreads calls round-robin over up to `pool_size` of them, opened on first use.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings};
use tokio::sync::Mutex;
use zeroize::Zeroizing;

use crate::Error;
use crate::dn::Dn;
use crate::spec::{self, ConnectionSpec, Tls};

/// The connections of one named LDAP connection. `Send + Sync`; share it through an `Arc`.
pub struct Pool {
    pub(crate) spec: ConnectionSpec,
    password: Option<Zeroizing<String>>,
    base: Dn,
    settings: LdapConnSettings,
    slots: Vec<Mutex<Option<Live>>>,
    next_slot: AtomicUsize,
    generation: AtomicU64,
}

struct Live {
    ldap: Ldap,
    generation: u64,
}

/// A connection handed to one operation, and where it came from so a failure can drop it.
pub(crate) struct Lease {
    pub(crate) ldap: Ldap,
    slot: usize,
    generation: u64,
}

impl Pool {
    /// Checks the configuration; nothing connects until first use. `bind_password` is the
    /// secret's value; it is zeroized when the pool is dropped and never shown.
    pub fn new(
        spec: ConnectionSpec,
        bind_password: Option<Zeroizing<String>>,
    ) -> Result<Pool, Error> {
        spec.validate()?;
        if spec.bind_dn.is_some() && bind_password.is_none() {
            // An empty password would make the server treat the bind as anonymous
            // (RFC 4513 §5.1.2) and hide the misconfiguration.
            return Err(spec.config_error("bind_dn is set but there is no bind password"));
        }
        let base = Dn::parse(&spec.base_dn)
            .map_err(|err| spec.config_error(&format!("base_dn: {err}")))?;
        let settings = spec::settings(&spec)?;
        let slots = (0..spec.pool_size).map(|_| Mutex::new(None)).collect();
        Ok(Pool {
            spec,
            password: bind_password,
            base,
            settings,
            slots,
            next_slot: AtomicUsize::new(0),
            generation: AtomicU64::new(0),
        })
    }

    /// The base DN every call is confined to.
    pub fn base(&self) -> &Dn {
        &self.base
    }

    /// The configuration this pool was built from.
    pub fn spec(&self) -> &ConnectionSpec {
        &self.spec
    }

    /// Parses `dn` and checks that it lies under the base DN.
    pub(crate) fn check_dn(&self, dn: &str) -> Result<Dn, Error> {
        let parsed = Dn::parse(dn)?;
        self.check_within(dn, &parsed)?;
        Ok(parsed)
    }

    pub(crate) fn check_within(&self, shown: &str, dn: &Dn) -> Result<(), Error> {
        if dn.is_within(&self.base) {
            Ok(())
        } else {
            Err(Error::OutsideBase {
                dn: shown.to_string(),
                base: self.spec.base_dn.clone(),
            })
        }
    }

    /// Runs a read; if the connection turns out to be gone, once more on a fresh one.
    pub(crate) async fn read<T, F, Fut>(&self, op: F) -> Result<T, Error>
    where
        F: Fn(Ldap) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        match self.attempt(&op).await {
            Err(Error::Unavailable(first)) => {
                tracing::debug!(connection = %self.spec.name, error = %first, "retrying read");
                self.attempt(&op).await
            }
            other => other,
        }
    }

    /// Runs a write exactly once: a retry could apply it twice.
    pub(crate) async fn write<T, F, Fut>(&self, op: F) -> Result<T, Error>
    where
        F: FnOnce(Ldap) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        self.attempt(op).await.map_err(|err| match err {
            Error::Timeout(_) => Error::Timeout(format!(
                "no answer within {:?}; whether the change was applied is unknown",
                self.spec.timeout
            )),
            other => other,
        })
    }

    async fn attempt<T, F, Fut>(&self, op: F) -> Result<T, Error>
    where
        F: FnOnce(Ldap) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let lease = self.lease().await?;
        let result = op(lease.ldap.clone()).await;
        if let Err(err) = &result {
            self.forget_if_broken(&lease, err).await;
        }
        result
    }

    /// Drops the lease's connection from its slot after an error that leaves it unusable.
    pub(crate) async fn forget_if_broken(&self, lease: &Lease, err: &Error) {
        if !err.poisons_connection() {
            return;
        }
        let mut slot = self.slots[lease.slot].lock().await;
        if slot
            .as_ref()
            .is_some_and(|live| live.generation == lease.generation)
        {
            tracing::debug!(connection = %self.spec.name, error = %err, "dropping connection");
            *slot = None;
        }
    }

    /// The next slot's connection, opening it if it is missing or closed.
    pub(crate) async fn lease(&self) -> Result<Lease, Error> {
        let slot = self.next_slot.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let mut guard = self.slots[slot].lock().await;
        if let Some(live) = guard.as_mut()
            && !live.ldap.is_closed()
        {
            return Ok(Lease {
                ldap: live.ldap.clone(),
                slot,
                generation: live.generation,
            });
        }
        let ldap = self.connect().await?;
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        *guard = Some(Live {
            ldap: ldap.clone(),
            generation,
        });
        Ok(Lease {
            ldap,
            slot,
            generation,
        })
    }

    async fn connect(&self) -> Result<Ldap, Error> {
        let timeout = self.spec.timeout;
        match tokio::time::timeout(timeout, self.open_and_bind()).await {
            Ok(result) => result,
            Err(_) => Err(Error::Unavailable(format!(
                "no connection to {} within {timeout:?}",
                self.spec.url
            ))),
        }
    }

    async fn open_and_bind(&self) -> Result<Ldap, Error> {
        let tls = self.spec.tls != Tls::None;
        let (conn, mut ldap) = LdapConnAsync::with_settings(self.settings.clone(), &self.spec.url)
            .await
            .map_err(|err| Error::from_connect(err, tls))?;
        let name = self.spec.name.clone();
        tokio::spawn(async move {
            if let Err(err) = conn.drive().await {
                tracing::debug!(connection = %name, error = %err, "LDAP connection ended");
            }
        });
        if let (Some(dn), Some(password)) = (&self.spec.bind_dn, &self.password) {
            ldap.with_timeout(self.spec.timeout)
                .simple_bind(dn, password)
                .await
                .and_then(|result| result.success())
                .map_err(Error::from_ldap)?;
        }
        Ok(ldap)
    }
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("spec", &self.spec)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}
