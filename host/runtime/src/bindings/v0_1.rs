//! WIT 0.1.0 (`wit/since_v0.1.0`, frozen): the generated bindings, and the exports of a 0.1
//! plugin in domain types through [`crate::convert::v0_1`].
//!
//! Its host interfaces are served by the 0.2 implementations through [`delegate`].
//!
//! Host functions that touch the instance's resource table are `trappable`: a handle the table
//! has lost, or a full table, is a host bug or exhaustion, so the call traps instead of handing
//! the guest a string.

use tessera_domain as d;
use wasmtime::Store;

use super::Answer;
use crate::convert::v0_1 as convert;
use crate::host_state::HostState;

mod delegate;

/// The frozen release these bindings were generated from.
pub(crate) const RELEASE: &str = "0.1.0";

#[allow(missing_docs, clippy::all, reason = "bindgen-generated code")]
mod source {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.1.0/connector",
        world: "tessera:connector/source",
        imports: {
            "tessera:host/ldap.search": async | trappable,
            "tessera:host/ldap.[method]search-results.next": async | trappable,
            "tessera:host/xml.[static]document.parse": async | trappable,
            "tessera:host/xml.[method]document.select": async | trappable,
            "tessera:host/xml.[method]document.text": async | trappable,
            "tessera:host/xml.[method]element.name": async | trappable,
            "tessera:host/xml.[method]element.text": async | trappable,
            "tessera:host/xml.[method]element.attribute": async | trappable,
            "tessera:host/xml.[method]element.attributes": async | trappable,
            "tessera:host/xml.[method]element.select": async | trappable,
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
        path: "../../wit/since_v0.1.0/connector",
        world: "tessera:connector/target",
        imports: { default: async },
        exports: { default: async },
        with: {
            "tessera:host": crate::bindings::v0_1::source::tessera::host,
            "tessera:connector/types": crate::bindings::v0_1::source::tessera::connector::types,
        },
    });
}

pub(crate) use source::tessera::connector::types;
pub(crate) use source::tessera::host;
pub(crate) use source::{Source, SourcePre};
pub(crate) use target::{Target, TargetPre};

super::source_exports!();
super::target_exports!();
