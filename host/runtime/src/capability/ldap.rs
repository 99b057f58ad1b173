//! `tessera:host/ldap`: the operator's named connections, through `tessera-ldap`. Every DN a
//! plugin names must lie under the connection's base DN; a DN outside it is a denial naming
//! `ldap.NAME.base_dn`. Pools are opened on first use, binding with the secret the operator
//! named, and shared by every run of the system.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tessera_ldap as l;
use wasmtime::component::{HasSelf, Linker, Resource};

use super::{Caller, Capability, ConfigureContext, Trappable, intersect_names};
use crate::bindings::host::errors::{HostError, LdapResult};
use crate::bindings::host::ldap::{
    Attribute, BinaryAttribute, ChangeFeed, Changes, Entry, Host, HostSearchResults, Modification,
    ModifyOp, Scope, SearchRequest,
};
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_memory::Charge;
use crate::host_state::HostState;
use crate::{LdapConnection, LdapTls};

pub(crate) struct LdapCap {
    connections: Vec<String>,
    specs: BTreeMap<String, LdapConnection>,
    pools: tokio::sync::Mutex<BTreeMap<String, Arc<l::Pool>>>,
}

/// Host bytes an open search is charged: its connection, the client's receive buffer and
/// the page in hand. It bounds how many searches a plugin can keep open.
const SEARCH_BYTES: usize = 1 << 20;

/// A running search, charged to the instance's host memory until it is dropped.
pub struct SearchResults {
    stream: l::SearchStream,
    connection: String,
    _charge: Option<Charge>,
}

impl Capability for LdapCap {
    const INTERFACE: &'static str = "ldap";

    fn configure(ctx: &ConfigureContext<'_>, warnings: &mut Vec<String>) -> Option<Self> {
        let connections = intersect_names(
            &ctx.manifest.capabilities.ldap,
            &ctx.spec.grants.ldap,
            ctx.caller.key("grants.ldap"),
            warnings,
        );
        let specs = connections
            .iter()
            .filter_map(|c| ctx.env.ldap.get(c).map(|s| (c.clone(), s.clone())))
            .collect();
        (!connections.is_empty()).then(|| Self {
            connections,
            specs,
            pools: tokio::sync::Mutex::new(BTreeMap::new()),
        })
    }

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            WitVersion::V0_1 => v0_1::host::ldap::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
            WitVersion::V0_2 => v0_2::host::ldap::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }

    fn effective(grant: Option<&Self>, out: &mut Map<String, Value>) {
        let connections = grant.map(|l| l.connections.iter().map(|c| c.as_str().into()).collect());
        out.insert("ldap".into(), Value::Array(connections.unwrap_or_default()));
    }
}

impl LdapCap {
    /// The pool for a granted connection, opened on first use.
    async fn pool(&self, caller: &Caller, name: &str) -> Result<Arc<l::Pool>, HostError> {
        let mut pools = self.pools.lock().await;
        if let Some(p) = pools.get(name) {
            return Ok(p.clone());
        }
        let conn = self.specs.get(name).ok_or_else(|| {
            HostError::Unavailable(format!("no [ldap.{name}] connection is configured"))
        })?;
        let password = match &conn.bind_secret {
            Some(secret) => {
                Some(caller.host_secret(secret, &format!("the bind of LDAP connection `{name}`"))?)
            }
            None => None,
        };
        let spec = l::ConnectionSpec {
            name: name.to_owned(),
            url: conn.url.clone(),
            bind_dn: conn.bind_dn.clone(),
            base_dn: conn.base_dn.clone(),
            tls: match conn.tls {
                LdapTls::Starttls => l::Tls::StartTls,
                LdapTls::Ldaps => l::Tls::Ldaps,
                LdapTls::None => l::Tls::None,
            },
            ca_file: conn.ca_file.clone(),
            timeout: Duration::from_secs_f64(conn.timeout_seconds),
            pool_size: conn.pool_size,
        };
        let pool = Arc::new(l::Pool::new(spec, password).map_err(|e| map_error(caller, name, e))?);
        pools.insert(name.to_owned(), pool.clone());
        Ok(pool)
    }
}

