//! What makes a WIT 0.2 page readable (`wit/connector/pages.wit`), shared by the host, which
//! reads what plugins send, and the SDK, which reads pages back in tests and benchmarks.
//!
//! A page is its text with a table of string ends and its records as columns of string
//! numbers. It is checked once, column by column, before any row is read; reading is then
//! plain indexing that cannot fail. Checking cell by cell, with an error path at every
//! string, cost more than allocating the strings did (the boundary benchmark, README).
//!
//! The faults carry rows, not names: the host names a field as WIT 0.1 did
//! (`persons[3].contracts[0].start`), the SDK by column (`contracts.start[0]`).

/// A page's strings, split once. String `n` is the text between ends `n - 1` and `n`;
/// string 0 is "none".
pub struct Strings<'a> {
    /// Index `n` holds string `n`; `None` for 0 and for a span that is not text of the page
    /// (an offset past it, or one inside a character). Only a number that is used is refused.
    texts: Vec<Option<&'a str>>,
}

/// A row of a column that does not name what it must.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The string number is no text of the page.
    NotText { row: usize, string: u32 },
    /// A required text is 0, none.
    Missing { row: usize },
}

impl Fault {
    /// The row at fault.
    pub fn row(self) -> usize {
        match self {
            Self::NotText { row, .. } | Self::Missing { row } => row,
        }
    }
}

impl<'a> Strings<'a> {
    pub fn split(text: &'a str, ends: &[u32]) -> Self {
        let mut texts = Vec::with_capacity(ends.len().max(1));
        texts.push(None);
        let span = |pair: &[u32]| text.get(pair[0] as usize..pair[1] as usize);
        texts.extend(ends.windows(2).map(span));
        Self { texts }
    }

    /// String `n`, `None` for 0. Once [`Strings::check`] passed for a column, every other
    /// number in it gives its text.
    pub fn get(&self, n: u32) -> Option<&'a str> {
        self.texts.get(n as usize).copied().flatten()
    }

    /// The first row of `column` whose number is no text of the page, or, if `required`, 0.
    pub fn check(&self, column: &[u32], required: bool) -> Result<(), Fault> {
        for (row, &n) in column.iter().enumerate() {
            if n == 0 {
                if required {
                    return Err(Fault::Missing { row });
                }
            } else if self.get(n).is_none() {
                return Err(Fault::NotText { row, string: n });
            }
        }
        Ok(())
    }

    /// A code-name column pair: `names` must give a text wherever `codes` does (whose own
    /// numbers [`Strings::check`] checks). A name without its code is never read, but must
    /// still be text or none.
    pub fn check_pairs(&self, codes: &[u32], names: &[u32]) -> Result<(), Fault> {
        self.check(names, false)?;
        let unnamed = codes
            .iter()
            .zip(names)
            .position(|(&c, &n)| c != 0 && n == 0);
        unnamed.map_or(Ok(()), |row| Err(Fault::Missing { row }))
    }
}

/// The first of `columns` (name, length) whose length is not the table's `rows`.
pub fn mismatched<'n>(rows: usize, columns: &[(&'n str, usize)]) -> Option<(&'n str, usize)> {
    columns.iter().copied().find(|&(_, len)| len != rows)
}

/// The total of `counts` when they do not share out exactly `rows` nested rows.
pub fn miscounted(counts: &[u32], rows: usize) -> Option<u64> {
    let total: u64 = counts.iter().map(|&n| u64::from(n)).sum();
    (total != rows as u64).then_some(total)
}

/// Whose nested row `row` is, given the owners' `counts`: the owner's row and the row's
/// place among the owner's. For error messages only; it walks the counts.
pub fn owner(counts: &[u32], row: usize) -> (usize, usize) {
    let mut first = 0;
    for (i, &n) in counts.iter().enumerate() {
        let next = first + n as usize;
        if row < next {
            return (i, row - first);
        }
        first = next;
    }
    (counts.len(), row - first)
}

/// Hands out consecutive rows of a nested table to their owners, in order.
#[derive(Default)]
pub struct Rows(usize);

impl Rows {
    pub fn next(&mut self, count: u32) -> std::ops::Range<usize> {
        let start = self.0;
        self.0 += count as usize;
        start..self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_split_once_and_a_bad_span_is_refused_only_where_used() {
        // "Å" is two bytes: the third string ends inside it.
        let s = Strings::split("abÅ", &[0, 1, 2, 3, 4]);
        assert_eq!((s.get(0), s.get(1), s.get(2)), (None, Some("a"), Some("b")));
        assert_eq!((s.get(3), s.get(4), s.get(9)), (None, None, None));
        assert_eq!(s.check(&[1, 0, 2], false), Ok(()));
        assert_eq!(s.check(&[1, 0], true), Err(Fault::Missing { row: 1 }));
        let off = s.check(&[2, 3], true);
        assert_eq!(off, Err(Fault::NotText { row: 1, string: 3 }));
        assert_eq!(s.check(&[7], false).map_err(Fault::row), Err(0));
        assert_eq!(s.check_pairs(&[1, 0], &[2, 0]), Ok(()));
        let unnamed = s.check_pairs(&[1, 2], &[2, 0]);
        assert_eq!(unnamed, Err(Fault::Missing { row: 1 }));
    }

    #[test]
    fn columns_and_counts_must_fit_their_tables() {
        assert_eq!(
            mismatched(2, &[("a", 2), ("b", 1), ("c", 3)]),
            Some(("b", 1))
        );
        assert_eq!(mismatched(2, &[("a", 2)]), None);
        assert_eq!(miscounted(&[2, 1], 3), None);
        assert_eq!(miscounted(&[2, 1], 2), Some(3));
        assert_eq!(
            miscounted(&[u32::MAX, u32::MAX], 0),
            Some(2 * u64::from(u32::MAX))
        );
    }

    #[test]
    fn a_nested_row_is_traced_to_its_owner() {
        let counts = [2, 0, 3];
        assert_eq!(owner(&counts, 0), (0, 0));
        assert_eq!(owner(&counts, 1), (0, 1));
        assert_eq!(owner(&counts, 2), (2, 0));
        assert_eq!(owner(&counts, 4), (2, 2));
        let mut rows = Rows::default();
        assert_eq!(
            (rows.next(2), rows.next(0), rows.next(3)),
            (0..2, 2..2, 2..5)
        );
    }
}
