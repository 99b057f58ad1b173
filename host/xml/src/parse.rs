//! Building the arena from quick-xml's namespace-aware reader, with every security check
//! applied as events arrive so a hostile document is rejected before it costs much.

use std::collections::HashMap;
use std::ops::Range;

use foldhash::fast::RandomState;
use quick_xml::errors::{IllFormedError, SyntaxError};
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::attributes::Attribute as RawAttribute;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{NamespaceError, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use crate::document::{Arena, NONE, Node};
use crate::path::DOCUMENT;
use crate::{Attribute, Error, Limits, QName, Result};

type Reader<'i> = NsReader<&'i [u8]>;

/// Parses `input` into an arena, enforcing `limits`.
pub(crate) fn build(input: &str, limits: &Limits) -> Result<Arena> {
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
    let mut reader = NsReader::from_str(input);
    let mut builder = Builder::new(input, limits);
    loop {
        // Events are not trimmed, so each one starts exactly where the previous one ended.
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| tokenizer_error(input, &reader, offset, e))?;
        match event {
            Event::Start(start) => builder.open(&reader, &start, offset)?,
            Event::Empty(start) => {
                builder.open(&reader, &start, offset)?;
                builder.close();
            }
            Event::End(_) => builder.close(),
            Event::Text(text) => builder.text(&text.xml10_content(), offset)?,
            Event::CData(cdata) => builder.cdata(&cdata.xml10_content(), offset)?,
            Event::GeneralRef(reference) => builder.reference(&reference, offset)?,
            Event::DocType(_) => return Err(builder.malformed(offset, "DOCTYPE is not allowed")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => return builder.finish(),
        }
    }
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

/// An element whose end tag has not been seen yet.
struct Open {
    node: u32,
    last_child: u32,
}

struct Builder<'a> {
    input: &'a str,
    limits: &'a Limits,
    arena: Arena,
    open: Vec<Open>,
    /// Namespace -> local name -> index into `arena.names`.
    names: HashMap<String, HashMap<String, u32, RandomState>, RandomState>,
}

/// Converts a length the 4 GiB input cap keeps in range: text and attributes can never
/// outgrow the input, and nodes are capped below `u32::MAX` by `check_growth`.
fn index(n: usize) -> u32 {
    debug_assert!(u32::try_from(n).is_ok());
    n as u32
}

impl<'a> Builder<'a> {
    fn new(input: &'a str, limits: &'a Limits) -> Self {
        // Rough guesses from typical SOAP responses; they only save regrowing.
        let expected_nodes = (input.len() / 64).min(limits.max_nodes);
        let arena = Arena {
            nodes: Vec::with_capacity(expected_nodes),
            text: String::with_capacity(input.len() / 4),
            ..Arena::default()
        };
        Builder {
            input,
            limits,
            arena,
            open: Vec::new(),
            names: HashMap::default(),
        }
    }

    fn malformed(&self, offset: usize, message: impl Into<String>) -> Error {
        Error::malformed_at(self.input, offset, message)
    }

    fn open(&mut self, reader: &Reader, start: &BytesStart, offset: usize) -> Result<()> {
        if self.open.is_empty() && !self.arena.nodes.is_empty() {
            return Err(self.malformed(offset, "more than one root element"));
        }
        self.check_growth()?;
        let name = self.element_name(reader, start, offset)?;
        let attributes = self.read_attributes(reader, start, offset)?;
        let id = index(self.arena.nodes.len());
        let text_start = index(self.arena.text.len());
        self.arena.nodes.push(Node {
            name,
            first_child: NONE,
            next_sibling: NONE,
            subtree_end: NONE,
            attributes,
            text: text_start..text_start,
        });
        if let Some(parent) = self.open.last_mut() {
            match parent.last_child {
                NONE => self.arena.nodes[parent.node as usize].first_child = id,
                last => self.arena.nodes[last as usize].next_sibling = id,
            }
            parent.last_child = id;
        }
        self.open.push(Open {
            node: id,
            last_child: NONE,
        });
        Ok(())
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
        if self.arena.nodes.len() >= cap {
            return Err(Error::TooLarge(format!(
                "more than max_nodes = {} elements",
                self.limits.max_nodes
            )));
        }
        Ok(())
    }

    /// The element's index in the name table, adding the name on first sight.
    fn element_name(&mut self, reader: &Reader, start: &BytesStart, offset: usize) -> Result<u32> {
        let (namespace, local) = reader.resolver().resolve_element(start.name());
        let namespace = self.namespace(namespace, offset)?;
        let local = local.into_inner();
        let names = &mut self.arena.names;
        // Keyed by namespace first, so a document giving every element its own namespace
        // cannot make the lookup quadratic.
        let by_local = match self.names.get_mut(namespace) {
            Some(by_local) => by_local,
            None => self.names.entry(namespace.to_owned()).or_default(),
        };
        if let Some(&found) = by_local.get(local) {
            return Ok(found);
        }
        let id = index(names.len());
        by_local.insert(local.to_owned(), id);
        names.push(QName::new(namespace, local));
        Ok(id)
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

    /// Appends the element's attributes (not its `xmlns` declarations) to the shared pool.
    fn read_attributes(
        &mut self,
        reader: &Reader,
        start: &BytesStart,
        offset: usize,
    ) -> Result<Range<u32>> {
        let first = index(self.arena.attributes.len());
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
                let attribute = self.attribute(reader, &raw, offset)?;
                self.arena.attributes.push(attribute);
            }
        }
        Ok(first..index(self.arena.attributes.len()))
    }

    fn attribute(&self, reader: &Reader, raw: &RawAttribute, offset: usize) -> Result<Attribute> {
        let (namespace, local) = reader.resolver().resolve_attribute(raw.key);
        let value = raw
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity)
            .map_err(|e| self.malformed(offset, format!("bad attribute value: {e}")))?;
        Ok(Attribute {
            name: QName::new(self.namespace(namespace, offset)?, local.into_inner()),
            value: value.into_owned(),
        })
    }

    fn close(&mut self) {
        // quick-xml has already matched end tags to start tags, so `open` is never empty
        // here; ignoring a stray end would still leave a consistent arena.
        if let Some(done) = self.open.pop() {
            let end = index(self.arena.nodes.len());
            let text_end = index(self.arena.text.len());
            let node = &mut self.arena.nodes[done.node as usize];
            node.subtree_end = end;
            node.text.end = text_end;
        }
    }

    fn text(&mut self, text: &str, offset: usize) -> Result<()> {
        if !self.open.is_empty() {
            self.arena.text.push_str(text);
        } else if !text.trim_ascii().is_empty() {
            return Err(self.malformed(offset, "text outside the root element"));
        }
        Ok(())
    }

    fn cdata(&mut self, text: &str, offset: usize) -> Result<()> {
        if self.open.is_empty() {
            return Err(self.malformed(offset, "CDATA outside the root element"));
        }
        self.arena.text.push_str(text);
        Ok(())
    }

    /// Decodes `&name;` and `&#n;`; anything but the five predefined entities is refused.
    fn reference(&mut self, reference: &BytesRef, offset: usize) -> Result<()> {
        let name: &str = reference;
        if self.open.is_empty() {
            return Err(self.malformed(offset, "reference outside the root element"));
        }
        if reference.is_char_ref() {
            let decoded = reference
                .resolve_char_ref()
                .map_err(|e| self.malformed(offset, format!("bad reference `&{name};`: {e}")))?;
            if let Some(c) = decoded {
                self.arena.text.push(c);
            }
            return Ok(());
        }
        match resolve_xml_entity(name) {
            Some(value) => {
                self.arena.text.push_str(value);
                Ok(())
            }
            None => Err(self.malformed(offset, format!("unknown entity `&{name};`"))),
        }
    }

    fn finish(self) -> Result<Arena> {
        if let Some(open) = self.open.last() {
            let name = self.arena.nodes[open.node as usize].name;
            let local = &self.arena.names[name as usize].local;
            let message = format!("element `{local}` is not closed at end of input");
            return Err(self.malformed(self.input.len(), message));
        }
        if self.arena.nodes.is_empty() {
            return Err(self.malformed(self.input.len(), "no root element"));
        }
        // A document can live for a whole run; regrowth can leave up to half its pools
        // unused, which a host would otherwise hold (and charge) for nothing.
        let mut arena = self.arena;
        arena.nodes.shrink_to_fit();
        arena.attributes.shrink_to_fit();
        arena.text.shrink_to_fit();
        Ok(arena)
    }
}
