//! Handing out a listing a plugin read whole, page by page: the cursor is the offset of the
//! next page, so the host can ask for them in order and nothing is read twice.

use std::collections::VecDeque;

use crate::ConnectorError;
use crate::types::{Person, SourcePage, Warning};

/// A listing read whole on a run's first call (or made as its pages are asked for, through
/// [`Handout::push`]) and handed out in pages, each item moved out once rather than copied:
/// the cursor counts what was handed out, so only the cursor of the page just given continues
/// the run.
#[derive(Debug)]
pub struct Handout<T> {
    pending: VecDeque<T>,
    served: usize,
}

impl<T> Default for Handout<T> {
    fn default() -> Self {
        Self {
            pending: VecDeque::new(),
            served: 0,
        }
    }
}

impl<T> Handout<T> {
    /// Starts a new run with `all`.
    pub fn fill(&mut self, all: Vec<T>) {
        self.pending = all.into();
        self.served = 0;
    }

    /// Adds an item to the run under way, for a listing made as its pages are asked for. It
    /// must keep more than a page pending until the last: a page that empties the handout ends
    /// the run.
    pub fn push(&mut self, item: T) {
        self.pending.push_back(item);
    }

    /// Items not handed out yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Whether `cursor` asks for the page after the last one handed out (`None`: the first).
    pub fn continues(&self, cursor: Option<&str>) -> bool {
        match cursor {
            None => self.served == 0,
            Some(c) => self.served > 0 && c.parse() == Ok(self.served),
        }
    }

    /// The next page of at most `size` items and the cursor after it (`None` after the last).
    /// `cursor` is `None` right after [`Handout::fill`], else the one the last page gave.
    pub fn next(
        &mut self,
        cursor: Option<&str>,
        size: usize,
    ) -> Result<(Vec<T>, Option<String>), ConnectorError> {
        if !self.continues(cursor) {
            return Err(ConnectorError::invalid(
                "cursor",
                "not from this run; read again from the start",
            ));
        }
        let n = size.max(1).min(self.pending.len());
        let items: Vec<T> = self.pending.drain(..n).collect();
        self.served += n;
        let next = (!self.pending.is_empty()).then(|| self.served.to_string());
        Ok((items, next))
    }
}

impl Handout<Person> {
    /// A source's next page of persons, with `warnings` (those of the read that filled it, on
    /// the first page).
    pub fn source_page(
        &mut self,
        cursor: Option<&str>,
        size: usize,
        warnings: Vec<Warning>,
    ) -> Result<SourcePage, ConnectorError> {
        let (persons, next_cursor) = self.next(cursor, size)?;
        Ok(SourcePage {
            persons,
            warnings,
            next_cursor,
        })
    }
}

/// The page of `all` that starts at `cursor` (`None`: the first), at most `size` items, and
/// the cursor of the next page (`None` after the last). A cursor this function did not make
/// is refused as invalid.
pub fn page<T: Clone>(
    all: &[T],
    cursor: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>), ConnectorError> {
    let start = match cursor {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| {
            ConnectorError::invalid("cursor", format!("`{c}` is not this plugin's cursor"))
        })?,
    };
    let end = start.saturating_add(size.max(1)).min(all.len());
    let items = all.get(start..end).unwrap_or_default().to_vec();
    let next = (end < all.len()).then(|| end.to_string());
    Ok((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handout_moves_each_item_out_once_and_refuses_foreign_cursors() {
        let mut out = Handout::default();
        out.fill(vec!["a", "b", "c"]);
        assert_eq!(
            out.next(None, 2).expect("first"),
            (vec!["a", "b"], Some("2".into()))
        );
        assert!(out.next(Some("1"), 2).is_err(), "not the cursor just given");
        assert_eq!(out.next(Some("2"), 2).expect("last"), (vec!["c"], None));
        assert!(out.next(None, 2).is_err(), "a new run starts with fill");
        out.fill(vec![]);
        assert_eq!(out.next(None, 2).expect("empty"), (vec![], None));
    }

    #[test]
    fn pages_follow_their_cursors_to_the_end() {
        let all: Vec<u32> = (0..5).collect();
        assert_eq!(
            page(&all, None, 2).expect("a page"),
            (vec![0, 1], Some("2".into()))
        );
        assert_eq!(page(&all, Some("4"), 2).expect("a page"), (vec![4], None));
        assert_eq!(page(&all, Some("9"), 2).expect("a page"), (vec![], None));
        assert!(page(&all, Some("x"), 2).is_err());
    }
}
