//! Just enough XML for the mock: a request becomes a small tree keyed by local names (the
//! real WSDL is not public, so the mock matches elements the way a lenient SOAP stack does),
//! and answers are written as text. Parsed with quick-xml so the mock shares no code with the
//! host's XML capability it is meant to test.

use quick_xml::events::Event;
use quick_xml::{Reader, escape};

/// One element: its local name, its own text, its child elements.
#[derive(Debug, Default)]
pub(super) struct Node {
    pub(super) name: String,
    pub(super) text: String,
    pub(super) children: Vec<Node>,
}

impl Node {
    /// The first child with this local name.
    pub(super) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child with this name.
    pub(super) fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// The trimmed texts of every `item` under the child `list`: `<groepen><code>…`.
    pub(super) fn list(&self, list: &str, item: &str) -> Vec<String> {
        self.child(list)
            .map(|l| {
                l.children
                    .iter()
                    .filter(|c| c.name == item)
                    .map(|c| c.text.trim().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn local(name: &str) -> String {
    name.rsplit_once(':')
        .map_or(name, |(_, local)| local)
        .to_owned()
}

/// Parses a document into its root element; DOCTYPEs and unknown entities are refused.
pub(super) fn parse(text: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(text);
    let mut open: Vec<Node> = Vec::new();
    let mut root = None;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let finished = match event {
            Event::Start(s) => {
                open.push(node(s.name().as_ref()));
                None
            }
            Event::Empty(s) => close(&mut open, node(s.name().as_ref())),
            Event::End(_) => match open.pop() {
                Some(done) => close(&mut open, done),
                None => return Err("unbalanced end tag".into()),
            },
            Event::Text(t) => push_text(&mut open, &t.xml10_content()),
            Event::CData(t) => push_text(&mut open, &t.xml10_content()),
            Event::GeneralRef(r) => push_text(&mut open, &reference(&r)?),
            Event::DocType(_) => return Err("DOCTYPE is not accepted".into()),
            Event::Eof => break,
            _ => None,
        };
        if let Some(done) = finished {
            root = Some(done);
        }
    }
    if !open.is_empty() {
        return Err("the document ends inside an element".into());
    }
    root.ok_or_else(|| "no root element".into())
}

fn node(raw: &str) -> Node {
    Node {
        name: local(raw),
        ..Node::default()
    }
}

/// Attaches a finished element to its parent, or hands it back when it is the root.
fn close(open: &mut [Node], done: Node) -> Option<Node> {
    match open.last_mut() {
        Some(parent) => {
            parent.children.push(done);
            None
        }
        None => Some(done),
    }
}

fn push_text(open: &mut [Node], text: &str) -> Option<Node> {
    if let Some(current) = open.last_mut() {
        current.text.push_str(text);
    }
    None
}

fn reference(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    if r.is_char_ref() {
        let c = r.resolve_char_ref().map_err(|e| e.to_string())?;
        return Ok(c.map(String::from).unwrap_or_default());
    }
    let name: &str = r;
    escape::resolve_predefined_entity(name)
        .map(str::to_owned)
        .ok_or_else(|| format!("unknown entity `&{name};`"))
}

/// Appends `<name>text</name>`, escaped.
pub(super) fn element(out: &mut String, name: &str, text: &str) {
    out.push_str(&format!("<{name}>{}</{name}>", escape::escape(text)));
}

/// A SOAP 1.1 envelope with the echoed ControlId (when known) in the header.
pub(super) fn envelope(control_id: Option<&str>, body: &str) -> String {
    let mut header = String::new();
    if let Some(id) = control_id {
        element(&mut header, "ControlId", id);
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\
         <soap:Header>{header}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}
