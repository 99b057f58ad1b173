//! The path language of [`Document::select`](crate::Document::select): parsing and
//! evaluation over the arena.

use crate::document::Document;
use crate::names::is_ncname;
use crate::{Error, QName, Result};

/// Arena index standing for the document itself, the parent of the document element. It
/// never collides with a real node because the parser stops well before `u32::MAX - 1`.
pub(crate) const DOCUMENT: u32 = u32::MAX - 1;

/// A parsed path.
#[derive(Debug)]
pub(crate) struct Path {
    pub(crate) absolute: bool,
    steps: Vec<Step>,
}

#[derive(Debug)]
pub(crate) struct Step {
    /// Search all descendants of the context (`//`), not only its children.
    pub(crate) descendant: bool,
    pub(crate) test: Test,
    /// 1-based position among the matches under one parent (`[n]`).
    pub(crate) position: Option<usize>,
}

#[derive(Debug)]
pub(crate) enum Test {
    /// `.`
    Context,
    /// `*`
    Any,
    /// `local`, in any namespace.
    Local(String),
    /// `prefix:*`
    Namespace(String),
    /// `prefix:local`
    Exact(QName),
}

impl Test {
    pub(crate) fn matches(&self, namespace: &str, local: &str) -> bool {
        self.matches_with(local, || namespace)
    }

    /// [`Test::matches`], asking for the namespace only when the test compares it.
    pub(crate) fn matches_with<'n>(
        &self,
        local: &str,
        namespace: impl FnOnce() -> &'n str,
    ) -> bool {
        match self {
            Test::Context | Test::Any => true,
            Test::Local(name) => local == name,
            Test::Namespace(uri) => namespace() == uri,
            Test::Exact(exact) => local == exact.local && namespace() == exact.namespace,
        }
    }
}

/// Refuses a binding whose prefix is not a valid name: paths could never use it.
pub(crate) fn check_bindings(bindings: &[(String, String)]) -> Result<()> {
    match bindings.iter().find(|(p, _)| !is_ncname(p)) {
        Some((prefix, _)) => Err(Error::Invalid(format!(
            "namespace prefix `{prefix}` is not a valid name"
        ))),
        None => Ok(()),
    }
}

impl Path {
    pub(crate) fn parse(text: &str, bindings: &[(String, String)]) -> Result<Path> {
        let invalid = |why: String| Error::Invalid(format!("bad path `{text}`: {why}"));
        let (absolute, rest) = match text.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let segments: Vec<&str> = rest.split('/').collect();
        let mut steps = Vec::with_capacity(segments.len());
        let mut descendant = false;
        for (i, segment) in segments.iter().enumerate() {
            if segment.is_empty() {
                // An empty segment is the middle of `//`; it must be followed by a step.
                if descendant || i + 1 == segments.len() {
                    return Err(invalid("empty step".into()));
                }
                descendant = true;
                continue;
            }
            steps.push(parse_step(segment, descendant, bindings).map_err(invalid)?);
            descendant = false;
        }
        Ok(Path { absolute, steps })
    }

    pub(crate) fn steps(&self) -> &[Step] {
        &self.steps
    }
}

fn parse_step(
    segment: &str,
    descendant: bool,
    bindings: &[(String, String)],
) -> Result<Step, String> {
    let (name, position) = split_position(segment)?;
    let test = match name {
        "." if position.is_some() || descendant => {
            return Err("`.` takes no position and cannot follow `//`".into());
        }
        "." => Test::Context,
        "*" => Test::Any,
        _ => match name.split_once(':') {
            Some((prefix, local)) => {
                let uri = lookup(prefix, bindings)?;
                if local == "*" {
                    Test::Namespace(uri.to_owned())
                } else {
                    Test::Exact(QName::new(uri, checked_local(local)?))
                }
            }
            None => Test::Local(checked_local(name)?.to_owned()),
        },
    };
    Ok(Step {
        descendant,
        test,
        position,
    })
}

/// Splits `name[n]` into `name` and `n`, which must be a positive integer.
fn split_position(segment: &str) -> Result<(&str, Option<usize>), String> {
    let Some(inner) = segment.strip_suffix(']') else {
        return Ok((segment, None));
    };
    let Some((name, number)) = inner.split_once('[') else {
        return Err(format!("unbalanced `]` in `{segment}`"));
    };
    match number.parse::<usize>() {
        Ok(n) if n >= 1 => Ok((name, Some(n))),
        _ => Err(format!("position in `{segment}` must be a number from 1")),
    }
}

fn lookup<'b>(prefix: &str, bindings: &'b [(String, String)]) -> Result<&'b str, String> {
    bindings
        .iter()
        .find(|(p, _)| p == prefix)
        .map(|(_, uri)| uri.as_str())
        .ok_or_else(|| format!("unknown prefix `{prefix}`; bind it when parsing"))
}

fn checked_local(local: &str) -> Result<&str, String> {
    if is_ncname(local) {
        Ok(local)
    } else {
        Err(format!("`{local}` is not a valid element name"))
    }
}

/// Runs `path` from `start` (an arena index or [`DOCUMENT`]); returns arena indices in
/// document order, without duplicates.
pub(crate) fn evaluate(doc: &Document, path: &Path, start: u32) -> Vec<u32> {
    let mut current = vec![start];
    for step in &path.steps {
        if current.is_empty() {
            break;
        }
        current = apply(doc, step, &current);
    }
    // `.` from the document would select the document itself, which is not an element.
    current.retain(|&id| id != DOCUMENT);
    current
}

/// One step from a context that is sorted and free of duplicates; keeps that true.
fn apply(doc: &Document, step: &Step, context: &[u32]) -> Vec<u32> {
    if let Test::Context = step.test {
        return context.to_vec();
    }
    let mut out = Vec::new();
    if step.descendant {
        for_each_self_or_descendant(doc, context, |parent| {
            matching_children(doc, step, parent, &mut out);
        });
    } else {
        for &parent in context {
            matching_children(doc, step, parent, &mut out);
        }
    }
    // Children of nested contexts interleave, so order can break (never uniqueness).
    if !out.is_sorted() {
        out.sort_unstable();
    }
    out
}

fn matching_children(doc: &Document, step: &Step, parent: u32, out: &mut Vec<u32>) {
    let names = doc.names();
    let mut seen = 0;
    for child in doc.child_ids(parent) {
        let name = &names[doc.raw(child).name as usize];
        if !step.test.matches(&name.namespace, &name.local) {
            continue;
        }
        seen += 1;
        match step.position {
            None => out.push(child),
            Some(n) if n == seen => {
                out.push(child);
                return;
            }
            Some(_) => {}
        }
    }
}

/// Visits every context node and all its descendants once. A context inside an earlier
/// one's subtree is skipped, which keeps `//a//b` linear instead of quadratic.
fn for_each_self_or_descendant(doc: &Document, context: &[u32], mut visit: impl FnMut(u32)) {
    let mut covered_until = 0;
    for &id in context {
        if id == DOCUMENT {
            visit(DOCUMENT);
            (0..doc.node_count()).for_each(&mut visit);
            return;
        }
        if id < covered_until {
            continue;
        }
        covered_until = doc.raw(id).subtree_end;
        (id..covered_until).for_each(&mut visit);
    }
}
