//! The [`Sink`] that keeps everything: the element arena of a [`Document`](crate::Document).

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::{Name, Sink};
use crate::document::{Arena, NONE, Node};
use crate::{Attribute, Limits, QName, Result};

/// An element whose end tag has not been seen yet.
struct Open {
    node: u32,
    last_child: u32,
}

pub(super) struct Builder {
    arena: Arena,
    open: Vec<Open>,
    /// Namespace -> local name -> index into `arena.names`.
    names: HashMap<String, HashMap<String, u32, RandomState>, RandomState>,
}

/// Converts a length the 4 GiB input cap keeps in range: text and attributes can never
/// outgrow the input, and nodes are capped below `u32::MAX` by the reader's element limit.
fn index(n: usize) -> u32 {
    debug_assert!(u32::try_from(n).is_ok());
    n as u32
}

impl Builder {
    pub(super) fn new(input: &str, limits: &Limits) -> Self {
        // Rough guesses from typical SOAP responses; they only save regrowing.
        let expected_nodes = (input.len() / 64).min(limits.max_nodes);
        let arena = Arena {
            nodes: Vec::with_capacity(expected_nodes),
            text: String::with_capacity(input.len() / 4),
            ..Arena::default()
        };
        Builder {
            arena,
            open: Vec::new(),
            names: HashMap::default(),
        }
    }

    /// The element's index in the name table, adding the name on first sight.
    fn name(&mut self, namespace: &str, local: &str) -> u32 {
        let names = &mut self.arena.names;
        // Keyed by namespace first, so a document giving every element its own namespace
        // cannot make the lookup quadratic.
        let by_local = match self.names.get_mut(namespace) {
            Some(by_local) => by_local,
            None => self.names.entry(namespace.to_owned()).or_default(),
        };
        if let Some(&found) = by_local.get(local) {
            return found;
        }
        let id = index(names.len());
        by_local.insert(local.to_owned(), id);
        names.push(QName::new(namespace, local));
        id
    }

    pub(super) fn finish(self) -> Arena {
        // A document can live for a whole run; regrowth can leave up to half its pools
        // unused, which a host would otherwise hold (and charge) for nothing.
        let mut arena = self.arena;
        arena.nodes.shrink_to_fit();
        arena.attributes.shrink_to_fit();
        arena.text.shrink_to_fit();
        arena
    }
}

impl Sink for Builder {
    const ATTRIBUTES: bool = true;

    fn open(&mut self, name: &Name, _depth: usize) -> Result<()> {
        let name = self.name(name.namespace(), name.local);
        let id = index(self.arena.nodes.len());
        let text_start = index(self.arena.text.len());
        let attributes = index(self.arena.attributes.len());
        self.arena.nodes.push(Node {
            name,
            first_child: NONE,
            next_sibling: NONE,
            subtree_end: NONE,
            attributes: attributes..attributes,
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

    fn attribute(&mut self, attribute: Attribute) {
        self.arena.attributes.push(attribute);
        // The element opened last owns the attributes that follow it in the pool.
        if let Some(node) = self.arena.nodes.last_mut() {
            node.attributes.end = index(self.arena.attributes.len());
        }
    }

    fn wants_text(&self) -> bool {
        true
    }

    fn text(&mut self, text: &str) -> Result<()> {
        self.arena.text.push_str(text);
        Ok(())
    }

    fn close(&mut self, _depth: usize) -> Result<()> {
        if let Some(done) = self.open.pop() {
            let end = index(self.arena.nodes.len());
            let text_end = index(self.arena.text.len());
            let node = &mut self.arena.nodes[done.node as usize];
            node.subtree_end = end;
            node.text.end = text_end;
        }
        Ok(())
    }
}
