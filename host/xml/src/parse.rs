//! Reading XML with quick-xml's namespace-aware reader, with every security check applied as
//! events arrive so a hostile document is rejected before it costs much. What is kept is up to
//! a [`Sink`]: the arena of a [`Document`](crate::Document) ([`arena`]), or the table of a
//! one-pass [`scan`](crate::scan) that keeps no tree.

mod arena;

use quick_xml::errors::{IllFormedError, SyntaxError};
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::attributes::Attribute as RawAttribute;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{NamespaceError, NamespaceResolver, QName as RawName, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use crate::document::Arena;
use crate::path::DOCUMENT;
use crate::{Attribute, Error, Limits, QName, Result};

type Reader<'i> = NsReader<&'i [u8]>;

/// What the reader hands on, once an event has passed every check: elements with their
/// expanded names, decoded text (entities and CDATA resolved), and attributes when wanted.
pub(crate) trait Sink {
    /// Whether [`Sink::attribute`] is called. Attributes are checked either way; decoding them
    /// into owned values is what a sink that never reads them saves.
    const ATTRIBUTES: bool;
    /// An element starts; `depth` is 1 for the document element.
    fn open(&mut self, name: &Name, depth: usize) -> Result<()>;
    /// An attribute of the element opened last (not its `xmlns` declarations); called only
    /// when [`Sink::ATTRIBUTES`] is true.
    fn attribute(&mut self, _attribute: Attribute) {}
    /// Whether [`Sink::text`] would keep text now. Text no sink keeps is never decoded.
    fn wants_text(&self) -> bool;
    /// Text inside the innermost open element.
    fn text(&mut self, text: &str) -> Result<()>;
    /// The innermost open element ends.
    fn close(&mut self, depth: usize) -> Result<()>;
}

/// An element's expanded name. The namespace of an unprefixed name cannot be undeclared, so
/// it is only looked up when a sink asks: most elements of a SOAP answer are unprefixed, and
/// a scan compares most of them by local name alone.
pub(crate) struct Name<'a> {
    pub(crate) local: &'a str,
    namespace: Lookup<'a>,
}

enum Lookup<'a> {
    Resolved(&'a str),
    Default(&'a NamespaceResolver, RawName<'a>),
}

impl Name<'_> {
    pub(crate) fn namespace(&self) -> &str {
        match &self.namespace {
            Lookup::Resolved(namespace) => namespace,
            Lookup::Default(resolver, name) => match resolver.resolve_element(*name).0 {
                ResolveResult::Bound(namespace) => namespace.0,
                // An unprefixed name is never `Unknown`; that needs a prefix.
                ResolveResult::Unbound | ResolveResult::Unknown(_) => "",
            },
        }
    }
}

/// Parses `input` into an arena, enforcing `limits`.
pub(crate) fn build(input: &str, limits: &Limits) -> Result<Arena> {
    let mut builder = arena::Builder::new(input, limits);
    read(input, limits, &mut builder)?;
    Ok(builder.finish())
}

/// Reads all of `input` into `sink`, enforcing `limits` and well-formedness.
pub(crate) fn read<S: Sink>(input: &str, limits: &Limits, sink: &mut S) -> Result<()> {
    check_size(input, limits)?;
    let mut reader = NsReader::from_str(input);
    let mut state = State {
        input,
        limits,
        open: Vec::new(),
        elements: 0,
    };
    loop {
        // Events are not trimmed, so each one starts exactly where the previous one ended.
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| tokenizer_error(input, &reader, offset, e))?;
        match event {
            Event::Start(start) => state.open(&reader, &start, offset, sink)?,
            Event::Empty(start) => {
                state.open(&reader, &start, offset, sink)?;
                state.close(sink)?;
            }
            Event::End(_) => state.close(sink)?,
            // Inside the document element, text only has to be passed on: its characters were
            // checked as UTF-8 with the input, and decoding costs a pass of its own.
            Event::Text(_) | Event::CData(_) if state.inside() && !sink.wants_text() => {}
            Event::Text(text) => state.text(&text.xml10_content(), offset, Text::Plain, sink)?,
            Event::CData(cdata) => state.text(&cdata.xml10_content(), offset, Text::CData, sink)?,
            Event::GeneralRef(reference) => state.reference(&reference, offset, sink)?,
            Event::DocType(_) => return Err(state.malformed(offset, "DOCTYPE is not allowed")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => return state.finish(),
        }
    }
}

