//! `tessera:host/xml`: the host parses and builds XML for the plugin with `tessera-xml`
//! (no DOCTYPE, no entities beyond the predefined five, limits on size, depth, attributes and
//! elements). Parsed documents live in the instance's resource table; elements keep their
//! document alive.

use std::sync::Arc;

use tessera_xml as x;
use wasmtime::component::Resource;

use super::ConfigureContext;
use crate::bindings::host::errors::{HostError, Position};
use crate::bindings::host::xml::{
    BuildEvent, Host, HostDocument, HostElement, Namespace, Qname, SoapVersion, XmlAttribute,
};
use crate::host_state::HostState;

pub(crate) struct XmlCap {
    limits: x::Limits,
}

/// A parsed document.
pub struct Document(Arc<x::Document>);

/// An element of a parsed document.
pub struct Element {
    doc: Arc<x::Document>,
    node: x::NodeId,
}

impl XmlCap {
    pub(crate) fn configure(
        ctx: &ConfigureContext<'_>,
        warnings: &mut Vec<String>,
    ) -> Option<Self> {
        let (requested, granted) = (ctx.manifest.capabilities.xml, ctx.spec.grants.xml);
        if granted && !requested {
            warnings.push(format!(
                "{}: granted but the plugin never requested it",
                ctx.caller.key("grants.xml")
            ));
        }
        (requested && granted).then(|| Self {
            limits: x::Limits::default(),
        })
    }
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

fn table_error(e: wasmtime::component::ResourceTableError) -> HostError {
    HostError::Other(format!("resource table: {e}"))
}

fn qname(q: &x::QName) -> Qname {
    Qname {
        namespace: q.namespace.clone(),
        local: q.local.clone(),
    }
}

fn to_x(q: Qname) -> x::QName {
    x::QName {
        namespace: q.namespace,
        local: q.local,
    }
}

fn events(list: Vec<BuildEvent>) -> Vec<x::Event> {
    list.into_iter()
        .map(|e| match e {
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

impl HostState {
    fn elements(
        &mut self,
        doc: &Arc<x::Document>,
        nodes: Vec<x::NodeId>,
    ) -> Result<Vec<Resource<Element>>, HostError> {
        nodes
            .into_iter()
            .map(|node| {
                self.table
                    .push(Element {
                        doc: doc.clone(),
                        node,
                    })
                    .map_err(table_error)
            })
            .collect()
    }

    fn element(&self, this: &Resource<Element>) -> Option<&Element> {
        self.table.get(this).ok()
    }
}

impl HostDocument for HostState {
    async fn parse(
        &mut self,
        text: String,
        ns: Vec<Namespace>,
    ) -> Result<Resource<Document>, HostError> {
        let limits = match &self.caps.xml {
            Some(cap) => cap.limits.clone(),
            None => x::Limits::default(),
        };
        let bindings: Vec<(String, String)> = ns.into_iter().map(|n| (n.prefix, n.uri)).collect();
        let doc = x::Document::parse(&text, &bindings, &limits).map_err(error)?;
        self.table
            .push(Document(Arc::new(doc)))
            .map_err(table_error)
    }

    async fn select(
        &mut self,
        this: Resource<Document>,
        path: String,
    ) -> Result<Vec<Resource<Element>>, HostError> {
        let doc = self.table.get(&this).map_err(table_error)?.0.clone();
        let nodes = doc.select(&path).map_err(error)?;
        self.elements(&doc, nodes)
    }

    async fn text(
        &mut self,
        this: Resource<Document>,
        path: String,
    ) -> Result<Option<String>, HostError> {
        let doc = &self.table.get(&this).map_err(table_error)?.0;
        doc.text_at(&path).map_err(error)
    }

    async fn drop(&mut self, this: Resource<Document>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl HostElement for HostState {
    async fn name(&mut self, this: Resource<Element>) -> Qname {
        self.element(&this)
            .map(|e| qname(e.doc.name(e.node)))
            .unwrap_or(Qname {
                namespace: String::new(),
                local: String::new(),
            })
    }

    async fn text(&mut self, this: Resource<Element>) -> String {
        self.element(&this)
            .map(|e| e.doc.text(e.node))
            .unwrap_or_default()
    }

    async fn attribute(&mut self, this: Resource<Element>, name: Qname) -> Option<String> {
        let e = self.element(&this)?;
        e.doc.attribute(e.node, &to_x(name)).map(str::to_owned)
    }

    async fn attributes(&mut self, this: Resource<Element>) -> Vec<XmlAttribute> {
        self.element(&this)
            .map(|e| {
                e.doc
                    .attributes(e.node)
                    .iter()
                    .map(|a| XmlAttribute {
                        name: qname(&a.name),
                        value: a.value.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn select(
        &mut self,
        this: Resource<Element>,
        path: String,
    ) -> Result<Vec<Resource<Element>>, HostError> {
        let e = self.table.get(&this).map_err(table_error)?;
        let (doc, node) = (e.doc.clone(), e.node);
        let nodes = doc.select_from(node, &path).map_err(error)?;
        self.elements(&doc, nodes)
    }

    async fn drop(&mut self, this: Resource<Element>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl Host for HostState {
    async fn serialize(&mut self, list: Vec<BuildEvent>) -> Result<String, HostError> {
        x::serialize(&events(list)).map_err(error)
    }

    async fn soap_envelope(
        &mut self,
        version: SoapVersion,
        header: Vec<BuildEvent>,
        body: Vec<BuildEvent>,
    ) -> Result<String, HostError> {
        let version = match version {
            SoapVersion::Soap11 => x::SoapVersion::Soap11,
            SoapVersion::Soap12 => x::SoapVersion::Soap12,
        };
        x::soap_envelope(version, &events(header), &events(body)).map_err(error)
    }
}
