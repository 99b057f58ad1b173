use std::ops::Range;

use crate::path::{self, Path};
use crate::scan::{Table, TableBudget, table_bytes};
use crate::{Attribute, Error, Limits, NodeId, QName, Result, parse};

/// Marks "no node" in the arena links, so links stay plain `u32`s.
pub(crate) const NONE: u32 = u32::MAX;

/// One element in the arena. Elements are stored in document order (pre-order), so the
/// descendants of a node are exactly the indices `id + 1 .. subtree_end`.
#[derive(Debug)]
///
/// Everything is a `u32` (the parser refuses input over 4 GiB) to keep nodes at 32 bytes.
pub(crate) struct Node {
    /// Index into [`Arena::names`].
    pub(crate) name: u32,
    pub(crate) first_child: u32,
    pub(crate) next_sibling: u32,
    pub(crate) subtree_end: u32,
    /// This element's slice of [`Arena::attributes`].
    pub(crate) attributes: Range<u32>,
    /// All text inside this element, as a slice of [`Arena::text`]. Text is stored in
    /// document order, so an element's descendant text is always one contiguous run.
    pub(crate) text: Range<u32>,
}

/// What the parser produces: the element arena plus the shared pools it points into.
#[derive(Debug, Default)]
pub(crate) struct Arena {
    pub(crate) nodes: Vec<Node>,
    /// Each distinct element name once: responses repeat a handful of names thousands of
    /// times, and storing them per node cost two allocations per element.
    pub(crate) names: Vec<QName>,
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) text: String,
}

fn span(range: &Range<u32>) -> Range<usize> {
    range.start as usize..range.end as usize
}

/// A parsed document: immutable, `Send + Sync`, and cheap to query from several threads.
#[derive(Debug)]
pub struct Document {
    arena: Arena,
    /// Prefix bindings that paths use, as given to [`Document::parse`].
    bindings: Vec<(String, String)>,
}

impl Document {
    /// Parses `text` under `limits`.
    ///
    /// `namespaces` binds prefixes for *paths* (`s` -> the SOAP envelope URI); they are
    /// independent of whatever prefixes the text itself declares.
    ///
    /// Fails with [`Error::TooLarge`] when a limit is hit, [`Error::Malformed`] (with the
    /// line and column where parsing stopped) for anything that is not well-formed or uses
    /// a DOCTYPE, an unknown entity or an undeclared prefix, and [`Error::Invalid`] when a
    /// path prefix in `namespaces` is not a valid name.
    pub fn parse(text: &str, namespaces: &[(String, String)], limits: &Limits) -> Result<Self> {
        path::check_bindings(namespaces)?;
        Ok(Document {
            arena: parse::build(text, limits)?,
            bindings: namespaces.to_vec(),
        })
    }

    /// The document element.
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// Elements matching `path`, in document order, evaluated from the document itself.
    ///
    /// # Path syntax
    ///
    /// - Steps are separated by `/`. A path starting with `/` is absolute: its first step
    ///   matches the document element. Without the leading `/`, evaluation starts at the
    ///   context (the document here, the given node for [`Document::select_from`]) and the
    ///   first step matches the context's children.
    /// - A step is `prefix:local` (namespace bound by the `namespaces` given to
    ///   [`Document::parse`]; an unknown prefix is [`Error::Invalid`]), `prefix:*` (any
    ///   element in that namespace), `local` (that local name in *any* namespace, on purpose:
    ///   SOAP services often put payloads in a default namespace the plugin does not care
    ///   about), `*` (any element) or `.` (the context node itself).
    /// - A name or `*` step may end in `[n]`: the n-th (1-based) of the elements that step
    ///   matches under the same parent.
    /// - `//` before a step searches descendants at any depth instead of children only:
    ///   `//gebruiker` finds every `gebruiker`, and `.//naam` every `naam` below the context.
    ///
    /// Example: `/s:Envelope/s:Body/*/gebruiker[2]/naam`.
    pub fn select(&self, path: &str) -> Result<Vec<NodeId>> {
        self.evaluate(None, path)
    }

    /// Elements matching `path` relative to `node`: the first step matches `node`'s
    /// children. A path starting with `/` is still evaluated from the document.
    pub fn select_from(&self, node: NodeId, path: &str) -> Result<Vec<NodeId>> {
        self.evaluate(Some(node), path)
    }

    /// Text (see [`Document::text`]) of the first element matching `path`, if any.
    pub fn text_at(&self, path: &str) -> Result<Option<String>> {
        Ok(self.select(path)?.first().map(|&id| self.text(id)))
    }

    /// Text of the first element matching `path` relative to `node`, if any.
    pub fn text_from(&self, node: NodeId, path: &str) -> Result<Option<String>> {
        Ok(self
            .select_from(node, path)?
            .first()
            .map(|&id| self.text(id)))
    }

