//! Building documents from flat event lists (WIT has no recursive types), and SOAP
//! envelopes around them.

use crate::names::{is_ncname, is_xml_char};
use crate::{Attribute, Error, QName, Result};

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NAMESPACE: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SOAP 1.2 envelope namespace.
pub const SOAP12_NAMESPACE: &str = "http://www.w3.org/2003/05/soap-envelope";

const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

/// Prefixes readers of SOAP traffic expect; any other namespace gets `ns1`, `ns2`, ...
const WELL_KNOWN: &[(&str, &str)] = &[
    (SOAP11_NAMESPACE, "soap"),
    (SOAP12_NAMESPACE, "soap12"),
    ("http://schemas.xmlsoap.org/soap/encoding/", "soapenc"),
    ("http://www.w3.org/2001/XMLSchema-instance", "xsi"),
    ("http://www.w3.org/2001/XMLSchema", "xsd"),
    ("http://www.w3.org/2005/08/addressing", "wsa"),
    (
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
        "wsse",
    ),
    (
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
        "wsu",
    ),
];

/// One step of a document being built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An element starts, with its attributes (no `xmlns` declarations: those are derived).
    Start(QName, Vec<Attribute>),
    /// Character data, unescaped.
    Text(String),
    /// The most recently started element ends.
    End,
}

/// Which SOAP envelope to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoapVersion {
    /// SOAP 1.1, envelope namespace [`SOAP11_NAMESPACE`].
    Soap11,
    /// SOAP 1.2, envelope namespace [`SOAP12_NAMESPACE`].
    Soap12,
}

impl SoapVersion {
    /// The envelope namespace of this version.
    pub fn namespace(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => SOAP11_NAMESPACE,
            SoapVersion::Soap12 => SOAP12_NAMESPACE,
        }
    }
}

/// Writes `events` as one XML document.
///
/// The events must form exactly one root element, balanced, with no text outside it;
/// otherwise, or when a name is not a valid XML name or text holds a character XML cannot
/// carry, the result is [`Error::Invalid`].
///
/// Every namespace used is declared once, on the root element, in order of first use.
/// Well-known SOAP, XML Schema, WS-Addressing and WS-Security namespaces get their usual
/// prefixes (`soap`, `soap12`, `soapenc`, `xsi`, `xsd`, `wsa`, `wsse`, `wsu`); others get
/// `ns1`, `ns2`, .... Names in no namespace are written unprefixed, and no default
/// namespace is ever declared, so unprefixed really means "no namespace".
///
/// Text and attribute values are escaped; attribute values also escape tabs and line
/// breaks so they survive attribute-value normalization on the way back in.
///
/// No XML declaration is written: the output is UTF-8, which XML assumes when the
/// declaration is absent, and SOAP carries the charset in the HTTP `Content-Type` anyway.
/// An element with no content is written as `<name/>`.
pub fn serialize(events: &[Event]) -> Result<String> {
    check_balance(events, "document", true)?;
    let prefixes = Prefixes::collect(events)?;
    Writer::new(&prefixes).write(events)
}

/// A SOAP envelope of `version` around `header` and `body`.
///
/// `header` and `body` may each hold several top-level elements, and no text outside
/// them. The `Header` element is left out when `header` is empty; `Body` is always there.
pub fn soap_envelope(version: SoapVersion, header: &[Event], body: &[Event]) -> Result<String> {
    check_balance(header, "header", false)?;
    check_balance(body, "body", false)?;
    let namespace = version.namespace();
    let start = |local: &str| Event::Start(QName::new(namespace, local), Vec::new());
    let mut events = Vec::with_capacity(header.len() + body.len() + 6);
    events.push(start("Envelope"));
    if !header.is_empty() {
        events.push(start("Header"));
        events.extend_from_slice(header);
        events.push(Event::End);
    }
    events.push(start("Body"));
    events.extend_from_slice(body);
    events.extend([Event::End, Event::End]);
    serialize(&events)
}

/// Checks that `events` nest properly, have no top-level text and (for a whole document)
/// exactly one top-level element.
fn check_balance(events: &[Event], what: &str, single_root: bool) -> Result<()> {
    let invalid = |i: usize, why: &str| Error::Invalid(format!("{what} event {i}: {why}"));
    let mut depth = 0usize;
    let mut roots = 0usize;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(..) if depth == 0 && single_root && roots == 1 => {
                return Err(invalid(i, "a second root element"));
            }
            Event::Start(..) => {
                roots += usize::from(depth == 0);
                depth += 1;
            }
            Event::End if depth == 0 => return Err(invalid(i, "end without a start")),
            Event::End => depth -= 1,
            Event::Text(_) if depth == 0 => return Err(invalid(i, "text outside an element")),
            Event::Text(_) => {}
        }
    }
    if depth > 0 {
        return Err(Error::Invalid(format!(
            "{what}: {depth} elements not ended"
        )));
    }
    if single_root && roots == 0 {
        return Err(Error::Invalid(format!("{what}: no root element")));
    }
    Ok(())
}

/// Namespace URI -> prefix, in order of first use.
struct Prefixes {
    bindings: Vec<(String, String)>,
    /// How many `ns<n>` prefixes were handed out.
    generated: usize,
}

