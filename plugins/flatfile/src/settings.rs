//! The system's configuration, checked beyond what the schema can say: a one-byte delimiter,
//! a known encoding, a date format chrono understands, and column maps naming known fields.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use tessera_sdk::{ConnectorError, config};

/// The persons file's fields; the first two must be found.
pub const PERSON_FIELDS: &[&str] = &[
    "id",
    "family",
    "given",
    "prefix",
    "initials",
    "convention",
    "partner_family",
    "partner_prefix",
    "email",
    "phone",
];

/// The contracts file's fields; `person` and `start` must be found.
pub const CONTRACT_FIELDS: &[&str] = &[
    "person",
    "start",
    "id",
    "sequence",
    "end",
    "department",
    "department_name",
    "title",
    "title_name",
    "location",
    "location_name",
    "cost_centre",
    "cost_centre_name",
    "employer",
    "employer_name",
    "fte",
    "hours",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

/// Where a field is read from: the operator's header for it, or by default a header of the
/// field's own name when the file has one.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// Field → header, as the operator configured them; these must be in the file.
    pub configured: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub persons_file: String,
    pub contracts_file: String,
    pub delimiter: u8,
    pub encoding: Encoding,
    pub date_format: String,
    pub persons: Columns,
    pub contracts: Columns,
    /// The file's convention code → B, BP, P or PB.
    pub conventions: BTreeMap<String, String>,
    pub extra_columns: Vec<String>,
}

impl Settings {
    pub fn from_config() -> Result<Self, ConnectorError> {
        Ok(Self {
            persons_file: config::string("persons_file")?,
            contracts_file: config::string("contracts_file")?,
            delimiter: delimiter(&config::string("delimiter")?)?,
            encoding: encoding(&config::string("encoding")?)?,
            date_format: date_format(config::string("date_format")?)?,
            persons: columns(
                "person_columns",
                PERSON_FIELDS,
                &config::list("person_columns")?,
            )?,
            contracts: columns(
                "contract_columns",
                CONTRACT_FIELDS,
                &config::list("contract_columns")?,
            )?,
            conventions: conventions(&config::list("conventions")?)?,
            extra_columns: config::list("extra_columns")?,
        })
    }
}

pub fn delimiter(text: &str) -> Result<u8, ConnectorError> {
    match text {
        "tab" | "\t" => Ok(b'\t'),
        t if t.len() == 1 && t.is_ascii() && !"\"\r\n".contains(t) => Ok(t.as_bytes()[0]),
        _ => Err(ConnectorError::invalid(
            "delimiter",
            format!("`{text}` is not one character such as `;`, `,`, `|` or `tab`"),
        )),
    }
}

pub fn encoding(text: &str) -> Result<Encoding, ConnectorError> {
    match text.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => Ok(Encoding::Utf8),
        "windows-1252" | "cp1252" => Ok(Encoding::Windows1252),
        _ => Err(ConnectorError::invalid(
            "encoding",
            format!("`{text}` is neither `utf-8` nor `windows-1252`"),
        )),
    }
}

/// A format that writes and reads back a known day, so a typo (`%Y-%m-%dd`, `%y`) is refused
/// here rather than turning every date of the file into a warning.
pub fn date_format(format: String) -> Result<String, ConnectorError> {
    let probe = NaiveDate::from_ymd_opt(2026, 11, 27);
    let round_trips = probe.is_some_and(|day| {
        let mut written = String::new();
        use std::fmt::Write;
        write!(written, "{}", day.format(&format)).is_ok()
            && NaiveDate::parse_from_str(&written, &format) == Ok(day)
    });
    if round_trips {
        Ok(format)
    } else {
        Err(ConnectorError::invalid(
            "date_format",
            format!(
                "`{format}` does not write and read back a day; use e.g. `%Y-%m-%d` or `%d-%m-%Y`"
            ),
        ))
    }
}

/// `field=Header` entries: each field known and named once.
pub fn columns(key: &str, fields: &[&str], entries: &[String]) -> Result<Columns, ConnectorError> {
    let mut configured = BTreeMap::new();
    for entry in entries {
        let Some((field, header)) = entry.split_once('=') else {
            return Err(ConnectorError::invalid(
                key,
                format!("`{entry}` is not `field=Header`"),
            ));
        };
        let (field, header) = (field.trim(), header.trim());
        if !fields.contains(&field) {
            return Err(ConnectorError::invalid(
                key,
                format!("`{field}` is not a field; known: {}", fields.join(", ")),
            ));
        }
        if header.is_empty()
            || configured
                .insert(field.to_owned(), header.to_owned())
                .is_some()
        {
            return Err(ConnectorError::invalid(
                key,
                format!("`{field}` is mapped twice or to an empty header"),
            ));
        }
    }
    Ok(Columns { configured })
}

/// `code=LETTERS` entries, each naming one of the four conventions.
pub fn conventions(entries: &[String]) -> Result<BTreeMap<String, String>, ConnectorError> {
    let mut out = BTreeMap::new();
    for entry in entries {
        let parsed = entry
            .split_once('=')
            .map(|(code, letters)| (code.trim(), letters.trim().to_ascii_uppercase()))
            .filter(|(code, letters)| !code.is_empty() && is_convention(letters));
        let Some((code, letters)) = parsed else {
            return Err(ConnectorError::invalid(
                "conventions",
                format!("`{entry}` is not `code=B`, `=BP`, `=P` or `=PB`"),
            ));
        };
        out.insert(code.to_owned(), letters);
    }
    Ok(out)
}

pub fn is_convention(letters: &str) -> bool {
    matches!(letters, "B" | "BP" | "P" | "PB")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn delimiters_encodings_and_formats_are_checked() {
        assert_eq!(delimiter(";").ok(), Some(b';'));
        assert_eq!(delimiter("tab").ok(), Some(b'\t'));
        for bad in ["", ";;", "\"", "é"] {
            assert!(delimiter(bad).is_err(), "{bad}");
        }
        assert_eq!(encoding("Windows-1252").ok(), Some(Encoding::Windows1252));
        assert!(encoding("latin9").is_err());
        for good in ["%Y-%m-%d", "%d-%m-%Y", "%Y%m%d", "%d/%m/%Y"] {
            assert!(date_format(good.into()).is_ok(), "{good}");
        }
        for bad in ["%Y-%m", "yyyy-MM-dd", "%Y-%m-%d %Q"] {
            assert!(date_format(bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn column_maps_name_known_fields_once() {
        let c = columns(
            "k",
            PERSON_FIELDS,
            &list(&["id = Personeelsnummer", "given=Roepnaam"]),
        );
        let c = c.expect("valid");
        assert_eq!(c.configured["id"], "Personeelsnummer");
        for bad in [&["id"][..], &["nickname=Roep"], &["id=A", "id=B"], &["id="]] {
            let err = columns("person_columns", PERSON_FIELDS, &list(bad)).expect_err("bad");
            assert!(err.to_string().contains("person_columns"), "{err}");
        }
    }

    #[test]
    fn convention_codes_map_to_the_four_conventions() {
        let c = conventions(&list(&["0=B", "1=pb"])).expect("valid");
        assert_eq!(c["1"], "PB");
        assert!(conventions(&list(&["5=X"])).is_err());
        assert!(conventions(&list(&["=B"])).is_err());
    }
}