    /// A table in one pass: a row for every element matching `path` (relative to `context`
    /// when given, like [`Document::select_from`]), and in each row a cell per entry of
    /// `fields`, the text of the first element the field's path matches relative to the row's
    /// element, or `None`. Each field path is parsed once, not once per row, which is what
    /// makes this cheaper than a `text_from` per field and row.
    ///
    /// The table, counted as [`table_bytes`] plus its text, may not grow past
    /// `max_table_bytes` ([`Error::TooLarge`]): nested rows repeat their text, so a small
    /// document could otherwise make a table hundreds of times its size.
    pub fn select_texts(
        &self,
        context: Option<NodeId>,
        path: &str,
        fields: &[&str],
        max_table_bytes: usize,
    ) -> Result<Table> {
        let fields = fields
            .iter()
            .map(|f| Path::parse(f, &self.bindings))
            .collect::<Result<Vec<_>>>()?;
        let rows = self.evaluate(context, path)?;
        let mut budget = TableBudget::new(max_table_bytes);
        budget.charge(table_bytes(rows.len(), fields.len()))?;
        let cell = |row: NodeId, field: &Path| {
            let start = if field.absolute {
                path::DOCUMENT
            } else {
                row.0
            };
            let found = path::evaluate(self, field, start);
            found.first().map(|&id| self.text_str(NodeId(id)))
        };
        let mut table = Vec::with_capacity(rows.len());
        for row in rows {
            let mut cells = Vec::with_capacity(fields.len());
            for field in &fields {
                let text = cell(row, field);
                budget.charge(text.map_or(0, str::len))?;
                cells.push(text.map(str::to_owned));
            }
            table.push(cells);
        }
        Ok(table)
    }

    /// The expanded name of `node`.
    pub fn name(&self, node: NodeId) -> &QName {
        &self.arena.names[self.node(node).name as usize]
    }

    /// All text below `node`, concatenated in document order: entities decoded, CDATA
    /// included, whitespace kept as written (line ends normalized to `\n`).
    pub fn text(&self, node: NodeId) -> String {
        self.text_str(node).to_owned()
    }

    /// Like [`Document::text`], without copying.
    pub fn text_str(&self, node: NodeId) -> &str {
        &self.arena.text[span(&self.node(node).text)]
    }

    /// The value of attribute `name` on `node`. Unprefixed attributes are in no namespace.
    pub fn attribute(&self, node: NodeId, name: &QName) -> Option<&str> {
        self.attributes(node)
            .iter()
            .find(|a| a.name == *name)
            .map(|a| a.value.as_str())
    }

    /// The attributes of `node` in the order written; `xmlns` declarations are not included.
    pub fn attributes(&self, node: NodeId) -> &[Attribute] {
        &self.arena.attributes[span(&self.node(node).attributes)]
    }

    /// The child elements of `node`, in document order.
    pub fn children(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.child_ids(node.0).map(NodeId)
    }

    /// Number of elements in the document.
    pub fn len(&self) -> usize {
        self.arena.nodes.len()
    }

    /// Bytes of heap this document holds, counted from its pools' capacities; what a host
    /// charges against a memory budget. Each element costs [`Document::BYTES_PER_ELEMENT`].
    pub fn heap_bytes(&self) -> usize {
        let a = &self.arena;
        let name_bytes = |q: &QName| q.namespace.capacity() + q.local.capacity();
        let names: usize = a.names.iter().map(name_bytes).sum();
        let attributes: usize = a
            .attributes
            .iter()
            .map(|at| name_bytes(&at.name) + at.value.capacity())
            .sum();
        a.nodes.capacity() * Self::BYTES_PER_ELEMENT
            + a.names.capacity() * std::mem::size_of::<QName>()
            + names
            + a.attributes.capacity() * std::mem::size_of::<Attribute>()
            + attributes
            + a.text.capacity()
    }

    /// The arena's size of one element, so a host can bound `max_nodes` by what it can hold.
    pub const BYTES_PER_ELEMENT: usize = std::mem::size_of::<Node>();

    /// Always false: a parsed document has at least its document element.
    pub fn is_empty(&self) -> bool {
        self.arena.nodes.is_empty()
    }

    fn evaluate(&self, context: Option<NodeId>, path: &str) -> Result<Vec<NodeId>> {
        let path = Path::parse(path, &self.bindings)?;
        let start = match context {
            Some(node) if !path.absolute => self.check(node)?.0,
            _ => path::DOCUMENT,
        };
        Ok(path::evaluate(self, &path, start)
            .into_iter()
            .map(NodeId)
            .collect())
    }

    /// Rejects a `NodeId` from another document instead of panicking on it later.
    fn check(&self, node: NodeId) -> Result<NodeId> {
        if node.index() < self.arena.nodes.len() {
            Ok(node)
        } else {
            Err(Error::Invalid(format!(
                "node {} is not in this document",
                node.0
            )))
        }
    }

    /// # Panics
    ///
    /// On a `NodeId` that did not come from this document, like slice indexing.
    fn node(&self, node: NodeId) -> &Node {
        &self.arena.nodes[node.index()]
    }

    pub(crate) fn raw(&self, id: u32) -> &Node {
        &self.arena.nodes[id as usize]
    }

    /// The distinct element names; [`Node::name`] indexes this.
    pub(crate) fn names(&self) -> &[QName] {
        &self.arena.names
    }

    pub(crate) fn node_count(&self) -> u32 {
        // The parser caps the arena at u32::MAX nodes, so this cannot truncate.
        self.arena.nodes.len() as u32
    }

    /// Children of an arena index, or of [`path::DOCUMENT`] (whose only child is the root).
    pub(crate) fn child_ids(&self, id: u32) -> Children<'_> {
        let first = if id == path::DOCUMENT {
            0
        } else {
            self.raw(id).first_child
        };
        Children {
            doc: self,
            next: first,
        }
    }
}

/// Iterator over the sibling chain starting at one node.
pub(crate) struct Children<'a> {
    doc: &'a Document,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let current = self.next;
        self.next = self.doc.raw(current).next_sibling;
        Some(current)
    }
}
