//! The host's XML parser on any text a remote server could send, then the queries a plugin
//! could run over what it built: no input may panic, hang or grow past the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_xml::{Document, Limits};

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
    let _ = doc.select_texts(None, "//*", &["@id", "x", "y/z"]);
});
