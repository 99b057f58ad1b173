use super::{malformed, parse};

#[test]
fn unclosed_elements_at_end_of_input() {
    let (message, line, column) = malformed("<a>\n  <b>\n    <c>text");
    assert!(message.contains("`c` is not closed"), "{message}");
    // Line 3 is `    <c>text`: the end of input is just after its 11th character.
    assert_eq!((line, column), (3, 12));
}

#[test]
fn mismatched_end_tag_points_at_the_end_tag() {
    let (message, line, column) = malformed("<a>\n  <b>\n  </a>\n</b>");
    assert!(message.contains("expected `</b>`"), "{message}");
    assert_eq!((line, column), (3, 3));
}

#[test]
fn columns_count_characters_not_bytes() {
    let (_, line, column) = malformed("<a>\nééé</b>");
    assert_eq!((line, column), (2, 4));
}

#[test]
fn tag_cut_off_mid_attribute() {
    let (message, line, column) = malformed("<a>\n  <b attr=\"x");
    assert!(message.contains("attribute value not closed"), "{message}");
    assert_eq!((line, column), (2, 3));
}

#[test]
fn garbage_and_structural_errors() {
    let (message, line, column) = malformed("hello");
    assert!(message.contains("text outside the root"), "{message}");
    assert_eq!((line, column), (1, 1));

    let (message, line, column) = malformed("<a/>\n<b/>");
    assert!(message.contains("more than one root"), "{message}");
    assert_eq!((line, column), (2, 1));

    let (message, _, _) = malformed("");
    assert!(message.contains("no root element"), "{message}");

    let (message, line, _) = malformed("<a>\n</a>\n</a>");
    assert!(message.contains("does not match any open tag"), "{message}");
    assert_eq!(line, 3);

    let (message, _, _) = malformed("<a>&amp</a>");
    assert!(message.contains("not closed"), "{message}");

    let (message, _, _) = malformed("<a x='1' x='2'/>");
    assert!(message.contains("duplicated attribute"), "{message}");
    // Past a handful of attributes, quick-xml checks by hash.
    let many: String = (0..12).map(|i| format!(" a{i}='{i}'")).collect();
    let (message, _, _) = malformed(&format!("<a{many} a3='again'/>"));
    assert!(message.contains("duplicated attribute"), "{message}");
    assert!(
        parse(&format!("<a{many}/>"))
            .attributes(crate::NodeId(0))
            .len()
            == 12
    );
}

#[test]
fn undeclared_prefixes_are_malformed() {
    let (message, line, column) = malformed("<a>\n  <x:b/></a>");
    assert!(
        message.contains("undeclared namespace prefix `x`"),
        "{message}"
    );
    assert_eq!((line, column), (2, 3));

    let (message, _, _) = malformed("<a y:attr='1'/>");
    assert!(message.contains("`y`"), "{message}");
}

#[test]
fn prefixes_are_scoped_to_their_element() {
    let (message, _, _) = malformed("<a><p:b xmlns:p='urn:p'/><p:c/></a>");
    assert!(message.contains("`p`"), "{message}");
    let doc = parse("<a xmlns='urn:d'><b xmlns=''/><c/></a>");
    let namespaces: Vec<&str> = doc
        .children(doc.root())
        .map(|n| doc.name(n).namespace.as_str())
        .collect();
    assert_eq!(namespaces, ["", "urn:d"]);
}

#[test]
fn declaration_comments_and_processing_instructions_are_skipped() {
    let doc = parse(
        "<?xml version='1.0'?>\n<!-- c --><?pi x?>\n<a><!-- in -->x<?pi?>y</a>\n<!-- after -->\n",
    );
    assert_eq!(doc.text(doc.root()), "xy");
}

#[test]
fn same_local_name_in_many_namespaces_stays_distinct() {
    let children: String = (0..20_000)
        .map(|i| format!("<x xmlns='urn:{i}'/>"))
        .collect();
    let doc = parse(&format!("<a>{children}<x/></a>"));
    let xs: Vec<_> = doc.children(doc.root()).collect();
    assert_eq!(xs.len(), 20_001);
    assert_eq!(doc.name(xs[0]).namespace, "urn:0");
    assert_eq!(doc.name(xs[19_999]).namespace, "urn:19999");
    assert_eq!(doc.name(xs[20_000]).namespace, "");
    assert_eq!(doc.select("/a/x[20001]").expect("path"), [xs[20_000]]);
}
