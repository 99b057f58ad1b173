//! Reading the [`TextTable`] that `host::xml::scan_texts` answers (WIT 0.2.3): one text and
//! the end of every cell, so a table of 19,000 rows crosses from the host as five values
//! instead of a string per cell. Cells are read as slices of that text, without copying.
//!
//! ```no_run
//! # fn main() -> Result<(), tessera_sdk::host::errors::HostError> {
//! use tessera_sdk::host::{http, xml};
//! let request = http::Request {
//!     method: http::Method::Post,
//!     url: "https://hix.example.org/ws/gebruikers".into(),
//!     headers: Vec::new(),
//!     body: Some(b"<s:Envelope>...</s:Envelope>".to_vec()),
//!     timeout_ms: None,
//! };
//! let response = http::send(&request)?;
//! let soap = xml::Namespace {
//!     prefix: "s".into(),
//!     uri: "http://schemas.xmlsoap.org/soap/envelope/".into(),
//! };
//! let path = "/s:Envelope/s:Body//gebruiker";
//! let table = xml::scan_texts(&response.body, &[soap], path, &["ldap".into()])?;
//! for row in 0..table.len() {
//!     let login: Option<&str> = table.cell(row, 0);
//! }
//! # Ok(())
//! # }
//! ```

use crate::host::xml::TextTable;

impl TextTable {
    /// Rows in the table: one per element the path matched.
    pub fn len(&self) -> usize {
        self.rows as usize
    }

    /// Whether the path matched nothing.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The text of `field` (numbered as asked) in `row`: `None` when the field matched nothing
    /// there, or either number is out of range.
    pub fn cell(&self, row: usize, field: usize) -> Option<&str> {
        let width = self.width as usize;
        if field >= width || row >= self.len() {
            return None;
        }
        let i = row * width + field;
        if !*self.found.get(i)? {
            return None;
        }
        let start = match i {
            0 => 0,
            _ => *self.ends.get(i - 1)? as usize,
        };
        // The host writes offsets between characters; a bad one reads as no text, not a panic.
        self.text.get(start..*self.ends.get(i)? as usize)
    }

    /// The cells of `row`, in the order the fields were asked for.
    pub fn row(&self, row: usize) -> Vec<Option<&str>> {
        (0..self.width as usize)
            .map(|field| self.cell(row, field))
            .collect()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use crate::host::xml::TextTable;

    #[test]
    fn cells_are_slices_of_the_text_and_unmatched_fields_are_none() {
        let table = TextTable {
            rows: 2,
            width: 2,
            text: "abé".into(),
            ends: vec![2, 2, 2, 4],
            found: vec![true, false, true, true],
        };
        assert_eq!(table.len(), 2);
        assert_eq!(table.row(0), [Some("ab"), None]);
        assert_eq!(table.row(1), [Some(""), Some("é")]);
        assert_eq!(table.cell(2, 0), None);
        assert_eq!(table.cell(0, 2), None);
        let cut = TextTable {
            ends: vec![2, 2, 2, 3],
            ..table
        };
        assert_eq!(cut.cell(1, 1), None, "an offset inside a character");
    }
}
