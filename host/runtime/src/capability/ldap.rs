//! `tessera:host/ldap`: named connections only. This release checks the connection grant;
//! the ldap3 client, base-DN confinement and paging are the capabilities release.

use wasmtime::component::Resource;

use super::{ConfigureContext, intersect_names};
use crate::bindings::host::errors::HostError;
use crate::bindings::host::ldap::{
    Attribute, BinaryAttribute, Entry, Host, HostSearchResults, Modification, SearchRequest,
};
use crate::host_state::HostState;

pub(crate) struct LdapCap {
    pub connections: Vec<String>,
}

/// A running search.
pub struct SearchResults;

impl LdapCap {
    pub(crate) fn configure(
        ctx: &ConfigureContext<'_>,
        warnings: &mut Vec<String>,
    ) -> Option<Self> {
        let connections = intersect_names(
            &ctx.manifest.capabilities.ldap,
            &ctx.spec.grants.ldap,
            ctx.caller.key("grants.ldap"),
            warnings,
        );
        (!connections.is_empty()).then_some(Self { connections })
    }
}

impl HostState {
    fn ldap_check(&self, connection: &str) -> Result<(), HostError> {
        let caller = &self.caps.caller;
        match &self.caps.ldap {
            Some(l) if l.connections.iter().any(|c| c == connection) => {
                Err(HostError::Unsupported(
                    "this host version checks LDAP grants but does not connect yet".into(),
                ))
            }
            _ => Err(caller.deny(
                format!("LDAP connection `{connection}`"),
                caller.key("grants.ldap"),
            )),
        }
    }
}

impl HostSearchResults for HostState {
    async fn next(
        &mut self,
        _this: Resource<SearchResults>,
    ) -> Result<Option<Vec<Entry>>, HostError> {
        Ok(None)
    }

    async fn drop(&mut self, this: Resource<SearchResults>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl Host for HostState {
    async fn search(&mut self, req: SearchRequest) -> Result<Resource<SearchResults>, HostError> {
        self.ldap_check(&req.connection)?;
        self.table
            .push(SearchResults)
            .map_err(|e| HostError::Other(e.to_string()))
    }

    async fn add(
        &mut self,
        connection: String,
        _dn: String,
        _a: Vec<Attribute>,
        _b: Vec<BinaryAttribute>,
    ) -> Result<(), HostError> {
        self.ldap_check(&connection)
    }

    async fn modify(
        &mut self,
        connection: String,
        _dn: String,
        _changes: Vec<Modification>,
    ) -> Result<(), HostError> {
        self.ldap_check(&connection)
    }

    async fn delete(&mut self, connection: String, _dn: String) -> Result<(), HostError> {
        self.ldap_check(&connection)
    }

    async fn modify_dn(
        &mut self,
        connection: String,
        _dn: String,
        _rdn: String,
        _delete_old: bool,
        _sup: Option<String>,
    ) -> Result<(), HostError> {
        self.ldap_check(&connection)
    }

    async fn compare(
        &mut self,
        connection: String,
        _dn: String,
        _attr: String,
        _value: String,
    ) -> Result<bool, HostError> {
        self.ldap_check(&connection).map(|()| false)
    }
}
