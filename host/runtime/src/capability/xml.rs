//! `tessera:host/xml`: the host parses and builds XML for the plugin with `tessera-xml`
//! (no DOCTYPE, no entities beyond the predefined five, limits on size, depth, attributes and
//! elements). Parsed documents live in the instance's resource table; elements keep their
//! document alive. Documents and element handles are charged to the instance's host memory
//! budget (see `host_memory`) for as long as they live; the tables of `select-texts` and
//! `scan-texts` may not outgrow what that budget has left.

use std::sync::Arc;

use serde_json::{Map, Value};
use tessera_xml as x;
use wasmtime::component::{HasSelf, Linker, Resource};

use super::{Capability, ConfigureContext, Trappable};
use crate::bindings::host::errors::{HostError, Position};
use crate::bindings::host::xml::{
    BuildEvent, Host, HostDocument, HostElement, Namespace, Qname, SoapVersion, TextTable,
    XmlAttribute,
};
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_memory::Charge;
use crate::host_state::HostState;

/// Host bytes one element handle costs: the table slot, its box and the element itself.
const HANDLE_BYTES: usize = 64;

pub(crate) struct XmlCap {
    limits: x::Limits,
}

/// A parsed document and the host memory it holds, freed with the last handle to it.
pub(crate) struct Held {
    doc: x::Document,
    _charge: Charge,
}

impl std::ops::Deref for Held {
    type Target = x::Document;
    fn deref(&self) -> &x::Document {
        &self.doc
    }
}

/// A parsed document.
pub struct Document(Arc<Held>);

/// An element of a parsed document.
pub struct Element {
    doc: Arc<Held>,
    node: x::NodeId,
    _charge: Charge,
}

impl Capability for XmlCap {
    const INTERFACE: &'static str = "xml";

    fn configure(ctx: &ConfigureContext<'_>, warnings: &mut Vec<String>) -> Option<Self> {
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

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            WitVersion::V0_1 => v0_1::host::xml::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
            WitVersion::V0_2 => v0_2::host::xml::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }

