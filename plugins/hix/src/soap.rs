//! One SOAP call to HiX: a fresh ControlId in the header, the message posted to
//! `<base_url>/<message>`, the echo checked, faults turned into typed errors.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{SystemTime, UNIX_EPOCH};

use tessera_sdk::ConnectorError;
use tessera_sdk::host::http::{self, Header, Method, Request};
use tessera_sdk::host::xml::{self, BuildEvent, Document, Qname, SoapVersion};

/// Builds the body of a message as a flat event list in the message namespace.
pub struct Body<'a> {
    namespace: &'a str,
    pub events: Vec<BuildEvent>,
}

impl<'a> Body<'a> {
    pub fn new(namespace: &'a str) -> Self {
        Self {
            namespace,
            events: Vec::new(),
        }
    }

    pub fn open(&mut self, name: &str) {
        let qname = Qname {
            namespace: self.namespace.to_owned(),
            local: name.to_owned(),
        };
        self.events.push(BuildEvent::Start((qname, Vec::new())));
    }

    pub fn close(&mut self) {
        self.events.push(BuildEvent::End);
    }

    /// `<name>text</name>`.
    pub fn field(&mut self, name: &str, text: &str) {
        self.open(name);
        if !text.is_empty() {
            self.events.push(BuildEvent::Text(text.to_owned()));
        }
        self.close();
    }
}

/// A ControlId: a random GUID and the time, unique per request as HiX demands. The standard
/// library's hasher keys come from the host's random source, so no extra crate is needed.
fn control_id() -> String {
    let random = || RandomState::new().hash_one(0u8);
    let (a, b) = (random(), random());
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}-{millis}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        (b >> 48) & 0x3fff | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// Sends `body` (the message element and its content) and returns the parsed answer.
pub fn call(
    base_url: &str,
    namespace: &str,
    message: &str,
    body: Body<'_>,
) -> Result<Document, ConnectorError> {
    let id = control_id();
    let mut header = Body::new(namespace);
    header.field("ControlId", &id);
    let text = xml::soap_envelope(SoapVersion::Soap11, &header.events, &body.events)?;
    let request = Request {
        method: Method::Post,
        url: format!("{base_url}/{message}"),
        headers: vec![
            Header {
                name: "content-type".into(),
                value: "text/xml; charset=utf-8".into(),
            },
            Header {
                name: "soapaction".into(),
                value: format!("\"{message}\""),
            },
        ],
        body: Some(text.into_bytes()),
        timeout_ms: None,
    };
    let response = http::send(&request)?;
    let text = String::from_utf8_lossy(&response.body);
    if response.status >= 500 && !text.contains("Fault") {
        return Err(ConnectorError::unavailable(
            format!("HiX answered {message} with HTTP {}", response.status),
            None,
        ));
    }
    let doc = Document::parse(&text, &[])?;
    if let Some(fault) = doc.select("/Envelope/Body/Fault")?.first() {
        return Err(fault_error(message, fault)?);
    }
    if response.status != 200 {
        return Err(ConnectorError::Other(format!(
            "HiX answered {message} with HTTP {}",
            response.status
        )));
    }
    let echoed = doc.text("/Envelope/Header/ControlId")?.unwrap_or_default();
    if echoed.trim() != id {
        // The answer is not for this request, so whether the change landed is unknown.
        return Err(ConnectorError::OutcomeUnknown(format!(
            "HiX echoed ControlId `{echoed}` to {message}, expected `{id}`"
        )));
    }
    Ok(doc)
}

/// A SOAP fault as a typed error: the detail names the fault code and the field.
fn fault_error(
    message: &str,
    fault: &tessera_sdk::host::xml::Element,
) -> Result<ConnectorError, ConnectorError> {
    let text = |path: &str| -> Result<String, ConnectorError> {
        Ok(fault
            .select(path)?
            .first()
            .map(|e| e.text().trim().to_owned())
            .unwrap_or_default())
    };
    let reason = format!("HiX refused {message}: {}", text("faultstring")?);
    Ok(match text("detail/foutcode")?.as_str() {
        "VELD" => ConnectorError::invalid(text("detail/veld")?, reason),
        "BESTAAT" => ConnectorError::AlreadyExists(reason),
        "ONBEKEND" => ConnectorError::NotFound(reason),
        _ => ConnectorError::Other(reason),
    })
}
