//! What makes a WIT 0.2 page readable (`wit/connector/pages.wit`), shared by the host, which
//! reads what plugins send, and the SDK, which reads pages back in tests and benchmarks.
//!
//! A page is its text with a table of string ends and its records as columns of string
//! numbers. It is checked once, column by column, before any row is read; reading is then
//! plain indexing that cannot fail. Checking cell by cell, with an error path at every
//! string, cost more than allocating the strings did (the boundary benchmark, README).
//!
//! A page may not make its reader copy more text than it carries ([`overused`]), nor carry
//! strings no cell uses ([`too_many_strings`]): a hostile plugin's page must not cost the
//! host more memory than the page itself did.
//!
//! The faults carry rows, not names: the host names a field as WIT 0.1 did
//! (`persons[3].contracts[0].start`), the SDK by column (`contracts.start[0]`).

/// A page's strings, split once: string `n` is the text between ends `n - 1` and `n`;
/// string 0 is "none". A span that is not text of the page (an offset past it, or one inside
/// a character) is refused only where a column uses it.
///
/// A slot per string costs less than the string each cell is read into, and a page may carry
/// no more strings than cells ([`too_many_strings`]), so a hostile `ends` table cannot make
/// the split outgrow the read.
pub struct Strings<'a> {
    /// Index `n` holds string `n`; `None` for 0 and for a span that is not text of the page.
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
    /// The strings of a page's `text` with its table of string `ends`. Checking per cell
    /// instead, with the bounds and character checks at every read, cost the boundary
    /// benchmark's round trip a further 0.07–0.1 ms.
    pub fn split(text: &'a str, ends: &[u32]) -> Self {
        let mut texts = Vec::with_capacity(ends.len().max(1));
        texts.push(None);
        let span = |pair: &[u32]| text.get(pair[0] as usize..pair[1] as usize);
        texts.extend(ends.windows(2).map(span));
        Self { texts }
    }

    /// String `n`, `None` for 0 and for a number that names no text of the page. Once
    /// [`Strings::check`] passed for a column, every other number in it gives its text.
    pub fn get(&self, n: u32) -> Option<&'a str> {
        self.texts.get(n as usize).copied().flatten()
    }

    /// The first row of `column` whose number is no text of the page, or, if `required`, 0.
    /// Passed, it gives the bytes of text the column's cells use (as `u64`: on wasm32 a page
    /// whose cells share strings could otherwise overflow the count).
    pub fn check(&self, column: &[u32], required: bool) -> Result<u64, Fault> {
        let mut used = 0;
        for (row, &n) in column.iter().enumerate() {
            if n == 0 {
                if required {
                    return Err(Fault::Missing { row });
                }
                continue;
            }
            match self.get(n) {
                Some(text) => used += text.len() as u64,
                None => return Err(Fault::NotText { row, string: n }),
            }
        }
        Ok(used)
    }

    /// A code-name column pair: `names` must give a text wherever `codes` does (whose own
    /// numbers [`Strings::check`] checks). A name without its code is never read, but must
    /// still be text or none. Passed, it gives the bytes of text the names use.
    pub fn check_pairs(&self, codes: &[u32], names: &[u32]) -> Result<u64, Fault> {
        let used = self.check(names, false)?;
        let unnamed = codes
            .iter()
            .zip(names)
            .position(|(&c, &n)| c != 0 && n == 0);
        unnamed.map_or(Ok(used), |row| Err(Fault::Missing { row }))
    }
}

/// The text cells of a person's row in a person page: id, given, family, prefix, initials,
/// convention, email and phone.
pub const PERSON_TEXTS: usize = 8;
/// The text cells of a contract's row: id, start, end, and the code and name of department,
/// title, location, cost centre and employer.
pub const CONTRACT_TEXTS: usize = 13;
/// The text cells of an attribute's row: name and value.
pub const ATTRIBUTE_TEXTS: usize = 2;

