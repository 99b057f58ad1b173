//! Parses a ~5 MiB SOAP response with `Document`, scans it without a tree (`scan_texts`), and
//! runs a bare quick-xml event loop that extracts the same fields; prints the median times.
//! Figures only, no assertions: timing on a shared machine is too noisy to gate on.

use std::hint::black_box;
use std::time::{Duration, Instant};

use quick_xml::Reader;
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::Event;
use tessera_xml::{Document, Limits, SOAP11_NAMESPACE, scan_texts};

const RECORDS: usize = 15_000;
const RUNS: usize = 15;
const FIELDS: [&str; 10] = [
    "id",
    "voornaam",
    "achternaam",
    "email",
    "afdeling",
    "functie",
    "telefoon",
    "startdatum",
    "einddatum",
    "status",
];

fn main() {
    let xml = soap_response();
    println!(
        "input: {} records, {:.2} MiB",
        RECORDS,
        xml.len() as f64 / 1048576.0
    );
    let namespaces = [("s".to_owned(), SOAP11_NAMESPACE.to_owned())];
    let limits = Limits::default();

    report("Document::parse only", || {
        let doc = Document::parse(&xml, &namespaces, &limits).expect("parses");
        doc.len()
    });
    report("Document::parse + select + text_from per field", || {
        let doc = Document::parse(&xml, &namespaces, &limits).expect("parses");
        with_paths(&doc)
    });
    report("Document::parse + select + children()", || {
        let doc = Document::parse(&xml, &namespaces, &limits).expect("parses");
        with_children(&doc)
    });
    report("Document::parse + select_texts", || {
        let doc = Document::parse(&xml, &namespaces, &limits).expect("parses");
        let rows = doc
            .select_texts(None, "/s:Envelope/s:Body/*/gebruiker", &FIELDS, usize::MAX)
            .expect("paths");
        cells(&rows)
    });
    report("scan_texts (one pass, no tree)", || {
        let rows = scan_texts(
            &xml,
            &namespaces,
            &limits,
            "/s:Envelope/s:Body/*/gebruiker",
            &FIELDS,
            usize::MAX,
        )
        .expect("scans");
        cells(&rows)
    });
    report("quick-xml Reader event loop", || event_loop(&xml));
}

fn report(label: &str, mut run: impl FnMut() -> usize) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            black_box(run());
            started.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<50} median {:>7.2} ms  (min {:.2}, max {:.2}, {RUNS} runs)",
        ms(times[RUNS / 2]),
        ms(times[0]),
        ms(times[RUNS - 1])
    );
}

fn cells(rows: &[Vec<Option<String>>]) -> usize {
    rows.iter().flatten().flatten().map(String::len).sum()
}

/// What a plugin would write: one path per field.
fn with_paths(doc: &Document) -> usize {
    let records = doc.select("/s:Envelope/s:Body/*/gebruiker").expect("path");
    let mut total = 0;
    for record in records {
        for field in FIELDS {
            let value = doc
                .text_from(record, field)
                .expect("path")
                .unwrap_or_default();
            total += value.len();
        }
    }
    total
}

fn with_children(doc: &Document) -> usize {
    let records = doc.select("/s:Envelope/s:Body/*/gebruiker").expect("path");
    let mut total = 0;
    for record in records {
        let fields: Vec<(&str, String)> = doc
            .children(record)
            .map(|f| (doc.name(f).local.as_str(), doc.text(f)))
            .collect();
        total += fields.iter().map(|(_, v)| v.len()).sum::<usize>();
    }
    total
}

/// The same extraction straight on quick-xml: records as vectors of field values.
fn event_loop(xml: &str) -> usize {
    let mut reader = Reader::from_str(xml);
    let mut records: Vec<Vec<String>> = Vec::with_capacity(RECORDS);
    let mut current: Option<Vec<String>> = None;
    let mut field: Option<usize> = None;
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Start(e) => {
                let local = e.local_name();
                if local.as_ref() == "gebruiker" {
                    current = Some(vec![String::new(); FIELDS.len()]);
                } else if current.is_some() {
                    field = FIELDS.iter().position(|f| *f == local.as_ref());
                }
            }
            Event::Text(t) => append(&mut current, field, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let value = resolve_xml_entity(&r).unwrap_or_default();
                append(&mut current, field, value);
            }
            Event::End(e) => {
                if e.local_name().as_ref() == "gebruiker" {
                    records.extend(current.take());
                }
                field = None;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    records.iter().flatten().map(String::len).sum()
}

fn append(record: &mut Option<Vec<String>>, field: Option<usize>, text: &str) {
    if let (Some(record), Some(i)) = (record.as_mut(), field) {
        record[i].push_str(text);
    }
}

fn soap_response() -> String {
    let mut xml = String::with_capacity(6 << 20);
    xml.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n",
        "  <soap:Body>\n    <GetGebruikersResponse xmlns=\"urn:elanza:gebruikers\">\n"
    ));
    for i in 0..RECORDS {
        xml.push_str(" <gebruiker>\n");
        let values = [
            format!("{i:06}"),
            format!("Voornaam{i}"),
            format!("Achternaam{i}"),
            format!("g{i}@zkh.example"),
            "IC &amp; CCU".to_owned(),
            "Verpleegkundige".to_owned(),
            format!("020-555{:04}", i % 10_000),
            "2019-03-01".to_owned(),
            "9999-12-31".to_owned(),
            "actief".to_owned(),
        ];
        for (field, value) in FIELDS.iter().zip(values) {
            xml.push_str(&format!("  <{field}>{value}</{field}>\n"));
        }
        xml.push_str(" </gebruiker>\n");
    }
    xml.push_str("    </GetGebruikersResponse>\n  </soap:Body>\n</soap:Envelope>\n");
    xml
}
