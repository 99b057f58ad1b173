use super::{XSI_NS, parse};
use crate::{
    Attribute, Document, Error, Event, Limits, NodeId, QName, SOAP11_NAMESPACE, SOAP12_NAMESPACE,
    SoapVersion, serialize, soap_envelope,
};

const TRICKY: &str = "a<b>&c\"d'e ]]> é € 😀";

fn start(namespace: &str, local: &str, attributes: Vec<Attribute>) -> Event {
    Event::Start(QName::new(namespace, local), attributes)
}

fn text(t: &str) -> Event {
    Event::Text(t.to_owned())
}

fn sample() -> Vec<Event> {
    vec![
        start(
            "urn:one",
            "root",
            vec![Attribute::new(QName::local("plain"), TRICKY)],
        ),
        start(
            "",
            "child",
            vec![Attribute::new(QName::new(XSI_NS, "type"), "x\ty\nz\r")],
        ),
        text(TRICKY),
        Event::End,
        start(
            "urn:two",
            "other",
            vec![Attribute::new(QName::new("urn:one", "n"), "1")],
        ),
        text("line1\r\nline2"),
        Event::End,
        start("urn:one", "empty", Vec::new()),
        Event::End,
        Event::End,
    ]
}

fn invalid(result: Result<String, Error>) -> String {
    match result {
        Err(Error::Invalid(message)) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn round_trip_keeps_names_attributes_and_text() {
    let xml = serialize(&sample()).expect("serializes");
    let doc = Document::parse(&xml, &[], &Limits::default()).expect("parses back");
    let root = doc.root();
    assert_eq!(doc.name(root), &QName::new("urn:one", "root"));
    assert_eq!(
        doc.attributes(root),
        [Attribute::new(QName::local("plain"), TRICKY)]
    );
    let kids: Vec<NodeId> = doc.children(root).collect();
    assert_eq!(kids.len(), 3);
    assert_eq!(doc.name(kids[0]), &QName::local("child"));
    assert_eq!(doc.text(kids[0]), TRICKY);
    assert_eq!(
        doc.attribute(kids[0], &QName::new(XSI_NS, "type")),
        Some("x\ty\nz\r")
    );
    assert_eq!(doc.name(kids[1]), &QName::new("urn:two", "other"));
    assert_eq!(
        doc.attribute(kids[1], &QName::new("urn:one", "n")),
        Some("1")
    );
    assert_eq!(doc.text(kids[1]), "line1\r\nline2");
    assert_eq!(doc.name(kids[2]), &QName::new("urn:one", "empty"));
}

#[test]
fn output_escapes_and_declares_prefixes() {
    let xml = serialize(&sample()).expect("serializes");
    assert!(xml.starts_with(
        "<ns1:root xmlns:ns1=\"urn:one\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:ns2=\"urn:two\" plain=\"a&lt;b&gt;&amp;c&quot;d&apos;e ]]&gt; é € 😀\">"
    ), "{xml}");
    assert!(
        xml.contains("<child xsi:type=\"x&#9;y&#10;z&#13;\">a&lt;b&gt;&amp;c\"d'e ]]&gt;"),
        "{xml}"
    );
    assert!(xml.contains("<ns1:empty/>"), "{xml}");
    assert!(xml.ends_with("</ns1:root>"), "{xml}");
    assert!(!xml.starts_with("<?xml"));
}

#[test]
fn unbalanced_events_are_invalid() {
    let a = || start("", "a", Vec::new());
    assert!(invalid(serialize(&[])).contains("no root"));
    assert!(invalid(serialize(&[a()])).contains("not ended"));
    assert!(invalid(serialize(&[Event::End])).contains("end without a start"));
    assert!(invalid(serialize(&[a(), Event::End, Event::End])).contains("end without"));
    assert!(invalid(serialize(&[a(), Event::End, a(), Event::End])).contains("second root"));
    assert!(invalid(serialize(&[text("x"), a(), Event::End])).contains("text outside"));
}

#[test]
fn bad_names_and_characters_are_invalid() {
    let with_attr = |a: Attribute| vec![start("", "a", vec![a]), Event::End];
    assert!(invalid(serialize(&[start("", "1a", Vec::new()), Event::End])).contains("1a"));
    assert!(invalid(serialize(&[start("", "a:b", Vec::new()), Event::End])).contains("a:b"));
    let xmlns = Attribute::new(QName::local("xmlns"), "urn:x");
    assert!(invalid(serialize(&with_attr(xmlns))).contains("xmlns"));
    let reserved = QName::new("http://www.w3.org/2000/xmlns/", "p");
    assert!(invalid(serialize(&with_attr(Attribute::new(reserved, "u")))).contains("reserved"));
    let control = vec![start("", "a", Vec::new()), text("bell\u{7}"), Event::End];
    assert!(invalid(serialize(&control)).contains("U+0007"));
    let twice = vec![
        start(
            "",
            "a",
            vec![
                Attribute::new(QName::local("x"), "1"),
                Attribute::new(QName::local("x"), "2"),
            ],
        ),
        Event::End,
    ];
    assert!(invalid(serialize(&twice)).contains("twice"));
}

#[test]
fn xml_namespace_uses_the_reserved_prefix() {
    let lang = QName::new("http://www.w3.org/XML/1998/namespace", "lang");
    let events = [
        start("", "a", vec![Attribute::new(lang.clone(), "nl")]),
        Event::End,
    ];
    let xml = serialize(&events).expect("serializes");
    assert_eq!(xml, "<a xml:lang=\"nl\"/>");
    let doc = parse(&xml);
    assert_eq!(doc.attribute(doc.root(), &lang), Some("nl"));
}

fn envelope_children(xml: &str, namespace: &str) -> Vec<String> {
    let doc = Document::parse(xml, &[], &Limits::default()).expect("envelope parses");
    assert_eq!(doc.name(doc.root()), &QName::new(namespace, "Envelope"));
    doc.children(doc.root())
        .map(|n| doc.name(n).local.clone())
        .collect()
}

#[test]
fn soap_11_envelope() {
    let header = [start("urn:h", "Token", Vec::new()), text("t"), Event::End];
    let body = [
        start("urn:b", "First", Vec::new()),
        Event::End,
        start("urn:b", "Second", Vec::new()),
        text("2"),
        Event::End,
    ];
    let xml = soap_envelope(SoapVersion::Soap11, &header, &body).expect("builds");
    assert!(
        xml.starts_with("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""),
        "{xml}"
    );
    assert_eq!(
        envelope_children(&xml, SOAP11_NAMESPACE),
        ["Header", "Body"]
    );
    let doc = Document::parse(
        &xml,
        &[("s".into(), SOAP11_NAMESPACE.into())],
        &Limits::default(),
    )
    .expect("parses");
    assert_eq!(doc.select("/s:Envelope/s:Body/*").expect("path").len(), 2);
    assert_eq!(
        doc.text_at("/s:Envelope/s:Header/Token")
            .expect("path")
            .as_deref(),
        Some("t")
    );
}

#[test]
fn soap_12_envelope_without_header() {
    let body = [start("urn:b", "Ping", Vec::new()), Event::End];
    let xml = soap_envelope(SoapVersion::Soap12, &[], &body).expect("builds");
    assert_eq!(envelope_children(&xml, SOAP12_NAMESPACE), ["Body"]);
    assert!(
        xml.contains("xmlns:soap12=\"http://www.w3.org/2003/05/soap-envelope\""),
        "{xml}"
    );
    let empty = soap_envelope(SoapVersion::Soap12, &[], &[]).expect("builds");
    assert_eq!(envelope_children(&empty, SOAP12_NAMESPACE), ["Body"]);
}

#[test]
fn envelope_parts_must_balance_on_their_own() {
    let a = || start("", "a", Vec::new());
    // Balanced overall, but would close Body from inside the body events.
    let body = [Event::End, a()];
    assert!(invalid(soap_envelope(SoapVersion::Soap11, &[], &body)).contains("body"));
    let header = [a()];
    assert!(invalid(soap_envelope(SoapVersion::Soap11, &header, &[])).contains("header"));
    let loose = [text("x")];
    assert!(invalid(soap_envelope(SoapVersion::Soap11, &[], &loose)).contains("text outside"));
}
