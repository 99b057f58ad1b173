//! [`scan_texts`]: the table of [`Document::select_texts`](crate::Document::select_texts) in
//! one pass over the text, without building a document.
//!
//! Paths are matched as the elements stream past. Every open element carries, for each path
//! still alive below it, the steps it has reached (`reach`, as bits) and the descendant
//! steps (`//`) that apply anywhere beneath it (`desc`), plus per-step counters for `[n]`.
//! Only the open elements' states and the cells being read are held, so memory follows the
//! nesting depth and the answer, not the document.

use crate::parse::{self, Name, Sink};
use crate::path::{self, Path, Test};
use crate::{Error, Limits, Result};

/// A table's rows: one per matching element, a cell per field.
pub type Table = Vec<Vec<Option<String>>>;

/// A table as one text and offsets, the shape it crosses a component boundary in: cell `i`
/// (row by row, field by field) is `text[ends[i - 1]..ends[i]]` (from 0 for the first), and
/// `found[i]` says whether its field matched at all.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PackedTable {
    /// Rows in the table.
    pub rows: u32,
    /// Cells per row.
    pub width: u32,
    /// Every cell's text, one after another.
    pub text: String,
    /// Where each cell's text ends in `text`.
    pub ends: Vec<u32>,
    /// Whether each cell's field matched.
    pub found: Vec<bool>,
}

impl PackedTable {
    /// Packs `table`, whose rows have `width` cells each; [`Error::TooLarge`] when its text or
    /// cell count does not fit the 32-bit offsets.
    pub fn pack(table: Table, width: usize) -> Result<Self> {
        let too_large = || Error::TooLarge("a table over 4 GiB cannot cross as offsets".into());
        let cells = table.len().saturating_mul(width);
        let mut packed = PackedTable {
            rows: u32::try_from(table.len()).map_err(|_| too_large())?,
            width: u32::try_from(width).map_err(|_| too_large())?,
            text: String::with_capacity(table.iter().flatten().flatten().map(String::len).sum()),
            ends: Vec::with_capacity(cells),
            found: Vec::with_capacity(cells),
        };
        for cell in table.into_iter().flatten() {
            packed.found.push(cell.is_some());
            packed.text.push_str(cell.as_deref().unwrap_or_default());
            packed
                .ends
                .push(u32::try_from(packed.text.len()).map_err(|_| too_large())?);
        }
        Ok(packed)
    }
}

/// What a table being built has cost, against its cap.
pub(crate) struct TableBudget {
    bytes: usize,
    max: usize,
}

impl TableBudget {
    pub(crate) fn new(max: usize) -> Self {
        TableBudget { bytes: 0, max }
    }

    pub(crate) fn charge(&mut self, bytes: usize) -> Result<()> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.max {
            return Err(Error::TooLarge(format!(
                "the table would take more than {} bytes",
                self.max
            )));
        }
        Ok(())
    }
}

/// Host bytes a table costs besides its text: each row's vector and each of its cells.
pub fn table_bytes(rows: usize, fields: usize) -> usize {
    let row = std::mem::size_of::<Vec<Option<String>>>()
        + fields.saturating_mul(std::mem::size_of::<Option<String>>());
    rows.saturating_mul(row)
}

