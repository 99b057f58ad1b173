//! Bindings for WIT 0.1.0 (`wit/since_v0.1.0`, frozen). Both worlds are generated here with
//! `pub_export_macro`, so the type information of a world's exports is only embedded by the
//! export macro a plugin invokes; imports a plugin never calls are dropped when its component
//! is linked.
#![allow(missing_docs, clippy::all, reason = "bindgen-generated code")]

/// The frozen release these bindings were generated from; written into the manifest.
pub const RELEASE: &str = "0.1.0";

pub mod source_world {
    wit_bindgen::generate!({
        path: "../wit/since_v0.1.0/connector",
        world: "tessera:connector/source",
        pub_export_macro: true,
        export_macro_name: "__export_source_world",
        default_bindings_module: "tessera_sdk::bindings::v0_1::source_world",
        additional_derives: [PartialEq],
        generate_all,
    });
}

pub mod target_world {
    wit_bindgen::generate!({
        path: "../wit/since_v0.1.0/connector",
        world: "tessera:connector/target",
        pub_export_macro: true,
        export_macro_name: "__export_target_world",
        default_bindings_module: "tessera_sdk::bindings::v0_1::target_world",
        additional_derives: [PartialEq],
        with: {
            "tessera:host/errors@0.1.0": crate::bindings::v0_1::source_world::tessera::host::errors,
            "tessera:host/log@0.1.0": crate::bindings::v0_1::source_world::tessera::host::log,
            "tessera:host/config@0.1.0": crate::bindings::v0_1::source_world::tessera::host::config,
            "tessera:host/http@0.1.0": crate::bindings::v0_1::source_world::tessera::host::http,
            "tessera:host/ldap@0.1.0": crate::bindings::v0_1::source_world::tessera::host::ldap,
            "tessera:host/xml@0.1.0": crate::bindings::v0_1::source_world::tessera::host::xml,
            "tessera:host/vault@0.1.0": crate::bindings::v0_1::source_world::tessera::host::vault,
            "tessera:connector/types@0.1.0": crate::bindings::v0_1::source_world::tessera::connector::types,
        },
    });
}