fn check_size(input: &str, limits: &Limits) -> Result<()> {
    if input.len() > limits.max_bytes {
        return Err(Error::TooLarge(format!(
            "document is {} bytes, over max_bytes = {}",
            input.len(),
            limits.max_bytes
        )));
    }
    if u32::try_from(input.len()).is_err() {
        return Err(Error::TooLarge(format!(
            "document is {} bytes; documents over 4 GiB are not supported",
            input.len()
        )));
    }
    Ok(())
}

fn tokenizer_error(input: &str, reader: &Reader, offset: usize, error: quick_xml::Error) -> Error {
    use quick_xml::Error as Q;
    let at = match error {
        Q::Namespace(NamespaceError::TooManyBindings(limit)) => {
            return Error::TooLarge(format!("more than {limit} namespace bindings in scope"));
        }
        // A broken DOCTYPE gets the same answer as a complete one: we never read them.
        Q::Syntax(SyntaxError::UnclosedDoctype)
        | Q::IllFormed(IllFormedError::MissingDoctypeName) => {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            return Error::malformed_at(input, at, "DOCTYPE is not allowed");
        }
        // For these the tokenizer records where the bad markup starts; other errors come
        // from checks after an event was read, which starts at `offset`.
        Q::Syntax(_) | Q::IllFormed(_) => {
            usize::try_from(reader.error_position()).unwrap_or(usize::MAX)
        }
        _ => offset,
    };
    Error::malformed_at(input, at, error.to_string())
}

/// Character data as written: plain text, or a CDATA section.
#[derive(Clone, Copy)]
enum Text {
    Plain,
    CData,
}

/// Where the reader is: the open elements and how many elements it has seen.
struct State<'a> {
    input: &'a str,
    limits: &'a Limits,
    /// Byte range of each open element's qualified name, for the message when one is never
    /// closed; ranges rather than strings, so an element costs no allocation.
    open: Vec<(usize, usize)>,
    elements: usize,
}