    fn effective(grant: Option<&Self>, out: &mut Map<String, Value>) {
        out.insert("xml".into(), Value::Bool(grant.is_some()));
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

fn text_table(t: x::PackedTable) -> TextTable {
    TextTable {
        rows: t.rows,
        width: t.width,
        text: t.text,
        ends: t.ends,
        found: t.found,
    }
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

/// The rows × fields table of `select-texts`: one host call, no element handles; `max_bytes`
/// is what the host memory budget has left.
fn texts(
    doc: &x::Document,
    context: Option<x::NodeId>,
    path: &str,
    fields: &[String],
    max_bytes: usize,
) -> Result<x::Table, HostError> {
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    doc.select_texts(context, path, &fields, max_bytes)
        .map_err(error)
}

// Resource table errors propagate with `?` as traps: the guest holds only handles the host
// handed out, so a lost one (or a full table) is the host's problem, not the plugin's.
impl HostState {
    fn elements(
        &mut self,
        doc: &Arc<Held>,
        nodes: Vec<x::NodeId>,
    ) -> Trappable<Vec<Resource<Element>>> {
        // Checked for the whole batch first, so a refused select hands out nothing.
        let needed = nodes.len().saturating_mul(HANDLE_BYTES);
        if let Err(e) = self.memory.check_handles(nodes.len(), "element handles") {
            return Ok(Err(e));
        }
        if needed > self.memory.remaining() {
            let held = self.memory.held();
            return Ok(Err(self.memory.refusal(needed, held, "element handles")));
        }
        let mut handles = Vec::with_capacity(nodes.len());
        for node in nodes {
            let charge = match self.memory.charge_handle(HANDLE_BYTES, "an element handle") {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            handles.push(self.table.push(Element {
                doc: doc.clone(),
                node,
                _charge: charge,
            })?);
        }
        Ok(Ok(handles))
    }

    /// The elements matching `path` (below `node`, else from the root), as new handles.
    fn select_handles(
        &mut self,
        doc: Arc<Held>,
        node: Option<x::NodeId>,
        path: &str,
    ) -> Trappable<Vec<Resource<Element>>> {
        let nodes = match node {
            Some(node) => doc.select_from(node, path),
            None => doc.select(path),
        };
        match nodes {
            Ok(nodes) => self.elements(&doc, nodes),
            Err(e) => Ok(Err(error(e))),
        }
    }

    /// The XML limits of the grant (the capability is linked only when granted).
    fn xml_limits(&self) -> x::Limits {
        match &self.caps.xml {
            Some(cap) => cap.limits.clone(),
            None => x::Limits::default(),
        }
    }

    /// Parses within both the XML limits and what the host memory budget has left: the
    /// element count is capped up front, so even the parse itself cannot overshoot.
    fn parse_held(&self, text: &str, bindings: &[(String, String)]) -> Result<Held, HostError> {
        let mut limits = self.xml_limits();
        let remaining = self.memory.remaining();
        let what = "parsing a document";
        if text.len() > remaining {
            return Err(self.memory.refusal(text.len(), self.memory.held(), what));
        }
        let affordable = (remaining - text.len()) / x::Document::BYTES_PER_ELEMENT;
        let budget_bound = affordable < limits.max_nodes;
        limits.max_nodes = limits.max_nodes.min(affordable);
        let doc = match x::Document::parse(text, bindings, &limits) {
            Ok(doc) => doc,
            Err(x::Error::TooLarge(_)) if budget_bound => {
                let needed = remaining.saturating_add(1);
                return Err(self.memory.refusal(needed, self.memory.held(), what));
            }
            Err(e) => return Err(error(e)),
        };
        let charge = self.memory.charge(doc.heap_bytes(), what)?;
        Ok(Held {
            doc,
            _charge: charge,
        })
    }
}

impl HostDocument for HostState {
    async fn parse(&mut self, text: String, ns: Vec<Namespace>) -> Trappable<Resource<Document>> {
        let bindings: Vec<(String, String)> = ns.into_iter().map(|n| (n.prefix, n.uri)).collect();
        Ok(match self.parse_held(&text, &bindings) {
            Ok(held) => Ok(self.table.push(Document(Arc::new(held)))?),
            Err(e) => Err(e),
        })
    }

    async fn select(
        &mut self,
        this: Resource<Document>,
        path: String,
    ) -> Trappable<Vec<Resource<Element>>> {
        let doc = self.table.get(&this)?.0.clone();
        self.select_handles(doc, None, &path)
    }

    async fn text(&mut self, this: Resource<Document>, path: String) -> Trappable<Option<String>> {
        let doc = &self.table.get(&this)?.0;
        Ok(doc.text_at(&path).map_err(error))
    }

    async fn select_texts(
        &mut self,
        this: Resource<Document>,
        path: String,
        fields: Vec<String>,
    ) -> Trappable<Vec<Vec<Option<String>>>> {
        let doc = &self.table.get(&this)?.0;
        Ok(texts(doc, None, &path, &fields, self.memory.remaining()))
    }

    async fn drop(&mut self, this: Resource<Document>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl HostElement for HostState {
    async fn name(&mut self, this: Resource<Element>) -> wasmtime::Result<Qname> {
        let e = self.table.get(&this)?;
        Ok(qname(e.doc.name(e.node)))
    }

    async fn text(&mut self, this: Resource<Element>) -> wasmtime::Result<String> {
        let e = self.table.get(&this)?;
        Ok(e.doc.text(e.node))
    }

    async fn attribute(
        &mut self,
        this: Resource<Element>,
        name: Qname,
    ) -> wasmtime::Result<Option<String>> {
        let e = self.table.get(&this)?;
        Ok(e.doc.attribute(e.node, &to_x(name)).map(str::to_owned))
    }

    async fn attributes(&mut self, this: Resource<Element>) -> wasmtime::Result<Vec<XmlAttribute>> {
        let e = self.table.get(&this)?;
        let attributes = e.doc.attributes(e.node).iter().map(|a| XmlAttribute {
            name: qname(&a.name),
            value: a.value.clone(),
        });
        Ok(attributes.collect())
    }

    async fn select(
        &mut self,
        this: Resource<Element>,
        path: String,
    ) -> Trappable<Vec<Resource<Element>>> {
        let e = self.table.get(&this)?;
        let (doc, node) = (e.doc.clone(), e.node);
        self.select_handles(doc, Some(node), &path)
    }

    async fn select_texts(
        &mut self,
        this: Resource<Element>,
        path: String,
        fields: Vec<String>,
    ) -> Trappable<Vec<Vec<Option<String>>>> {
        let e = self.table.get(&this)?;
        let remaining = self.memory.remaining();
        Ok(texts(&e.doc, Some(e.node), &path, &fields, remaining))
    }

    async fn drop(&mut self, this: Resource<Element>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl Host for HostState {
    async fn scan_texts(
        &mut self,
        body: Vec<u8>,
        ns: Vec<Namespace>,
        path: String,
        fields: Vec<String>,
    ) -> Result<TextTable, HostError> {
        let limits = self.xml_limits();
        // The body is already here, lifted from the guest; only the table can still grow.
        let remaining = self.memory.remaining();
        if body.len() > remaining {
            let what = "scanning a document";
            return Err(self.memory.refusal(body.len(), self.memory.held(), what));
        }
        let bindings: Vec<(String, String)> = ns.into_iter().map(|n| (n.prefix, n.uri)).collect();
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let budget = remaining - body.len();
        let packed = x::scan_body(&body, &bindings, &limits, &path, &fields, budget);
        Ok(text_table(packed.map_err(error)?))
    }

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
