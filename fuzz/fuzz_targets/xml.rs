//! The host's XML parser on any text a remote server could send, then the queries a plugin
//! could run over what it built: no input may panic, hang or grow past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_xml::{Document, Limits, scan_texts};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits {
        max_bytes: 1 << 20,
        max_nodes: 50_000,
        ..Limits::default()
    };
    let namespaces = [(
        "s".to_owned(),
        "http://schemas.xmlsoap.org/soap/envelope/".to_owned(),
    )];
    let Ok(doc) = Document::parse(text, &namespaces, &limits) else {
        return;
    };
    assert!(doc.len() <= limits.max_nodes);
    let _ = doc.heap_bytes();
    for path in ["//*", "/s:Envelope/s:Body//*", "*/*", "a/b/@c"] {
        if let Ok(nodes) = doc.select(path) {
            for node in nodes.into_iter().take(64) {
                let _ = doc.text(node);
                let _ = doc.attributes(node);
                let _ = doc.select_from(node, "*");
            }
        }
    }
    // The one-pass scan must give exactly the table the document gives, error for error.
    let fields = ["x", "y/z", ".//x", "*[2]"];
    let table = 1 << 22;
    let from_doc = doc.select_texts(None, "//*", &fields, table);
    let scanned = scan_texts(text, &namespaces, &limits, "//*", &fields, table);
    match (from_doc, scanned) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("document {a:?} but scan {b:?}"),
    }
});