/// Maps a backend error. Whatever result code the server sent arrives as the typed `ldap`
/// case, matched DN included; WIT 0.1 plugins get it back as text (see `bindings/v0_1`).
fn map_error(caller: &Caller, connection: &str, e: l::Error) -> HostError {
    match e {
        l::Error::OutsideBase { dn, base } => caller.deny(
            format!("LDAP DN `{dn}` on connection `{connection}`, outside its base `{base}`"),
            format!("ldap.{connection}.base_dn"),
        ),
        l::Error::InvalidDn { dn, message } => HostError::Invalid(format!("DN `{dn}`: {message}")),
        l::Error::InvalidFilter { filter, message } => {
            HostError::Invalid(format!("filter `{filter}`: {message}"))
        }
        l::Error::InvalidRequest(m) => HostError::Invalid(m),
        l::Error::Ldap {
            code,
            name,
            matched,
            message,
        } => HostError::Ldap(LdapResult {
            code,
            name,
            matched_dn: matched,
            message,
        }),
        l::Error::Unavailable(m) => HostError::Unavailable(format!("LDAP `{connection}`: {m}")),
        l::Error::Timeout(m) => HostError::Timeout(format!("LDAP `{connection}`: {m}")),
        l::Error::Tls(m) => HostError::Unavailable(format!("LDAP `{connection}` TLS: {m}")),
        l::Error::Config(m) => {
            HostError::Unavailable(format!("[ldap.{connection}] is misconfigured: {m}"))
        }
    }
}

fn entry(e: l::Entry) -> Entry {
    Entry {
        dn: e.dn,
        attributes: e
            .attributes
            .into_iter()
            .map(|(name, values)| Attribute { name, values })
            .collect(),
        binary_attributes: e
            .binary_attributes
            .into_iter()
            .map(|(name, values)| BinaryAttribute { name, values })
            .collect(),
    }
}

fn values(text: Vec<String>, binary: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    text.into_iter()
        .map(String::into_bytes)
        .chain(binary)
        .collect()
}

/// The pool of a granted connection, or the denial naming `grants.ldap`. Takes the
/// capabilities by value: the future must not borrow the (non-`Sync`) instance state.
async fn granted_pool(
    caps: Arc<super::Capabilities>,
    connection: &str,
) -> Result<(Arc<l::Pool>, Caller), HostError> {
    {
        let caller = caps.caller.clone();
        match &caps.ldap {
            Some(cap) if cap.connections.iter().any(|c| c == connection) => {
                Ok((cap.pool(&caller, connection).await?, caller))
            }
            _ => Err(caller.deny(
                format!("LDAP connection `{connection}`"),
                caller.key("grants.ldap"),
            )),
        }
    }
}

/// Reads a change feed on a granted connection. Takes the capabilities by value, like
/// [`granted_pool`].
async fn search_changes(
    caps: Arc<super::Capabilities>,
    req: SearchRequest,
    feed: ChangeFeed,
) -> Result<Changes, HostError> {
    let (pool, caller) = granted_pool(caps, &req.connection).await?;
    let (feed, cookie) = match feed {
        ChangeFeed::Dirsync(cookie) => (l::Feed::DirSync, cookie),
        ChangeFeed::ContentSync(cookie) => (l::Feed::ContentSync, cookie),
    };
    let request = l::ChangeRequest {
        feed,
        base: req.base,
        filter: req.filter,
        attributes: req.attributes,
        cookie,
    };
    let changes = pool
        .search_changes(request)
        .await
        .map_err(|e| map_error(&caller, &req.connection, e))?;
    Ok(Changes {
        entries: changes.entries.into_iter().map(entry).collect(),
        deleted: changes.deleted,
        deletes_complete: changes.deletes_complete,
        cookie: changes.cookie,
        more: changes.more,
    })
}