/// The table [`Document::select_texts`](crate::Document::select_texts) gives for `path` and
/// `fields` from the document, read in one pass over `text` under `limits` (and with the same
/// errors for a document that is not well-formed), without keeping a tree.
///
/// Field paths are relative to the row: one starting with `/` is [`Error::Invalid`], since
/// a stream cannot look back at what it has passed. Paths are limited to 63 steps. The table,
/// counted as [`table_bytes`] plus its text, may not grow past `max_table_bytes`
/// ([`Error::TooLarge`]): nested rows repeat their text, so a small hostile document could
/// otherwise make a large answer.
pub fn scan_texts(
    text: &str,
    namespaces: &[(String, String)],
    limits: &Limits,
    path: &str,
    fields: &[&str],
    max_table_bytes: usize,
) -> Result<Table> {
    path::check_bindings(namespaces)?;
    let row = Compiled::new(Path::parse(path, namespaces)?, path)?;
    let fields = fields
        .iter()
        .map(|f| {
            let compiled = Compiled::new(Path::parse(f, namespaces)?, f)?;
            if compiled.path.absolute {
                return Err(Error::Invalid(format!(
                    "field path `{f}` starts at the document; a scan reads fields relative to the row"
                )));
            }
            Ok(compiled)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut scanner = Scanner::new(row, fields, max_table_bytes);
    parse::read(text, limits, &mut scanner)?;
    Ok(scanner.rows)
}

/// [`scan_texts`] over a body as it came over the wire (it must be UTF-8), packed to cross a
/// component boundary: what the host's `xml.scan-texts` answers.
pub fn scan_body(
    body: &[u8],
    namespaces: &[(String, String)],
    limits: &Limits,
    path: &str,
    fields: &[&str],
    max_table_bytes: usize,
) -> Result<PackedTable> {
    let text = crate::utf8(body)?;
    let table = scan_texts(text, namespaces, limits, path, fields, max_table_bytes)?;
    PackedTable::pack(table, fields.len())
}

/// A path with the bit masks the matcher needs.
struct Compiled {
    path: Path,
    /// Bits of the steps that follow `//`.
    descendant: u64,
    /// Bits of the `.` steps, which select their context instead of children.
    context: u64,
    /// Bit of the step after the last: reaching it means the path matched.
    matched: u64,
    positional: bool,
}

impl Compiled {
    fn new(path: Path, text: &str) -> Result<Self> {
        let steps = path.steps();
        if steps.len() > 63 {
            return Err(Error::Invalid(format!(
                "path `{text}` has {} steps; a scan follows at most 63",
                steps.len()
            )));
        }
        let bits = |keep: &dyn Fn(&crate::path::Step) -> bool| {
            (steps.iter().enumerate())
                .filter(|(_, s)| keep(s))
                .fold(0u64, |acc, (k, _)| acc | 1 << k)
        };
        Ok(Compiled {
            descendant: bits(&|s| s.descendant),
            context: bits(&|s| matches!(s.test, Test::Context)),
            matched: 1 << steps.len(),
            positional: steps.iter().any(|s| s.position.is_some()),
            path,
        })
    }

    fn len(&self) -> usize {
        self.path.steps().len()
    }

    /// `reach` plus every step a `.` step passes on to.
    fn close_over_context(&self, mut reach: u64) -> u64 {
        for k in 0..self.len() {
            if reach & self.context & (1 << k) != 0 {
                reach |= 1 << (k + 1);
            }
        }
        reach
    }

    /// The steps an element reaches, given its parent's state and its name; `counts` are the
    /// parent's `[n]` counters.
    fn advance(&self, parent: &State, name: &Name, counts: &mut [u32]) -> u64 {
        let mut candidates =
            ((parent.reach & !self.descendant) | parent.desc) & !self.context & (self.matched - 1);
        let mut reach = 0;
        while candidates != 0 {
            let k = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            let step = &self.path.steps()[k];
            if !step.test.matches_with(name.local, || name.namespace()) {
                continue;
            }
            if let Some(n) = step.position {
                counts[k] += 1;
                if counts[k] as usize != n {
                    continue;
                }
            }
            reach |= 1 << (k + 1);
        }
        self.close_over_context(reach)
    }
}

/// One path's progress at one open element.
#[derive(Clone, Copy)]
struct State {
    /// 0 for the row path, `f + 1` for field `f`.
    path: usize,
    /// The row a field path reads for.
    row: usize,
    reach: u64,
    desc: u64,
    /// Start of this state's `[n]` counters in [`Scanner::counts`].
    counts: usize,
}

/// Where an open element's states and counters start.
struct Frame {
    states: usize,
    counts: usize,
}

/// A cell being read: the text below the element at `depth`.
struct Capture {
    row: usize,
    field: usize,
    depth: usize,
    text: String,
}

struct Scanner {
    paths: Vec<Compiled>,
    frames: Vec<Frame>,
    states: Vec<State>,
    counts: Vec<u32>,
    captures: Vec<Capture>,
    rows: Table,
    /// Per row and field: whether its first match has been found.
    claimed: Vec<bool>,
    budget: TableBudget,
}

impl Scanner {
    fn new(row: Compiled, fields: Vec<Compiled>, max_bytes: usize) -> Self {
        let mut paths = vec![row];
        paths.extend(fields);
        let mut scanner = Scanner {
            paths,
            frames: vec![Frame {
                states: 0,
                counts: 0,
            }],
            states: Vec::new(),
            counts: Vec::new(),
            captures: Vec::new(),
            rows: Vec::new(),
            claimed: Vec::new(),
            budget: TableBudget::new(max_bytes),
        };
        // `.` as a row path would select the document, which is no element: never a row.
        let reach = scanner.paths[0].close_over_context(1) & !scanner.paths[0].matched;
        scanner.push_state(0, 0, reach, 0);
        scanner
    }

    fn fields(&self) -> usize {
        self.paths.len() - 1
    }

    /// Adds a state to the newest frame, unless nothing can match below it any more.
    fn push_state(&mut self, path: usize, row: usize, reach: u64, parent_desc: u64) {
        let compiled = &self.paths[path];
        let desc = parent_desc | (reach & compiled.descendant);
        if reach & !compiled.matched == 0 && desc == 0 {
            return;
        }
        let counts = self.counts.len();
        if compiled.positional {
            self.counts.resize(counts + compiled.len(), 0);
        }
        self.states.push(State {
            path,
            row,
            reach,
            desc,
            counts,
        });
    }

    /// A new row at the element just opened: its fields start matching from there.
    fn start_row(&mut self, depth: usize) -> Result<()> {
        self.budget.charge(table_bytes(1, self.fields()))?;
        let row = self.rows.len();
        self.rows.push(vec![None; self.fields()]);
        self.claimed
            .resize(self.claimed.len() + self.fields(), false);
        for field in 0..self.fields() {
            let compiled = &self.paths[field + 1];
            let reach = compiled.close_over_context(1);
            if reach & compiled.matched != 0 {
                self.claim(row, field, depth);
            }
            self.push_state(field + 1, row, reach, 0);
        }
        Ok(())
    }

    /// Starts reading a cell at the element at `depth`, unless an earlier match took it.
    fn claim(&mut self, row: usize, field: usize, depth: usize) {
        let cell = row * self.fields() + field;
        if !self.claimed[cell] {
            self.claimed[cell] = true;
            self.captures.push(Capture {
                row,
                field,
                depth,
                text: String::new(),
            });
        }
    }

    fn is_claimed(&self, state: &State) -> bool {
        state.path > 0 && self.claimed[state.row * self.fields() + state.path - 1]
    }
}

impl Sink for Scanner {
    const ATTRIBUTES: bool = false;

    fn open(&mut self, name: &Name, depth: usize) -> Result<()> {
        let parent = self.frames.last().map_or(0, |f| f.states);
        let parent_end = self.states.len();
        self.frames.push(Frame {
            states: parent_end,
            counts: self.counts.len(),
        });
        for i in parent..parent_end {
            let state = self.states[i];
            if self.is_claimed(&state) {
                continue;
            }
            let compiled = &self.paths[state.path];
            let counts = &mut self.counts[state.counts..];
            let reach = compiled.advance(&state, name, counts);
            if reach & compiled.matched != 0 {
                match state.path {
                    0 => self.start_row(depth)?,
                    field => self.claim(state.row, field - 1, depth),
                }
            }
            if !self.is_claimed(&state) {
                self.push_state(state.path, state.row, reach, state.desc);
            }
        }
        Ok(())
    }

    fn wants_text(&self) -> bool {
        !self.captures.is_empty()
    }

    fn text(&mut self, text: &str) -> Result<()> {
        self.budget
            .charge(text.len().saturating_mul(self.captures.len()))?;
        for capture in &mut self.captures {
            capture.text.push_str(text);
        }
        Ok(())
    }

    fn close(&mut self, depth: usize) -> Result<()> {
        while let Some(capture) = self.captures.pop_if(|c| c.depth == depth) {
            self.rows[capture.row][capture.field] = Some(capture.text);
        }
        if let Some(frame) = self.frames.pop() {
            self.states.truncate(frame.states);
            self.counts.truncate(frame.counts);
        }
        Ok(())
    }
}
