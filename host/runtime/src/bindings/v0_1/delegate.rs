//! The WIT 0.1 host interfaces, served by the capabilities' WIT 0.2 implementations: every
//! 0.1 host function casts its arguments to the 0.2 types, calls the 0.2 function and casts
//! the answer back. No capability logic lives here, only the types.
//!
//! What 0.2 says that 0.1 cannot is said the 0.1 way: an LDAP refusal (0.2's typed `ldap`
//! case) becomes `not-found` for `noSuchObject` and `other` for every other code, each
//! starting with `ldap CODE NAME:` as 0.1 plugins parse it.

use super::host as old;
use crate::bindings::v0_2::host as new;
use crate::capability::ldap::SearchResults;
use crate::capability::xml::{Document, Element};
use crate::convert::{Cast, cast_enum, cast_record};
use crate::host_state::HostState;

cast_record! {
    old::errors::Denial => new::errors::Denial { what, config_key }
    old::errors::Position => new::errors::Position { message, line, column }
    old::log::Field => new::log::Field { key, value }
    old::http::Header => new::http::Header { name, value }
    old::http::Request => new::http::Request { method, url, headers, body, timeout_ms }
    old::http::Response => new::http::Response { status, headers, body }
    old::ldap::Attribute => new::ldap::Attribute { name, values }
    old::ldap::BinaryAttribute => new::ldap::BinaryAttribute { name, values }
    old::ldap::Entry => new::ldap::Entry { dn, attributes, binary_attributes }
    old::ldap::SearchRequest => new::ldap::SearchRequest {
        connection, base, scope, filter, attributes, page_size
    }
    old::ldap::Modification => new::ldap::Modification { op, attribute, values, binary_values }
    old::xml::Namespace => new::xml::Namespace { prefix, uri }
    old::xml::Qname => new::xml::Qname { namespace, local }
    old::xml::XmlAttribute => new::xml::XmlAttribute { name, value }
}

cast_enum! {
    old::log::Level => new::log::Level { Trace, Debug, Info, Warn, Error }
    old::http::Method => new::http::Method { Get, Head, Post, Put, Patch, Delete, Options }
    old::ldap::Scope => new::ldap::Scope { Base, OneLevel, Subtree }
    old::ldap::ModifyOp => new::ldap::ModifyOp { Add, Replace, Delete }
    old::xml::SoapVersion => new::xml::SoapVersion { Soap11, Soap12 }
}

impl Cast<old::config::Value> for new::config::Value {
    fn cast(self) -> old::config::Value {
        use old::config::Value as V;
        match self {
            Self::Text(s) => V::Text(s),
            Self::Integer(i) => V::Integer(i),
            Self::Boolean(b) => V::Boolean(b),
            Self::Number(n) => V::Number(n),
            Self::TextList(l) => V::TextList(l),
            Self::SecretRef(s) => V::SecretRef(s),
        }
    }
}

impl Cast<old::config::Entry> for new::config::Entry {
    fn cast(self) -> old::config::Entry {
        old::config::Entry {
            key: self.key,
            value: self.value.cast(),
        }
    }
}

impl Cast<new::xml::BuildEvent> for old::xml::BuildEvent {
    fn cast(self) -> new::xml::BuildEvent {
        use new::xml::BuildEvent as E;
        match self {
            Self::Start(start) => E::Start(start.cast()),
            Self::Text(t) => E::Text(t),
            Self::End => E::End,
        }
    }
}

impl Cast<old::errors::HostError> for new::errors::HostError {
    fn cast(self) -> old::errors::HostError {
        use old::errors::HostError as E;
        match self {
            Self::Denied(d) => E::Denied(d.cast()),
            Self::Unavailable(m) => E::Unavailable(m),
            Self::Timeout(m) => E::Timeout(m),
            Self::TooLarge(m) => E::TooLarge(m),
            Self::NotFound(m) => E::NotFound(m),
            Self::Invalid(m) => E::Invalid(m),
            Self::Malformed(p) => E::Malformed(p.cast()),
            Self::Unsupported(m) => E::Unsupported(m),
            Self::Ldap(r) => {
                let text = format!("ldap {} {}: {}", r.code, r.name, r.message);
                if r.code == 32 {
                    E::NotFound(text)
                } else {
                    E::Other(text)
                }
            }
            Self::Other(m) => E::Other(m),
        }
    }
}

