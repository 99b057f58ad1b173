use super::{SOAP_RESPONSE, USERS_NS, XSI_NS, bindings, parse, texts};
use crate::{Document, Error, Limits, QName, SOAP11_NAMESPACE};

#[test]
fn namespaced_path_through_soap_11_envelope() {
    let doc = parse(SOAP_RESPONSE);
    let users = doc
        .select("/s:Envelope/s:Body/u:GetUsersResponse/u:gebruiker")
        .expect("path");
    assert_eq!(users.len(), 2);
    assert_eq!(doc.name(users[0]), &QName::new(USERS_NS, "gebruiker"));
    assert_eq!(
        doc.name(doc.root()),
        &QName::new(SOAP11_NAMESPACE, "Envelope")
    );
}

#[test]
fn prefixed_step_requires_the_bound_namespace() {
    let doc = parse(SOAP_RESPONSE);
    // `gebruiker` is in urn:elanza:users, not in the envelope namespace.
    assert!(
        doc.select("/s:Envelope/s:Body/*/s:gebruiker")
            .expect("path")
            .is_empty()
    );
    // The text's own `soap` prefix means nothing to paths.
    let err = doc
        .select("/soap:Envelope")
        .expect_err("unbound path prefix");
    assert!(
        matches!(err, Error::Invalid(ref m) if m.contains("unknown prefix `soap`")),
        "{err}"
    );
}

#[test]
fn unprefixed_steps_match_any_namespace() {
    let doc = parse(SOAP_RESPONSE);
    let names = texts(&doc, "/Envelope/Body/GetUsersResponse/gebruiker/naam");
    assert_eq!(names, ["Jansen & Zn", "<De Vries>"]);
}

#[test]
fn star_matches_any_element() {
    let doc = parse(SOAP_RESPONSE);
    let children = doc.select("/*/*").expect("path");
    let locals: Vec<&str> = children
        .iter()
        .map(|&n| doc.name(n).local.as_str())
        .collect();
    assert_eq!(locals, ["Header", "Body"]);
    assert_eq!(doc.select("/s:Envelope/s:Body/*/*").expect("path").len(), 2);
    assert_eq!(doc.select("/*/u:*").expect("path").len(), 0);
    assert_eq!(doc.select("/*/*/u:*").expect("path").len(), 1);
}

#[test]
fn position_picks_the_nth_match_under_each_parent() {
    let doc = parse(SOAP_RESPONSE);
    assert_eq!(texts(&doc, "/*/s:Body/*/gebruiker[2]/naam"), ["<De Vries>"]);
    assert_eq!(
        texts(&doc, "/*/s:Body/*/gebruiker[1]/email"),
        ["j@example.org"]
    );
    assert!(
        doc.select("/*/s:Body/*/gebruiker[3]")
            .expect("path")
            .is_empty()
    );
    // `[n]` counts per parent: each gebruiker has its own first `naam`.
    assert_eq!(texts(&doc, "//gebruiker/naam[1]").len(), 2);
    // ...and counts only the elements the step matches, not all children.
    assert_eq!(texts(&doc, "//gebruiker[2]/*[3]/naam"), ["Artsen"]);
}

#[test]
fn double_slash_searches_all_descendants_in_document_order() {
    let doc = parse(SOAP_RESPONSE);
    assert_eq!(
        texts(&doc, "//naam"),
        ["Jansen & Zn", "<De Vries>", "Artsen"]
    );
    assert_eq!(texts(&doc, "//gebruiker/naam").len(), 2);
    assert_eq!(texts(&doc, "/s:Envelope//groep//naam"), ["Artsen"]);
    // Nested contexts must not produce duplicates.
    assert_eq!(doc.select("//*//naam").expect("path").len(), 3);
    assert_eq!(doc.select("//s:Envelope").expect("path"), [doc.root()]);
}

#[test]
fn relative_paths_start_at_the_node() {
    let doc = parse(SOAP_RESPONSE);
    let users = doc.select("//gebruiker").expect("path");
    let second = users[1];
    assert_eq!(
        doc.text_from(second, "groep/naam")
            .expect("path")
            .as_deref(),
        Some("Artsen")
    );
    assert_eq!(doc.select_from(second, ".").expect("path"), [second]);
    assert_eq!(doc.select_from(second, ".//naam").expect("path").len(), 2);
    assert_eq!(doc.select_from(second, "naam").expect("path").len(), 1);
    // A leading `/` still means the document.
    assert_eq!(
        doc.select_from(second, "/s:Envelope").expect("path"),
        [doc.root()]
    );
}

#[test]
fn text_at_returns_first_match_or_none() {
    let doc = parse(SOAP_RESPONSE);
    assert_eq!(
        doc.text_at("//email").expect("path").as_deref(),
        Some("j@example.org")
    );
    assert_eq!(doc.text_at("//telefoon").expect("path"), None);
    assert_eq!(
        doc.text_at("/s:Envelope/s:Header/*")
            .expect("path")
            .as_deref(),
        Some("abc")
    );
}

