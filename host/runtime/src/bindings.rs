//! Host bindings for the frozen WIT versions this host supports (today: 0.1.0).
#![allow(missing_docs, clippy::all, reason = "bindgen-generated code")]

pub mod source {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.1.0/connector",
        world: "tessera:connector/source",
        imports: { default: async },
        exports: { default: async },
        with: {
            "tessera:host/ldap.search-results": crate::capability::ldap::SearchResults,
            "tessera:host/xml.document": crate::capability::xml::Document,
            "tessera:host/xml.element": crate::capability::xml::Element,
        },
    });
}

pub mod target {
    wasmtime::component::bindgen!({
        path: "../../wit/since_v0.1.0/connector",
        world: "tessera:connector/target",
        imports: { default: async },
        exports: { default: async },
        with: {
            "tessera:host": crate::bindings::source::tessera::host,
            "tessera:connector/types": crate::bindings::source::tessera::connector::types,
        },
    });
}

pub use source::tessera::connector::types;
pub use source::tessera::host;
