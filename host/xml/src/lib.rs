//! Hardened XML for plugins: parse untrusted documents into an arena, select elements with a
//! small path language, and build documents and SOAP envelopes from flat event lists.
//!
//! This is the backend of the host's `tessera:host/xml` capability. Plugins talk to SOAP
//! services whose responses we do not trust, so parsing is deliberately narrow:
//!
//! - any `<!DOCTYPE` is refused, which rules out entity expansion bombs ("billion laughs")
//!   and external entities in one stroke;
//! - only the five predefined entities and numeric character references are decoded;
//! - input size, nesting depth, attributes per element and element count are capped by
//!   [`Limits`], and each cap fails fast with [`Error::TooLarge`];
//! - every prefix used in the text must be declared, or parsing fails with
//!   [`Error::Malformed`] carrying a 1-based line and column.
//!
//! Paths are described on [`Document::select`]; building on [`serialize`].
//!
//! ```
//! use tessera_xml::{Document, Limits, SOAP11_NAMESPACE};
//!
//! let text = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
//!   <soap:Body><Users xmlns="urn:users"><user id="7"><name>Jansen &amp; Zn</name></user></Users></soap:Body>
//! </soap:Envelope>"#;
//! let bindings = [("s".to_owned(), SOAP11_NAMESPACE.to_owned())];
//! let doc = Document::parse(text, &bindings, &Limits::default())?;
//! let users = doc.select("/s:Envelope/s:Body/*/user")?;
//! assert_eq!(doc.text_from(users[0], "name")?.as_deref(), Some("Jansen & Zn"));
//! # Ok::<(), tessera_xml::Error>(())
//! ```

mod document;
mod error;
mod names;
mod parse;
mod path;
mod scan;
mod serialize;

#[cfg(test)]
mod tests;

pub use document::Document;
pub use error::{Error, Result};
pub use scan::{PackedTable, Table, scan_body, scan_texts, table_bytes};
pub use serialize::{
    Event, SOAP11_NAMESPACE, SOAP12_NAMESPACE, SoapVersion, serialize, soap_envelope,
};

/// `bytes` as the text of a document, or [`Error::Malformed`] at the first byte that is not
/// UTF-8: what an HTTP body must pass before it can be parsed or scanned.
pub fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        // The bytes before the bad one are valid, so they give its line and column.
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        Error::malformed_at(valid, valid.len(), format!("not UTF-8: {e}"))
    })
}

/// Caps applied while parsing, so a hostile document cannot exhaust the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest element nesting allowed; the document element is at depth 1.
    pub max_depth: usize,
    /// Longest input text, in bytes, checked before any parsing.
    pub max_bytes: usize,
    /// Most attributes on one element, counting `xmlns` declarations.
    pub max_attributes: usize,
    /// Most elements in one document.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_bytes: 16 * 1024 * 1024,
            max_attributes: 256,
            max_nodes: 4_000_000,
        }
    }
}

/// An expanded name: namespace URI plus local name. Prefixes are not kept, because
/// documents may bind any prefix they like to a namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QName {
    /// Namespace URI; empty for no namespace.
    pub namespace: String,
    /// Local part of the name.
    pub local: String,
}

impl QName {
    /// A name in `namespace` (empty for none).
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> Self {
        QName {
            namespace: namespace.into(),
            local: local.into(),
        }
    }

    /// A name in no namespace.
    pub fn local(local: impl Into<String>) -> Self {
        QName::new("", local)
    }
}

/// An attribute with its value decoded (entities replaced, whitespace normalized).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Expanded name; unprefixed attributes are in no namespace.
    pub name: QName,
    /// Decoded value.
    pub value: String,
}

impl Attribute {
    /// An attribute called `name` with `value`.
    pub fn new(name: QName, value: impl Into<String>) -> Self {
        Attribute {
            name,
            value: value.into(),
        }
    }
}

/// An element of a [`Document`]: an index into its arena, meaningful only for the document
/// that returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// Position of the element in document order, starting at 0 for the document element.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
