//! Unit tests, split by topic; helpers shared between them live here.

mod limits;
mod parse;
mod scan;
mod select;
mod serialize;

use crate::{Document, Error, Limits, SOAP11_NAMESPACE, scan_texts};

const USERS_NS: &str = "urn:elanza:users";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A SOAP 1.1 response shaped like the ones connectors read: payload in a default
/// namespace, an `xsi` attribute, entities, CDATA and a nested element sharing a name.
const SOAP_RESPONSE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soap:Header>
    <h:Session xmlns:h="urn:session">abc</h:Session>
  </soap:Header>
  <soap:Body>
    <GetUsersResponse xmlns="urn:elanza:users">
      <gebruiker id="1" xsi:type="Medewerker">
        <naam>Jansen &amp; Zn</naam>
        <email>j@example.org</email>
      </gebruiker>
      <gebruiker id="2">
        <naam><![CDATA[<De Vries>]]></naam>
        <email>v@example.org</email>
        <groep><naam>Artsen</naam></groep>
      </gebruiker>
    </GetUsersResponse>
  </soap:Body>
</soap:Envelope>
"#;

/// Path bindings deliberately use other prefixes than the text does.
fn bindings() -> Vec<(String, String)> {
    vec![
        ("s".to_owned(), SOAP11_NAMESPACE.to_owned()),
        ("u".to_owned(), USERS_NS.to_owned()),
        ("xsi".to_owned(), XSI_NS.to_owned()),
    ]
}

fn parse(text: &str) -> Document {
    Document::parse(text, &bindings(), &Limits::default()).expect("test document parses")
}

/// The error parsing `text` gives, which a scan of it must give as well: both read through
/// the same checks, so every malformed and over-limit case here tests the scan too.
fn parse_err(text: &str, limits: &Limits) -> Error {
    let error = match Document::parse(text, &bindings(), limits) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e,
    };
    let scanned = scan_texts(text, &bindings(), limits, "//*", &["."], usize::MAX)
        .expect_err("a scan fails where parsing does");
    assert_eq!(
        format!("{scanned:?}"),
        format!("{error:?}"),
        "scan and parse disagree on {text:?}"
    );
    error
}

/// Asserts a `Malformed` error and returns its (message, line, column).
fn malformed(text: &str) -> (String, u32, u32) {
    match parse_err(text, &Limits::default()) {
        Error::Malformed {
            message,
            line,
            column,
        } => (message, line, column),
        other => panic!("expected Malformed for {text:?}, got {other:?}"),
    }
}

fn texts(doc: &Document, path: &str) -> Vec<String> {
    let nodes = doc.select(path).expect("valid path");
    nodes.into_iter().map(|n| doc.text(n)).collect()
}
