//! One CSV file as text rows under its headers, each row with its line in the file.
//!
//! The bytes are decoded whole first (UTF-8 with its byte-order mark dropped, or
//! Windows-1252), so a file that is not what the configuration says fails the read naming the
//! line, instead of arriving as mangled names. Rows with too few or too many fields are left
//! out with a warning naming file and line; the csv crate does the RFC 4180 quoting.

use std::collections::BTreeMap;

use tessera_sdk::ConnectorError;
use tessera_sdk::types::Warning;

use crate::settings::{Columns, Encoding};

/// One data row: its first line in the file, and its values trimmed.
#[derive(Debug)]
pub struct Row {
    pub line: u64,
    pub values: Vec<String>,
}

#[derive(Debug)]
pub struct Table {
    pub file: String,
    headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// The file's text: `Err` names the line of the first byte that is not UTF-8.
pub fn decode(file: &str, bytes: &[u8], encoding: Encoding) -> Result<String, ConnectorError> {
    match encoding {
        Encoding::Windows1252 => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok(text.into_owned())
        }
        Encoding::Utf8 => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            String::from_utf8(bytes.to_vec()).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
                ConnectorError::invalid(
                    "encoding",
                    format!(
                        "{file} line {line} is not UTF-8; if the file is written by Excel or an older export, set encoding = \"windows-1252\""
                    ),
                )
            })
        }
    }
}

/// The line of a quote that is never closed. The csv crate would read such a field to the end
/// of the file, quietly swallowing every row after it; people missing from an export look like
/// leavers, so the read fails instead.
fn unclosed_quote(text: &str) -> Option<usize> {
    let (mut line, mut opened, mut inside) = (1, 0, false);
    for c in text.chars() {
        match c {
            // A doubled quote inside a field toggles twice, so it stays inside.
            '"' => {
                inside = !inside;
                if inside {
                    opened = line;
                }
            }
            '\n' => line += 1,
            _ => {}
        }
    }
    inside.then_some(opened)
}

/// Parses `text` with `delimiter`; rows of the wrong width become warnings.
pub fn parse(
    file: &str,
    text: &str,
    delimiter: u8,
    warnings: &mut Vec<Warning>,
) -> Result<Table, ConnectorError> {
    if let Some(line) = unclosed_quote(text) {
        return Err(ConnectorError::invalid(
            "contents",
            format!("{file} line {line}: a quote that is never closed"),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let unreadable = |e: csv::Error| {
        let line = e.position().map_or(0, csv::Position::line);
        ConnectorError::invalid("contents", format!("{file} line {line}: {e}"))
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(unreadable)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(unreadable)?;
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            warnings.push(Warning {
                subject: Some(format!("{file} line {line}")),
                message: format!(
                    "{} fields where the header has {}; row left out",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let values = record.iter().map(|v| v.trim().to_owned()).collect();
        rows.push(Row { line, values });
    }
    Ok(Table {
        file: file.to_owned(),
        headers,
        rows,
    })
}

/// Field → column index of one table: configured headers must be there, as must `required`
/// fields; other fields are read from a header of their own name when there is one.
#[derive(Debug)]
pub struct Layout {
    index: BTreeMap<String, usize>,
}

impl Table {
    pub fn layout(
        &self,
        key: &str,
        fields: &[&str],
        columns: &Columns,
        required: &[&str],
    ) -> Result<Layout, ConnectorError> {
        let mut index = BTreeMap::new();
        for field in fields {
            let header = columns.configured.get(*field).map(String::as_str);
            match (self.column(header.unwrap_or(field)), header) {
                (Some(i), _) => {
                    index.insert((*field).to_owned(), i);
                }
                (None, Some(h)) => return Err(self.missing(key, field, h)),
                (None, None) if required.contains(field) => {
                    return Err(self.missing(key, field, field));
                }
                (None, None) => {}
            }
        }
        Ok(Layout { index })
    }

    /// The index of a header, if the file has it.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header)
    }

    fn missing(&self, key: &str, field: &str, header: &str) -> ConnectorError {
        ConnectorError::invalid(
            key,
            format!(
                "{} has no column `{header}` for {field}; its headers are: {}",
                self.file,
                self.headers.join(", ")
            ),
        )
    }
}

impl Layout {
    /// A field's value in `row`, `None` when unmapped or empty.
    pub fn get<'r>(&self, row: &'r Row, field: &str) -> Option<&'r str> {
        let value = row.values.get(*self.index.get(field)?)?;
        (!value.is_empty()).then_some(value.as_str())
    }
}