impl State<'_> {
    fn malformed(&self, offset: usize, message: impl Into<String>) -> Error {
        Error::malformed_at(self.input, offset, message)
    }

    fn inside(&self) -> bool {
        !self.open.is_empty()
    }

    fn open<S: Sink>(
        &mut self,
        reader: &Reader,
        start: &BytesStart,
        offset: usize,
        sink: &mut S,
    ) -> Result<()> {
        if self.open.is_empty() && self.elements > 0 {
            return Err(self.malformed(offset, "more than one root element"));
        }
        self.check_growth()?;
        let qname = start.name();
        let resolver = reader.resolver();
        let name = if qname.prefix().is_some() {
            let (namespace, local) = resolver.resolve_element(qname);
            let namespace = Lookup::Resolved(self.namespace(namespace, offset)?);
            Name {
                local: local.into_inner(),
                namespace,
            }
        } else {
            Name {
                local: qname.local_name().into_inner(),
                namespace: Lookup::Default(resolver, qname),
            }
        };
        self.elements += 1;
        // The tag starts with `<`; its name follows directly.
        self.open.push((offset + 1, qname.as_ref().len()));
        sink.open(&name, self.open.len())?;
        self.attributes(reader, start, offset, sink)
    }

    /// Depth and element-count limits, checked before the element costs anything.
    fn check_growth(&self) -> Result<()> {
        if self.open.len() >= self.limits.max_depth {
            return Err(Error::TooLarge(format!(
                "elements nested deeper than max_depth = {}",
                self.limits.max_depth
            )));
        }
        // DOCUMENT and NONE sit at the top of the u32 range, so real ids stay below them.
        let cap = self.limits.max_nodes.min(DOCUMENT as usize);
        if self.elements >= cap {
            return Err(Error::TooLarge(format!(
                "more than max_nodes = {} elements",
                self.limits.max_nodes
            )));
        }
        Ok(())
    }

    fn namespace<'r>(&self, resolved: ResolveResult<'r>, offset: usize) -> Result<&'r str> {
        match resolved {
            ResolveResult::Bound(namespace) => Ok(namespace.0),
            ResolveResult::Unbound => Ok(""),
            ResolveResult::Unknown(prefix) => {
                Err(self.malformed(offset, format!("undeclared namespace prefix `{prefix}`")))
            }
        }
    }

    /// Checks every attribute of the element (not its `xmlns` declarations) and hands them to
    /// a sink that wants them.
    fn attributes<S: Sink>(
        &self,
        reader: &Reader,
        start: &BytesStart,
        offset: usize,
        sink: &mut S,
    ) -> Result<()> {
        // Counting while iterating stops a million-attribute tag at the limit; the
        // duplicate check quick-xml does per attribute would otherwise go quadratic.
        for (count, raw) in start.attributes().enumerate() {
            if count >= self.limits.max_attributes {
                return Err(Error::TooLarge(format!(
                    "more than max_attributes = {} attributes on one element",
                    self.limits.max_attributes
                )));
            }
            let raw = raw.map_err(|e| self.malformed(offset, format!("bad attribute: {e}")))?;
            if raw.key.as_namespace_binding().is_none() {
                self.attribute(reader, &raw, offset, S::ATTRIBUTES.then_some(&mut *sink))?;
            }
        }
        Ok(())
    }

    /// Checks one attribute: its prefix is declared and its value decodes. Only a `keep` sink
    /// gets it as an owned [`Attribute`].
    fn attribute<S: Sink>(
        &self,
        reader: &Reader,
        raw: &RawAttribute,
        offset: usize,
        keep: Option<&mut S>,
    ) -> Result<()> {
        let (namespace, local) = reader.resolver().resolve_attribute(raw.key);
        let value = raw
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity)
            .map_err(|e| self.malformed(offset, format!("bad attribute value: {e}")))?;
        let namespace = self.namespace(namespace, offset)?;
        if let Some(sink) = keep {
            sink.attribute(Attribute {
                name: QName::new(namespace, local.into_inner()),
                value: value.into_owned(),
            });
        }
        Ok(())
    }

    fn close<S: Sink>(&mut self, sink: &mut S) -> Result<()> {
        // quick-xml has already matched end tags to start tags, so `open` is never empty
        // here; ignoring a stray end would still leave the sink consistent.
        let depth = self.open.len();
        if self.open.pop().is_some() {
            sink.close(depth)?;
        }
        Ok(())
    }

    fn text<S: Sink>(&self, text: &str, offset: usize, kind: Text, sink: &mut S) -> Result<()> {
        if !self.open.is_empty() {
            return sink.text(text);
        }
        match kind {
            // Whitespace around the document element is allowed; nothing else is.
            Text::Plain if text.trim_ascii().is_empty() => Ok(()),
            Text::Plain => Err(self.malformed(offset, "text outside the root element")),
            Text::CData => Err(self.malformed(offset, "CDATA outside the root element")),
        }
    }

    /// Decodes `&name;` and `&#n;`; anything but the five predefined entities is refused.
    fn reference<S: Sink>(&self, reference: &BytesRef, offset: usize, sink: &mut S) -> Result<()> {
        let name: &str = reference;
        if self.open.is_empty() {
            return Err(self.malformed(offset, "reference outside the root element"));
        }
        if reference.is_char_ref() {
            let decoded = reference
                .resolve_char_ref()
                .map_err(|e| self.malformed(offset, format!("bad reference `&{name};`: {e}")))?;
            return match decoded {
                Some(c) => sink.text(c.encode_utf8(&mut [0; 4])),
                None => Ok(()),
            };
        }
        match resolve_xml_entity(name) {
            Some(value) => sink.text(value),
            None => Err(self.malformed(offset, format!("unknown entity `&{name};`"))),
        }
    }

    fn finish(self) -> Result<()> {
        if let Some(&(start, len)) = self.open.last() {
            let qualified = self.input.get(start..start + len).unwrap_or_default();
            let local = qualified.rsplit(':').next().unwrap_or(qualified);
            let message = format!("element `{local}` is not closed at end of input");
            return Err(self.malformed(self.input.len(), message));
        }
        if self.elements == 0 {
            return Err(self.malformed(self.input.len(), "no root element"));
        }
        Ok(())
    }
}
