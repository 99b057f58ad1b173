use super::{SOAP_RESPONSE, bindings, parse};
use crate::{Document, Error, Limits, PackedTable, scan_texts, table_bytes};

/// Rows in which elements share names at several depths, rows nest in rows, and fields
/// repeat, so positions, `//` and first matches all have something to get wrong.
const NESTED: &str = "<a><a><b>1</b><c><b>x</b></c><a><b>2</b><b>3</b></a></a><b>4</b><a/><c><a><b>5</b></a></c></a>";

const ROWS: &[&str] = &[
    "/s:Envelope/s:Body/*/gebruiker",
    "/s:Envelope/s:Body/u:GetUsersResponse/u:gebruiker",
    "//gebruiker",
    "//gebruiker[2]",
    "//naam",
    "//naam[1]",
    "/s:Envelope/s:Body//naam",
    "//*",
    "/*/*",
    "*",
    "*/*[2]",
    "//u:*",
    "/Envelope/Body//*[1]",
    ".",
    "./*/s:Body",
    "//a",
    "//a[1]",
    "//a//b",
    "//a/b[2]",
    "a/a",
    "/a/a/a/b",
    "//c//a",
    "//nothing",
];

const FIELDS: &[&str] = &[
    ".",
    "naam",
    "email",
    "groep/naam",
    ".//naam",
    "*",
    "*[2]",
    "b",
    "b[2]",
    ".//b",
    "./b/.",
    "a/b",
    "c//b",
    "u:naam",
    "x",
];

#[test]
fn a_scan_gives_the_table_a_document_gives() {
    for text in [SOAP_RESPONSE, NESTED] {
        let doc = parse(text);
        for row in ROWS {
            let from_doc = doc
                .select_texts(None, row, FIELDS, usize::MAX)
                .expect("paths");
            let scanned = scan_texts(
                text,
                &bindings(),
                &Limits::default(),
                row,
                FIELDS,
                usize::MAX,
            )
            .expect("scans");
            assert_eq!(scanned, from_doc, "rows `{row}` over {text:.40}");
        }
    }
}

#[test]
fn a_scan_reads_fields_relative_to_the_row_only() {
    let err = scan_texts(
        NESTED,
        &[],
        &Limits::default(),
        "//a",
        &["b", "/a/b"],
        usize::MAX,
    )
    .expect_err("an absolute field");
    assert!(
        matches!(err, Error::Invalid(ref m) if m.contains("`/a/b` starts at the document")),
        "{err}"
    );
    let long = vec!["x"; 64].join("/");
    let err = scan_texts(NESTED, &[], &Limits::default(), &long, &[], usize::MAX)
        .expect_err("too many steps");
    assert!(
        matches!(err, Error::Invalid(ref m) if m.contains("64 steps")),
        "{err}"
    );
    let err = scan_texts(NESTED, &[], &Limits::default(), "//a", &["y:b"], usize::MAX)
        .expect_err("unbound prefix");
    assert!(
        matches!(err, Error::Invalid(ref m) if m.contains("unknown prefix `y`")),
        "{err}"
    );
}

/// Nested rows each read all the text below them, so 200 levels of one kilobyte would make a
/// table two hundred times the document: the cap stops it, in a scan as in a document.
#[test]
fn a_table_past_its_byte_cap_is_refused() {
    let depth = 200;
    let text = format!(
        "{}{}{}",
        "<a>".repeat(depth),
        "x".repeat(1024),
        "</a>".repeat(depth)
    );
    let whole = depth * 1024 + table_bytes(depth, 1);
    let doc = Document::parse(&text, &[], &Limits::default()).expect("parses");
    let scan = |max| scan_texts(&text, &[], &Limits::default(), "//a", &["."], max);
    let select = |max| doc.select_texts(None, "//a", &["."], max);
    for table in [scan(whole), select(whole)] {
        let rows = table.expect("fits exactly");
        assert_eq!(rows.len(), depth);
        assert!(
            rows.iter()
                .all(|r| r[0].as_ref().map(String::len) == Some(1024))
        );
    }
    for table in [scan(whole - 1), select(whole - 1)] {
        let err = table.expect_err("one byte short");
        let expected = format!("more than {} bytes", whole - 1);
        assert!(
            matches!(err, Error::TooLarge(ref m) if m.contains(&expected)),
            "{err}"
        );
    }
}

#[test]
fn a_packed_table_is_one_text_with_the_end_of_every_cell() {
    let rows = vec![
        vec![Some("ab".to_owned()), None, Some(String::new())],
        vec![Some("é".to_owned()), Some("c".to_owned()), None],
    ];
    let packed = PackedTable::pack(rows, 3).expect("packs");
    assert_eq!(
        packed,
        PackedTable {
            rows: 2,
            width: 3,
            text: "abéc".to_owned(),
            ends: vec![2, 2, 2, 4, 5, 5],
            found: vec![true, false, true, true, true, false],
        }
    );
    let empty = PackedTable::pack(vec![vec![], vec![]], 0).expect("packs");
    assert_eq!((empty.rows, empty.width, empty.ends.len()), (2, 0, 0));
}

/// Refusals of a scan are the document's: the limits hold without building anything.
#[test]
fn a_scan_keeps_the_parse_limits() {
    let limits = Limits {
        max_nodes: 3,
        ..Limits::default()
    };
    let err = scan_texts("<a><b/><c/><d/></a>", &[], &limits, "//*", &[], usize::MAX)
        .expect_err("four elements");
    assert!(
        matches!(err, Error::TooLarge(ref m) if m.contains("max_nodes = 3")),
        "{err}"
    );
    let scanned = scan_texts(
        "<a x='&lt;'><b>&#65;&amp;<![CDATA[<c>]]></b></a>",
        &[],
        &Limits::default(),
        "a",
        &["b"],
        usize::MAX,
    )
    .expect("scans");
    assert_eq!(scanned, [[Some("A&<c>".to_owned())]]);
}
