//! XML with the host's own parser (`tessera-xml`) and its default limits: documents and
//! elements are plain values here, where the host keeps them in its resource table.

use std::rc::Rc;

use tessera_xml as x;

use super::with;
use crate::host::errors::{HostError, Position};
#[cfg(not(feature = "wit-0-2-0"))]
use crate::host::xml::TextTable;
use crate::host::xml::{BuildEvent, Namespace, Qname, SoapVersion, XmlAttribute};

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Document(Rc<x::Document>);

/// An element of a parsed document.
#[derive(Debug, Clone)]
pub struct Element {
    doc: Rc<x::Document>,
    node: x::NodeId,
}

fn granted() -> Result<(), HostError> {
    with(|h| {
        if h.grants.xml {
            return Ok(());
        }
        let e = h
            .grants
            .deny("XML parsing and building".into(), "grants.xml");
        Err(h.denied(e))
    })
}

impl Document {
    /// Parses `text`; `namespaces` bind the prefixes paths use.
    pub fn parse(text: &str, namespaces: &[Namespace]) -> Result<Document, HostError> {
        granted()?;
        let doc = x::Document::parse(text, &bindings(namespaces), &x::Limits::default())
            .map_err(error)?;
        Ok(Self(Rc::new(doc)))
    }

    /// The elements `path` selects from the root.
    pub fn select(&self, path: &str) -> Result<Vec<Element>, HostError> {
        let nodes = self.0.select(path).map_err(error)?;
        Ok(elements(&self.0, nodes))
    }

    /// The text of the first element `path` selects.
    pub fn text(&self, path: &str) -> Result<Option<String>, HostError> {
        self.0.text_at(path).map_err(error)
    }

    /// A row per element `path` selects, a cell per field path.
    pub fn select_texts(
        &self,
        path: &str,
        fields: &[String],
    ) -> Result<Vec<Vec<Option<String>>>, HostError> {
        texts(&self.0, None, path, fields)
    }
}

impl Element {
    /// Its expanded name.
    pub fn name(&self) -> Qname {
        let q = self.doc.name(self.node);
        Qname {
            namespace: q.namespace.clone(),
            local: q.local.clone(),
        }
    }

    /// Its text content.
    pub fn text(&self) -> String {
        self.doc.text(self.node)
    }

    /// The value of one attribute.
    pub fn attribute(&self, name: &Qname) -> Option<String> {
        self.doc
            .attribute(self.node, &to_x(name.clone()))
            .map(str::to_owned)
    }

    /// Every attribute.
    pub fn attributes(&self) -> Vec<XmlAttribute> {
        self.doc
            .attributes(self.node)
            .iter()
            .map(|a| XmlAttribute {
                name: Qname {
                    namespace: a.name.namespace.clone(),
                    local: a.name.local.clone(),
                },
                value: a.value.clone(),
            })
            .collect()
    }

    /// The elements `path` selects below this one.
    pub fn select(&self, path: &str) -> Result<Vec<Element>, HostError> {
        let nodes = self.doc.select_from(self.node, path).map_err(error)?;
        Ok(elements(&self.doc, nodes))
    }

    /// A row per element `path` selects below this one, a cell per field path.
    pub fn select_texts(
        &self,
        path: &str,
        fields: &[String],
    ) -> Result<Vec<Vec<Option<String>>>, HostError> {
        texts(&self.doc, Some(self.node), path, fields)
    }
}

/// A row per element `path` selects, a cell per field path, read in one pass over `body`
/// without a document (WIT 0.2.3). The mock keeps no host memory budget, so only the XML
/// limits bound the table.
#[cfg(not(feature = "wit-0-2-0"))]
pub fn scan_texts(
    body: &[u8],
    namespaces: &[Namespace],
    path: &str,
    fields: &[String],
) -> Result<TextTable, HostError> {
    granted()?;
    let bindings = bindings(namespaces);
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    let limits = x::Limits::default();
    let t = x::scan_body(body, &bindings, &limits, path, &fields, usize::MAX).map_err(error)?;
    Ok(TextTable {
        rows: t.rows,
        width: t.width,
        text: t.text,
        ends: t.ends,
        found: t.found,
    })
}

/// Writes the events as a document.
pub fn serialize(events: &[BuildEvent]) -> Result<String, HostError> {
    granted()?;
    x::serialize(&to_events(events)).map_err(error)
}

/// Wraps header and body events in a SOAP envelope.
pub fn soap_envelope(
    version: SoapVersion,
    header: &[BuildEvent],
    body: &[BuildEvent],
) -> Result<String, HostError> {
    granted()?;
    let version = match version {
        SoapVersion::Soap11 => x::SoapVersion::Soap11,
        SoapVersion::Soap12 => x::SoapVersion::Soap12,
    };
    x::soap_envelope(version, &to_events(header), &to_events(body)).map_err(error)
}

fn bindings(namespaces: &[Namespace]) -> Vec<(String, String)> {
    namespaces
        .iter()
        .map(|n| (n.prefix.clone(), n.uri.clone()))
        .collect()
}

fn elements(doc: &Rc<x::Document>, nodes: Vec<x::NodeId>) -> Vec<Element> {
    nodes
        .into_iter()
        .map(|node| Element {
            doc: doc.clone(),
            node,
        })
        .collect()
}

fn texts(
    doc: &x::Document,
    context: Option<x::NodeId>,
    path: &str,
    fields: &[String],
) -> Result<Vec<Vec<Option<String>>>, HostError> {
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    doc.select_texts(context, path, &fields, usize::MAX)
        .map_err(error)
}

fn error(e: x::Error) -> HostError {
    match e {
        x::Error::Malformed {
            message,
            line,
            column,
        } => HostError::Malformed(Position {
            message,
            line,
            column,
        }),
        x::Error::TooLarge(m) => HostError::TooLarge(m),
        x::Error::Invalid(m) => HostError::Invalid(m),
    }
}

fn to_x(q: Qname) -> x::QName {
    x::QName {
        namespace: q.namespace,
        local: q.local,
    }
}

fn to_events(list: &[BuildEvent]) -> Vec<x::Event> {
    list.iter()
        .map(|e| match e.clone() {
            BuildEvent::Start((name, attrs)) => x::Event::Start(
                to_x(name),
                attrs
                    .into_iter()
                    .map(|a| x::Attribute {
                        name: to_x(a.name),
                        value: a.value,
                    })
                    .collect(),
            ),
            BuildEvent::Text(t) => x::Event::Text(t),
            BuildEvent::End => x::Event::End,
        })
        .collect()
}
