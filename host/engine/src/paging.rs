//! Reading a listing page by page, for every stage that reads one: the cursor is followed
//! until it runs out, and a cursor seen before (which would loop forever) or a listing longer
//! than the limit stops the reading with an error instead of a hang.

use std::collections::HashSet;

use crate::error::Error;

/// The most pages one listing may take, unless a setting says otherwise.
pub const MAX_PAGES: usize = 100_000;

/// Follows one listing's cursors.
#[derive(Debug)]
pub struct Pager {
    max_pages: usize,
    pages: usize,
    seen: HashSet<String>,
    next: Option<Option<String>>,
}

/// A listing that did not end: a cursor came back, or there were too many pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the listing did not finish after {pages} pages (a cursor repeated, or too many pages)")]
pub struct Unfinished {
    /// Pages read.
    pub pages: usize,
}

impl Unfinished {
    /// As the engine reports it for `what` of `system`.
    pub fn error(self, system: &str, what: &'static str) -> Error {
        Error::Paging {
            system: system.to_owned(),
            what,
            pages: self.pages,
        }
    }
}

impl Pager {
    /// A listing of at most `max_pages` pages, starting without a cursor.
    pub fn new(max_pages: usize) -> Self {
        Self {
            max_pages,
            pages: 0,
            seen: HashSet::new(),
            next: Some(None),
        }
    }

    /// The cursor for the next page (`Some(None)` for the first), or `None` when the
    /// listing is complete.
    pub fn next_page(&mut self) -> Option<Option<String>> {
        self.next.take()
    }

    /// Records the cursor the last page returned.
    pub fn turn(&mut self, cursor: Option<String>) -> Result<(), Unfinished> {
        self.pages += 1;
        let Some(cursor) = cursor else {
            return Ok(());
        };
        if self.pages >= self.max_pages || !self.seen.insert(cursor.clone()) {
            return Err(Unfinished { pages: self.pages });
        }
        self.next = Some(Some(cursor));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(cursors: &[Option<&str>], max: usize) -> Result<usize, Unfinished> {
        let mut pager = Pager::new(max);
        let mut pages = cursors.iter();
        let mut read = 0;
        while let Some(_cursor) = pager.next_page() {
            read += 1;
            let next = pages.next().copied().flatten().map(str::to_owned);
            pager.turn(next)?;
        }
        Ok(read)
    }

    #[test]
    fn follows_cursors_to_the_end_and_refuses_loops_and_endless_lists() {
        assert_eq!(walk(&[None], 10), Ok(1));
        assert_eq!(walk(&[Some("a"), Some("b"), None], 10), Ok(3));
        assert_eq!(
            walk(&[Some("a"), Some("a")], 10),
            Err(Unfinished { pages: 2 }),
            "a repeated cursor"
        );
        assert_eq!(
            walk(&[Some("a"), Some("b"), Some("c")], 2),
            Err(Unfinished { pages: 2 }),
            "over the limit"
        );
    }
}