/// Starts a search on a granted connection. Takes the capabilities by value, like
/// [`granted_pool`].
async fn start_search(
    caps: Arc<super::Capabilities>,
    req: SearchRequest,
) -> Result<SearchResults, HostError> {
    let (pool, caller) = granted_pool(caps, &req.connection).await?;
    let request = l::SearchRequest {
        base: req.base,
        scope: match req.scope {
            Scope::Base => l::Scope::Base,
            Scope::OneLevel => l::Scope::OneLevel,
            Scope::Subtree => l::Scope::Subtree,
        },
        filter: req.filter,
        attributes: req.attributes,
        page_size: req.page_size,
    };
    let stream = pool
        .search(request)
        .await
        .map_err(|e| map_error(&caller, &req.connection, e))?;
    Ok(SearchResults {
        stream,
        connection: req.connection,
        _charge: None,
    })
}

impl HostSearchResults for HostState {
    async fn next(&mut self, this: Resource<SearchResults>) -> Trappable<Option<Vec<Entry>>> {
        let caller = self.caps.caller.clone();
        let results = self.table.get_mut(&this)?;
        let batch = results.stream.next_batch().await;
        Ok(batch
            .map(|b| b.map(|b| b.into_iter().map(entry).collect()))
            .map_err(|e| map_error(&caller, &results.connection, e)))
    }

    async fn drop(&mut self, this: Resource<SearchResults>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl Host for HostState {
    async fn search(&mut self, req: SearchRequest) -> Trappable<Resource<SearchResults>> {
        let charge = match self.memory.charge(SEARCH_BYTES, "an open LDAP search") {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        Ok(match start_search(self.caps.clone(), req).await {
            Ok(mut results) => {
                results._charge = Some(charge);
                Ok(self.table.push(results)?)
            }
            Err(e) => Err(e),
        })
    }

    async fn search_changes(
        &mut self,
        req: SearchRequest,
        feed: ChangeFeed,
    ) -> Result<Changes, HostError> {
        search_changes(self.caps.clone(), req, feed).await
    }

    async fn add(
        &mut self,
        connection: String,
        dn: String,
        attributes: Vec<Attribute>,
        binary: Vec<BinaryAttribute>,
    ) -> Result<(), HostError> {
        let (pool, caller) = granted_pool(self.caps.clone(), &connection).await?;
        let attrs = attributes
            .into_iter()
            .map(|a| (a.name, values(a.values, Vec::new())))
            .chain(binary.into_iter().map(|b| (b.name, b.values)))
            .collect();
        pool.add(&dn, attrs)
            .await
            .map_err(|e| map_error(&caller, &connection, e))
    }

    async fn modify(
        &mut self,
        connection: String,
        dn: String,
        changes: Vec<Modification>,
    ) -> Result<(), HostError> {
        let (pool, caller) = granted_pool(self.caps.clone(), &connection).await?;
        let changes = changes
            .into_iter()
            .map(|m| l::Modification {
                op: match m.op {
                    ModifyOp::Add => l::ModifyOp::Add,
                    ModifyOp::Replace => l::ModifyOp::Replace,
                    ModifyOp::Delete => l::ModifyOp::Delete,
                },
                attribute: m.attribute,
                values: values(m.values, m.binary_values),
            })
            .collect();
        pool.modify(&dn, changes)
            .await
            .map_err(|e| map_error(&caller, &connection, e))
    }

    async fn delete(&mut self, connection: String, dn: String) -> Result<(), HostError> {
        let (pool, caller) = granted_pool(self.caps.clone(), &connection).await?;
        pool.delete(&dn)
            .await
            .map_err(|e| map_error(&caller, &connection, e))
    }

    async fn modify_dn(
        &mut self,
        connection: String,
        dn: String,
        new_rdn: String,
        delete_old: bool,
        new_superior: Option<String>,
    ) -> Result<(), HostError> {
        let (pool, caller) = granted_pool(self.caps.clone(), &connection).await?;
        pool.modify_dn(&dn, &new_rdn, delete_old, new_superior.as_deref())
            .await
            .map_err(|e| map_error(&caller, &connection, e))
    }

    async fn compare(
        &mut self,
        connection: String,
        dn: String,
        attribute: String,
        value: String,
    ) -> Result<bool, HostError> {
        let (pool, caller) = granted_pool(self.caps.clone(), &connection).await?;
        pool.compare(&dn, &attribute, value.as_bytes())
            .await
            .map_err(|e| map_error(&caller, &connection, e))
    }
}