#[test]
fn bad_paths_are_invalid() {
    let doc = parse(SOAP_RESPONSE);
    for path in [
        "", "/", "a//", "a///b", "a[0]", "a[x]", "a]", "x:y", "a b", "1a", "//.", ".[1]",
    ] {
        let result = doc.select(path);
        assert!(
            matches!(result, Err(Error::Invalid(_))),
            "{path:?} gave {result:?}"
        );
    }
}

#[test]
fn foreign_node_ids_are_invalid_not_a_panic() {
    let big = parse(SOAP_RESPONSE);
    let small = parse("<a/>");
    let last = *big.select("//naam").expect("path").last().expect("a naam");
    assert!(matches!(
        small.select_from(last, "x"),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn attributes_with_and_without_namespace() {
    let doc = parse(SOAP_RESPONSE);
    let first = doc.select("//gebruiker[1]").expect("path")[0];
    assert_eq!(doc.attribute(first, &QName::local("id")), Some("1"));
    assert_eq!(
        doc.attribute(first, &QName::new(XSI_NS, "type")),
        Some("Medewerker")
    );
    // Unprefixed attributes are in no namespace, even under a default namespace.
    assert_eq!(doc.attribute(first, &QName::new(USERS_NS, "id")), None);
    assert_eq!(doc.attribute(first, &QName::local("type")), None);
    assert_eq!(doc.attributes(first).len(), 2);
    // The envelope carries only xmlns declarations, which are not attributes.
    assert!(doc.attributes(doc.root()).is_empty());
    let response = doc.select("//GetUsersResponse").expect("path")[0];
    assert!(doc.attributes(response).is_empty());
}

#[test]
fn attribute_values_are_decoded_and_normalized() {
    let doc = parse("<a v=\"x &lt; y &amp; &#65;&#x20AC; &quot;q&apos;\" w='tab\there'/>");
    assert_eq!(
        doc.attribute(doc.root(), &QName::local("v")),
        Some("x < y & A€ \"q'")
    );
    assert_eq!(
        doc.attribute(doc.root(), &QName::local("w")),
        Some("tab here")
    );
}

#[test]
fn text_decodes_entities_and_includes_cdata_and_descendants() {
    let doc = parse("<a>1 &lt;&gt;&amp;&apos;&quot; &#233;&#x20AC;<b><![CDATA[<&>]]></b>\r\n2</a>");
    assert_eq!(doc.text(doc.root()), "1 <>&'\" é€<&>\n2");
    assert_eq!(doc.text_at("/a/b").expect("path").as_deref(), Some("<&>"));
    let empty = parse("<a><b/></a>");
    assert_eq!(empty.text(empty.root()), "");
}

#[test]
fn children_iterates_elements_only() {
    let doc = parse("<a>x<b/>y<c><d/></c></a>");
    let names: Vec<&str> = doc
        .children(doc.root())
        .map(|n| doc.name(n).local.as_str())
        .collect();
    assert_eq!(names, ["b", "c"]);
    assert_eq!(doc.len(), 4);
}

#[test]
fn document_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    let doc = Document::parse("<a/>", &bindings(), &Limits::default()).expect("parses");
    assert_send_sync(&doc);
    assert_eq!(doc.name(doc.root()).local, "a");
}

#[test]
fn invalid_binding_prefix_is_rejected() {
    let bad = vec![("not a prefix".to_owned(), "urn:x".to_owned())];
    let result = Document::parse("<a/>", &bad, &Limits::default());
    assert!(matches!(result, Err(Error::Invalid(_))));
}

#[test]
fn select_texts_reads_a_table_of_fields_in_one_pass() {
    let doc = parse(SOAP_RESPONSE);
    let rows = doc
        .select_texts(
            None,
            "/s:Envelope/s:Body/*/gebruiker",
            &["naam", "email", "groep/naam", "."],
            usize::MAX,
        )
        .expect("paths");
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0][..3],
        [some("Jansen & Zn"), some("j@example.org"), None]
    );
    assert_eq!(
        rows[1][..3],
        [some("<De Vries>"), some("v@example.org"), some("Artsen")]
    );
    assert_eq!(
        rows[1][3],
        some(&doc.text(doc.select("//gebruiker[2]").expect("path")[0]))
    );
}

#[test]
fn select_texts_from_an_element_and_with_bad_paths() {
    let doc = parse(SOAP_RESPONSE);
    let second = doc.select("//gebruiker[2]").expect("path")[0];
    let rows = doc
        .select_texts(Some(second), "groep", &["naam"], usize::MAX)
        .expect("paths");
    assert_eq!(rows, [[Some("Artsen".to_owned())]]);
    assert!(
        doc.select_texts(None, "//nothing", &["naam"], usize::MAX)
            .expect("paths")
            .is_empty()
    );
    let err = doc
        .select_texts(None, "//gebruiker", &["naam", "x:naam"], usize::MAX)
        .expect_err("unbound prefix in a field");
    assert!(
        matches!(err, Error::Invalid(ref m) if m.contains("unknown prefix `x`")),
        "{err}"
    );
}