/// Implements an old host trait by casting to and from the new one's function of the same
/// name.
macro_rules! delegate {
    ($($old:path => $new:path {
        $(fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*
    })*) => {$(
        impl $old for HostState {
            $(async fn $name(&mut self, $($arg: $ty),*) -> $ret {
                <HostState as $new>::$name(self, $($arg.cast()),*).await.cast()
            })*
        }
    )*};
}

type Trappable<T> = wasmtime::Result<Result<T, old::errors::HostError>>;
type HostResult<T> = Result<T, old::errors::HostError>;
type Res<T> = wasmtime::component::Resource<T>;

impl old::errors::Host for HostState {}

delegate! {
    old::log::Host => new::log::Host {
        fn log(level: old::log::Level, message: String, fields: Vec<old::log::Field>) -> ();
    }
    old::config::Host => new::config::Host {
        fn get(key: String) -> Option<old::config::Value>;
        fn all() -> Vec<old::config::Entry>;
    }
    old::http::Host => new::http::Host {
        fn send(req: old::http::Request) -> HostResult<old::http::Response>;
    }
    old::vault::Host => new::vault::Host {
        fn secret(name: String) -> HostResult<String>;
        fn state_get(key: String) -> HostResult<Option<Vec<u8>>>;
        fn state_set(key: String, value: Vec<u8>) -> HostResult<()>;
        fn state_delete(key: String) -> HostResult<()>;
    }
    old::ldap::HostSearchResults => new::ldap::HostSearchResults {
        fn next(this: Res<SearchResults>) -> Trappable<Option<Vec<old::ldap::Entry>>>;
        fn drop(this: Res<SearchResults>) -> wasmtime::Result<()>;
    }
    old::ldap::Host => new::ldap::Host {
        fn search(req: old::ldap::SearchRequest) -> Trappable<Res<SearchResults>>;
        fn add(
            connection: String,
            dn: String,
            attributes: Vec<old::ldap::Attribute>,
            binary: Vec<old::ldap::BinaryAttribute>
        ) -> HostResult<()>;
        fn modify(
            connection: String,
            dn: String,
            changes: Vec<old::ldap::Modification>
        ) -> HostResult<()>;
        fn delete(connection: String, dn: String) -> HostResult<()>;
        fn modify_dn(
            connection: String,
            dn: String,
            new_rdn: String,
            delete_old: bool,
            new_superior: Option<String>
        ) -> HostResult<()>;
        fn compare(
            connection: String,
            dn: String,
            attribute: String,
            value: String
        ) -> HostResult<bool>;
    }
    old::xml::HostDocument => new::xml::HostDocument {
        fn parse(text: String, ns: Vec<old::xml::Namespace>) -> Trappable<Res<Document>>;
        fn select(this: Res<Document>, path: String) -> Trappable<Vec<Res<Element>>>;
        fn text(this: Res<Document>, path: String) -> Trappable<Option<String>>;
        fn drop(this: Res<Document>) -> wasmtime::Result<()>;
    }
    old::xml::HostElement => new::xml::HostElement {
        fn name(this: Res<Element>) -> wasmtime::Result<old::xml::Qname>;
        fn text(this: Res<Element>) -> wasmtime::Result<String>;
        fn attribute(this: Res<Element>, name: old::xml::Qname) -> wasmtime::Result<Option<String>>;
        fn attributes(this: Res<Element>) -> wasmtime::Result<Vec<old::xml::XmlAttribute>>;
        fn select(this: Res<Element>, path: String) -> Trappable<Vec<Res<Element>>>;
        fn drop(this: Res<Element>) -> wasmtime::Result<()>;
    }
    old::xml::Host => new::xml::Host {
        fn serialize(events: Vec<old::xml::BuildEvent>) -> HostResult<String>;
        fn soap_envelope(
            version: old::xml::SoapVersion,
            header: Vec<old::xml::BuildEvent>,
            body: Vec<old::xml::BuildEvent>
        ) -> HostResult<String>;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: u32, name: &str) -> new::errors::HostError {
        new::errors::HostError::Ldap(new::errors::LdapResult {
            code,
            name: name.into(),
            matched_dn: "ou=people,dc=x".into(),
            message: "no such entry".into(),
        })
    }

    /// What WIT 0.1 plugins (and the 0.1 SDK's `result_code`) have always read.
    #[test]
    fn ldap_refusals_reach_wit_0_1_as_the_text_it_knows() {
        let gone: old::errors::HostError = refusal(32, "noSuchObject").cast();
        assert!(
            matches!(gone, old::errors::HostError::NotFound(ref m) if m == "ldap 32 noSuchObject: no such entry"),
            "{gone:?}"
        );
        let exists: old::errors::HostError = refusal(68, "entryAlreadyExists").cast();
        assert!(
            matches!(exists, old::errors::HostError::Other(ref m) if m.starts_with("ldap 68 entryAlreadyExists:")),
            "{exists:?}"
        );
    }
}
