use super::{malformed, parse, parse_err};
use crate::{Document, Error, Limits};

fn too_large(text: &str, limits: &Limits) -> String {
    match parse_err(text, limits) {
        Error::TooLarge(message) => message,
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn billion_laughs_is_rejected_at_the_doctype() {
    let text = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol4;</lolz>"#;
    let (message, line, column) = malformed(text);
    assert_eq!(message, "DOCTYPE is not allowed");
    assert_eq!((line, column), (2, 1));
}

#[test]
fn external_entity_is_rejected() {
    let text = "<!DOCTYPE foo [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n<foo>&xxe;</foo>";
    let (message, _, _) = malformed(text);
    assert_eq!(message, "DOCTYPE is not allowed");
    let (message, _, _) = malformed("<!DOCTYPE foo SYSTEM \"http://evil.example/x.dtd\"><foo/>");
    assert_eq!(message, "DOCTYPE is not allowed");
    for broken in [
        "<!DOCTYPE foo [ <!ENTITY x 'y'>",
        "<!DOCTYPE><a/>",
        "<a/><!DOCTYPE a>",
    ] {
        let (message, _, _) = malformed(broken);
        assert_eq!(message, "DOCTYPE is not allowed", "{broken}");
    }
}

#[test]
fn unknown_entities_are_named() {
    let (message, line, column) = malformed("<a>\n x &xxe; y</a>");
    assert!(message.contains("&xxe;"), "{message}");
    assert_eq!((line, column), (2, 4));
    let (message, _, _) = malformed("<a b='&nbsp;'/>");
    assert!(message.contains("nbsp"), "{message}");
}

#[test]
fn deep_nesting_fails_fast() {
    let depth = 10_000;
    let text = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let started = std::time::Instant::now();
    let message = too_large(&text, &Limits::default());
    assert!(message.contains("max_depth = 256"), "{message}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn depth_limit_is_inclusive() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert!(crate::Document::parse("<a><b><c/></b></a>", &[], &limits).is_ok());
    let message = too_large("<a><b><c><d/></c></b></a>", &limits);
    assert!(message.contains("max_depth = 3"), "{message}");
}

#[test]
fn attribute_count_limit() {
    let limits = Limits {
        max_attributes: 2,
        ..Limits::default()
    };
    assert!(crate::Document::parse("<a x='1' y='2'/>", &[], &limits).is_ok());
    let message = too_large("<a x='1' y='2' z='3'/>", &limits);
    assert!(message.contains("max_attributes = 2"), "{message}");
    // A huge tag stops at the limit instead of being scanned whole.
    let many: String = (0..100_000).map(|i| format!(" a{i}='v'")).collect();
    let message = too_large(&format!("<a{many}/>"), &Limits::default());
    assert!(message.contains("max_attributes = 256"), "{message}");
}

#[test]
fn size_limit_is_checked_before_parsing() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    // Not even well-formed: the size check must come first.
    let message = too_large("<a>0123456789", &limits);
    assert!(message.contains("max_bytes = 10"), "{message}");
    assert!(crate::Document::parse("<a>01</a>", &[], &limits).is_ok());
}

#[test]
fn node_count_limit() {
    let limits = Limits {
        max_nodes: 3,
        ..Limits::default()
    };
    assert_eq!(parse("<a><b/><c/></a>").len(), 3);
    assert!(crate::Document::parse("<a><b/><c/></a>", &[], &limits).is_ok());
    let message = too_large("<a><b/><c/><d/></a>", &limits);
    assert!(message.contains("max_nodes = 3"), "{message}");
}

/// A host charges a document by `heap_bytes`; it must grow with what the document holds.
#[test]
fn heap_bytes_counts_elements_text_and_attributes() {
    let limits = Limits::default();
    let small = Document::parse("<r/>", &[], &limits).expect("parses");
    let many = format!("<r>{}</r>", "<a/>".repeat(10_000));
    let big = Document::parse(&many, &[], &limits).expect("parses");
    assert!(big.heap_bytes() >= 10_001 * Document::BYTES_PER_ELEMENT);
    let text = format!("<r a=\"{}\">{}</r>", "v".repeat(5_000), "t".repeat(20_000));
    let texty = Document::parse(&text, &[], &limits).expect("parses");
    assert!(texty.heap_bytes() >= 25_000, "{}", texty.heap_bytes());
    assert!(small.heap_bytes() < texty.heap_bytes());
}
