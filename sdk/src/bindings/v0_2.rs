//! Bindings for WIT 0.2 (`wit/since_v0.2.3`, frozen; or `wit/since_v0.2.0` with the
//! `wit-0-2-0` feature). Both worlds are generated here with `pub_export_macro`, so the type
//! information of a world's exports is only embedded by the export macro a plugin invokes;
//! imports a plugin never calls are dropped when its component is linked.
#![allow(missing_docs, clippy::all, reason = "bindgen-generated code")]

#[cfg(not(feature = "wit-0-2-0"))]
pub mod release {
    /// The frozen release these bindings were generated from; written into the manifest.
    pub const RELEASE: &str = "0.2.3";

    pub mod source_world {
        wit_bindgen::generate!({
            path: "../wit/since_v0.2.3/connector",
            world: "tessera:connector/source",
            pub_export_macro: true,
            export_macro_name: "__export_source_world",
            default_bindings_module: "tessera_sdk::bindings::v0_2::release::source_world",
            additional_derives: [PartialEq],
            generate_all,
        });
    }

    pub mod target_world {
        wit_bindgen::generate!({
            path: "../wit/since_v0.2.3/connector",
            world: "tessera:connector/target",
            pub_export_macro: true,
            export_macro_name: "__export_target_world",
            default_bindings_module: "tessera_sdk::bindings::v0_2::release::target_world",
            additional_derives: [PartialEq],
            with: {
                "tessera:host/errors@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::errors,
                "tessera:host/log@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::log,
                "tessera:host/config@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::config,
                "tessera:host/http@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::http,
                "tessera:host/ldap@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::ldap,
                "tessera:host/xml@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::xml,
                "tessera:host/vault@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::vault,
                "tessera:host/files@0.2.3": crate::bindings::v0_2::release::source_world::tessera::host::files,
                "tessera:connector/types@0.2.3": crate::bindings::v0_2::release::source_world::tessera::connector::types,
                "tessera:connector/pages@0.2.3": crate::bindings::v0_2::release::source_world::tessera::connector::pages,
            },
        });
    }

    /// The `tickets` export alone; a target that also opens tickets invokes this world's
    /// export macro beside the target world's (exports cannot be generated twice in one
    /// crate), and the component then exports both.
    pub mod ticketing_world {
        wit_bindgen::generate!({
            path: "../wit/since_v0.2.3/connector",
            world: "tessera:connector/ticket-desk",
            pub_export_macro: true,
            export_macro_name: "__export_ticket_desk_world",
            default_bindings_module: "tessera_sdk::bindings::v0_2::release::ticketing_world",
            additional_derives: [PartialEq],
            with: {
                "tessera:connector/types@0.2.3": crate::bindings::v0_2::release::source_world::tessera::connector::types,
            },
        });
    }
}

/// The earlier release of the 0.2 track, for a plugin that must load on hosts without 0.2.1 to 0.2.3.
#[cfg(feature = "wit-0-2-0")]
pub mod release {
    /// The frozen release these bindings were generated from; written into the manifest.
    pub const RELEASE: &str = "0.2.0";

    pub mod source_world {
        wit_bindgen::generate!({
            path: "../wit/since_v0.2.0/connector",
            world: "tessera:connector/source",
            pub_export_macro: true,
            export_macro_name: "__export_source_world",
            default_bindings_module: "tessera_sdk::bindings::v0_2::release::source_world",
            additional_derives: [PartialEq],
            generate_all,
        });
    }

    pub mod target_world {
        wit_bindgen::generate!({
            path: "../wit/since_v0.2.0/connector",
            world: "tessera:connector/target",
            pub_export_macro: true,
            export_macro_name: "__export_target_world",
            default_bindings_module: "tessera_sdk::bindings::v0_2::release::target_world",
            additional_derives: [PartialEq],
            with: {
                "tessera:host/errors@0.2.0": crate::bindings::v0_2::release::source_world::tessera::host::errors,
                "tessera:host/log@0.2.0": crate::bindings::v0_2::release::source_world::tessera::host::log,
                "tessera:host/config@0.2.0": crate::bindings::v0_2::release::source_world::tessera::host::config,
                "tessera:host/http@0.2.0": crate::bindings::v0_2::release::source_world::tessera::host::http,
                "tessera:host/ldap@0.2.0": crate::bindings::v0_2::release::source_world::tessera::host::ldap,
                "tessera:host/xml@0.2.0": crate::bindings::v0_2::release::source_world::tessera::host::xml,
                "tessera:host/vault@0.2.0": crate::bindings::v0_2::release::source_world::tessera::host::vault,
                "tessera:connector/types@0.2.0": crate::bindings::v0_2::release::source_world::tessera::connector::types,
                "tessera:connector/pages@0.2.0": crate::bindings::v0_2::release::source_world::tessera::connector::pages,
            },
        });
    }
}

pub use release::*;