/// Every text cell of a person page with these rows, the bound [`too_many_strings`] holds
/// its strings to.
pub fn person_page_cells(persons: usize, contracts: usize, attributes: usize) -> usize {
    persons * PERSON_TEXTS + contracts * CONTRACT_TEXTS + attributes * ATTRIBUTE_TEXTS
}

/// What is wrong when a page carries more strings than it has text cells: a string no cell
/// uses serves nothing, and each costs the reader a slot.
pub fn too_many_strings(strings: usize, cells: usize) -> Option<String> {
    (strings > cells).then(|| {
        format!(
            "{strings} strings for {cells} text cells; a page carries no string that no cell uses"
        )
    })
}

/// What is wrong when a page's cells would copy more text than the page carries. Cells may
/// share a string, but one large string named by every cell of a page would make its reader
/// copy it thousands of times: a hostile page's way to exhaust the host's memory.
pub fn overused(copied: u64, text: usize) -> Option<String> {
    (copied > text as u64).then(|| {
        format!("the cells would copy {copied} bytes out of {text} bytes of text; a page's cells may not use more text than it carries")
    })
}

/// The first of `columns` (name, length) whose length is not the table's `rows`.
pub fn mismatched<'n>(rows: usize, columns: &[(&'n str, usize)]) -> Option<(&'n str, usize)> {
    columns.iter().copied().find(|&(_, len)| len != rows)
}

/// What is wrong when `counts` do not share out exactly the `rows` of table `nested`.
pub fn miscounted(counts: &[u32], nested: &str, rows: usize) -> Option<String> {
    let total: u64 = counts.iter().map(|&n| u64::from(n)).sum();
    (total != rows as u64)
        .then(|| format!("the counts add up to {total}, the page has {rows} {nested}"))
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
    /// The next `count` rows.
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
    fn a_bad_span_is_refused_only_where_a_column_uses_it() {
        // "Å" is two bytes: the third string ends inside it.
        let s = Strings::split("abÅ", &[0, 1, 2, 3, 4]);
        assert_eq!((s.get(0), s.get(1), s.get(2)), (None, Some("a"), Some("b")));
        assert_eq!((s.get(3), s.get(4), s.get(9)), (None, None, None));
        assert_eq!(s.check(&[1, 0, 2], false), Ok(2));
        assert_eq!(s.check(&[1, 0], true), Err(Fault::Missing { row: 1 }));
        let off = s.check(&[2, 3], true);
        assert_eq!(off, Err(Fault::NotText { row: 1, string: 3 }));
        assert_eq!(s.check(&[7], false).map_err(Fault::row), Err(0));
        assert_eq!(s.check_pairs(&[1, 0], &[2, 0]), Ok(1));
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
        assert_eq!(miscounted(&[2, 1], "contracts", 3), None);
        let message = miscounted(&[2, 1], "contracts", 2);
        assert_eq!(
            message.as_deref(),
            Some("the counts add up to 3, the page has 2 contracts")
        );
        let most = miscounted(&[u32::MAX, u32::MAX], "rows", 0).unwrap_or_default();
        assert!(most.contains("8589934590"), "{most}");
    }

    #[test]
    fn a_page_may_not_make_its_reader_copy_more_than_it_carries() {
        assert_eq!(too_many_strings(3, 3), None);
        let unused = too_many_strings(4, 3).unwrap_or_default();
        assert!(unused.starts_with("4 strings for 3 text cells"), "{unused}");
        // One string of 1,000 bytes named by every cell of a 50,000-row column.
        let text = "x".repeat(1000);
        let s = Strings::split(&text, &[0, 1000]);
        let copied = s.check(&[1; 50_000], true).unwrap_or_default();
        assert_eq!(copied, 50_000_000);
        assert!(overused(copied, text.len()).is_some());
        assert_eq!(overused(1000, 1000), None);
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