impl Prefixes {
    fn collect(events: &[Event]) -> Result<Self> {
        let mut prefixes = Prefixes {
            bindings: Vec::new(),
            generated: 0,
        };
        for event in events {
            if let Event::Start(name, attributes) = event {
                prefixes.add(name)?;
                for attribute in attributes {
                    prefixes.add(&attribute.name)?;
                }
            }
        }
        Ok(prefixes)
    }

    fn add(&mut self, name: &QName) -> Result<()> {
        let uri = name.namespace.as_str();
        if uri == XMLNS_NAMESPACE {
            return Err(Error::Invalid(format!(
                "`{}` is in the reserved xmlns namespace",
                name.local
            )));
        }
        if uri.is_empty() || uri == XML_NAMESPACE || self.get(uri).is_some() {
            return Ok(());
        }
        // Well-known prefixes are never `ns<n>`, so the two schemes cannot collide.
        let prefix = match WELL_KNOWN.iter().find(|(u, _)| *u == uri) {
            Some((_, p)) => (*p).to_owned(),
            None => {
                self.generated += 1;
                format!("ns{}", self.generated)
            }
        };
        self.bindings.push((uri.to_owned(), prefix));
        Ok(())
    }

    fn get(&self, uri: &str) -> Option<&str> {
        if uri == XML_NAMESPACE {
            return Some("xml");
        }
        self.bindings
            .iter()
            .find(|(u, _)| u == uri)
            .map(|(_, p)| p.as_str())
    }
}

/// Writes validated events; every namespace in them has a prefix in `prefixes`.
struct Writer<'a> {
    prefixes: &'a Prefixes,
    out: String,
    open: Vec<&'a QName>,
}

impl<'a> Writer<'a> {
    fn new(prefixes: &'a Prefixes) -> Self {
        Writer {
            prefixes,
            out: String::new(),
            open: Vec::new(),
        }
    }

    fn write(mut self, events: &'a [Event]) -> Result<String> {
        let mut i = 0;
        while let Some(event) = events.get(i) {
            i += 1;
            match event {
                Event::Start(name, attributes) => {
                    // A start directly followed by its end becomes `<name/>`.
                    let empty = matches!(events.get(i), Some(Event::End));
                    self.start(name, attributes, empty)?;
                    i += usize::from(empty);
                }
                Event::Text(text) => escape(&mut self.out, text, false)?,
                Event::End => self.end(),
            }
        }
        Ok(self.out)
    }

    fn start(&mut self, name: &'a QName, attributes: &[Attribute], empty: bool) -> Result<()> {
        let is_root = self.open.is_empty() && self.out.is_empty();
        self.out.push('<');
        self.name(name)?;
        if is_root {
            self.declarations()?;
        }
        for (i, attribute) in attributes.iter().enumerate() {
            check_attribute(attribute, &attributes[..i])?;
            self.out.push(' ');
            self.name(&attribute.name)?;
            self.out.push_str("=\"");
            escape(&mut self.out, &attribute.value, true)?;
            self.out.push('"');
        }
        if empty {
            self.out.push_str("/>");
        } else {
            self.out.push('>');
            self.open.push(name);
        }
        Ok(())
    }

    fn declarations(&mut self) -> Result<()> {
        for (uri, prefix) in &self.prefixes.bindings {
            self.out.push_str(" xmlns:");
            self.out.push_str(prefix);
            self.out.push_str("=\"");
            escape(&mut self.out, uri, true)?;
            self.out.push('"');
        }
        Ok(())
    }

    fn end(&mut self) {
        // Balance was checked up front, so there is always an open element here.
        if let Some(name) = self.open.pop() {
            self.out.push_str("</");
            self.push_prefixed(name);
            self.out.push('>');
        }
    }

    fn name(&mut self, name: &QName) -> Result<()> {
        if !is_ncname(&name.local) {
            return Err(Error::Invalid(format!(
                "`{}` is not a valid XML name",
                name.local
            )));
        }
        self.push_prefixed(name);
        Ok(())
    }

    fn push_prefixed(&mut self, name: &QName) {
        if let Some(prefix) = self.prefixes.get(&name.namespace) {
            self.out.push_str(prefix);
            self.out.push(':');
        }
        self.out.push_str(&name.local);
    }
}

/// Rejects an attribute that would read back as something else: a namespace declaration,
/// or a second attribute of the same name.
fn check_attribute(attribute: &Attribute, earlier: &[Attribute]) -> Result<()> {
    let name = &attribute.name;
    if name.namespace.is_empty() && name.local == "xmlns" {
        return Err(Error::Invalid(
            "`xmlns` is a namespace declaration, not an attribute".into(),
        ));
    }
    if earlier.iter().any(|a| a.name == *name) {
        return Err(Error::Invalid(format!(
            "attribute `{}` given twice",
            name.local
        )));
    }
    Ok(())
}

/// Appends `text` escaped for content or, with `attribute`, for a double-quoted value.
fn escape(out: &mut String, text: &str, attribute: bool) -> Result<()> {
    if let Some(bad) = text.chars().find(|&c| !is_xml_char(c)) {
        return Err(Error::Invalid(format!(
            "character U+{:04X} cannot appear in XML",
            u32::from(bad)
        )));
    }
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // A literal CR would be read back as LF; in values, tabs and line feeds would
            // be read back as spaces.
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            _ => out.push(c),
        }
    }
    Ok(())
}
