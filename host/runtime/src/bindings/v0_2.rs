//! WIT 0.2 (`wit/since_v0.2.3`, frozen): the generated bindings, and the exports of a 0.2
//! plugin in domain types through [`crate::convert::v0_2`]. 0.2.1 to 0.2.3 only add to 0.2.0, and the
//! linker matches names semver-aware, so these bindings serve 0.2.0 to 0.2.2 plugins as well. The capabilities implement the host
//! traits generated here directly; older versions' host traits delegate to them.
//!
//! Host functions that touch the instance's resource table are `trappable`: a handle the table
//! has lost, or a full table, is a host bug or exhaustion, so the call traps instead of handing
//! the guest a string.

use tessera_domain as d;
use wasmtime::Store;
use wasmtime::component::InstancePre;

use super::Answer;
use crate::convert::v0_2 as convert;
use crate::host_state::HostState;

/// The frozen release these bindings were generated from.
pub(crate) const RELEASE: &str = "0.2.3";

#[allow(missing_docs, clippy::all, reason = "bindgen-generated code")]
mod source {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.2.3/connector",
        world: "tessera:connector/source",
        imports: {
            "tessera:host/ldap.search": async | trappable,
            "tessera:host/ldap.[method]search-results.next": async | trappable,
            "tessera:host/xml.[static]document.parse": async | trappable,
            "tessera:host/xml.[method]document.select": async | trappable,
            "tessera:host/xml.[method]document.text": async | trappable,
            "tessera:host/xml.[method]document.select-texts": async | trappable,
            "tessera:host/xml.[method]element.name": async | trappable,
            "tessera:host/xml.[method]element.text": async | trappable,
            "tessera:host/xml.[method]element.attribute": async | trappable,
            "tessera:host/xml.[method]element.attributes": async | trappable,
            "tessera:host/xml.[method]element.select": async | trappable,
            "tessera:host/xml.[method]element.select-texts": async | trappable,
            default: async,
        },
        exports: { default: async },
        with: {
            "tessera:host/ldap.search-results": crate::capability::ldap::SearchResults,
            "tessera:host/xml.document": crate::capability::xml::Document,
            "tessera:host/xml.element": crate::capability::xml::Element,
        },
    });
}

// The target world reuses the source world's host interfaces and types, so one set of host
// trait impls and resource types serves both worlds.
#[allow(missing_docs, clippy::all, reason = "bindgen-generated code")]
mod target {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.2.3/connector",
        world: "tessera:connector/target",
        imports: { default: async },
        exports: { default: async },
        with: {
            "tessera:host": crate::bindings::v0_2::source::tessera::host,
            "tessera:connector/types": crate::bindings::v0_2::source::tessera::connector::types,
            "tessera:connector/pages": crate::bindings::v0_2::source::tessera::connector::pages,
        },
    });
}

// The tickets a target may export beside its connector (0.2.2), bound from the world that
// exports only them; the connector itself is the target world's.
#[allow(missing_docs, clippy::all, reason = "bindgen-generated code")]
mod ticketing {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.2.3/connector",
        world: "tessera:connector/ticket-desk",
        exports: { default: async },
        with: {
            "tessera:connector/types": crate::bindings::v0_2::source::tessera::connector::types,
        },
    });
}

pub(crate) use source::tessera::connector::{pages, types};
pub(crate) use source::tessera::host;
pub(crate) use source::{Source, SourcePre};
pub(crate) use ticketing::exports::tessera::connector::tickets;

/// The name a plugin that offers tickets exports them under.
const TICKETS: &str = "tessera:connector/tickets@0.2.3";

/// A 0.2 target plugin linked and pre-instantiated, with its tickets when it exports them.
pub(crate) struct TargetPre {
    bound: target::TargetPre<HostState>,
    // Boxed: the indices are large and most targets offer no tickets.
    tickets: Option<Box<tickets::GuestIndices>>,
}

impl TargetPre {
    /// Checks the component against the target world, and its `tickets` export, if it has
    /// one, against the interface.
    pub(crate) fn new(pre: InstancePre<HostState>) -> wasmtime::Result<Self> {
        let offers = pre.component().get_export_index(None, TICKETS).is_some();
        let tickets = match offers {
            true => Some(Box::new(tickets::GuestIndices::new(&pre)?)),
            false => None,
        };
        let bound = target::TargetPre::new(pre)?;
        Ok(Self { bound, tickets })
    }

    /// A fresh instance in `store`.
    pub(crate) async fn instantiate_async(
        &self,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Target> {
        let instance = self
            .bound
            .instance_pre()
            .instantiate_async(&mut *store)
            .await?;
        let bound = target::Target::new(&mut *store, &instance)?;
        let tickets = match &self.tickets {
            Some(indices) => Some(indices.load(&mut *store, &instance)?),
            None => None,
        };
        Ok(Target { bound, tickets })
    }
}

/// One instance of a 0.2 target plugin: its connector, and its tickets when it offers them.
pub(crate) struct Target {
    bound: target::Target,
    tickets: Option<tickets::Guest>,
}

impl std::ops::Deref for Target {
    type Target = target::Target;

    fn deref(&self) -> &target::Target {
        &self.bound
    }
}

impl Target {
    fn tickets(&self) -> Answer<&tickets::Guest> {
        self.tickets.as_ref().ok_or_else(|| {
            d::ConnectorError::Unsupported(format!("tickets: the plugin does not export {TICKETS}"))
        })
    }
}

super::source_exports! {
    async fn read_changes(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&[u8]>,
    ) -> wasmtime::Result<Answer<d::SourceChanges>> {
        let e = self.tessera_connector_source_connector();
        let cursor = cursor.map(<[u8]>::to_vec);
        let changes = e.call_read_changes(store, cursor.as_ref()).await?;
        Ok(changes
            .map_err(convert::error)
            .and_then(convert::source_changes))
    }
}

super::target_exports! {
    async fn read_changes(
        &self,
        store: &mut Store<HostState>,
        cursor: Option<&[u8]>,
    ) -> wasmtime::Result<Answer<d::TargetChanges>> {
        let e = self.tessera_connector_target_connector();
        let cursor = cursor.map(<[u8]>::to_vec);
        let changes = e.call_read_changes(store, cursor.as_ref()).await?;
        Ok(changes
            .map_err(convert::error)
            .and_then(convert::target_changes))
    }

    async fn get_account(
        &self,
        store: &mut Store<HostState>,
        key: &str,
    ) -> wasmtime::Result<Answer<Option<d::Account>>> {
        let e = self.tessera_connector_target_connector();
        let found = e.call_get_account(store, key).await?;
        Ok(found
            .map(|a| a.map(convert::account))
            .map_err(convert::error))
    }

    async fn open_ticket(
        &self,
        store: &mut Store<HostState>,
        spec: &d::TicketSpec,
    ) -> wasmtime::Result<Answer<d::Ticket>> {
        let e = match self.tickets() {
            Ok(e) => e,
            Err(no) => return Ok(Err(no)),
        };
        let opened = e.call_open_ticket(store, &convert::ticket_spec(spec)).await?;
        Ok(opened.map_err(convert::error).and_then(convert::ticket))
    }

    async fn ticket(
        &self,
        store: &mut Store<HostState>,
        key: &str,
    ) -> wasmtime::Result<Answer<d::Ticket>> {
        let e = match self.tickets() {
            Ok(e) => e,
            Err(no) => return Ok(Err(no)),
        };
        let found = e.call_get_ticket(store, key).await?;
        Ok(found.map_err(convert::error).and_then(convert::ticket))
    }
}
