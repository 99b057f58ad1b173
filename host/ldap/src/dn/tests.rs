use super::*;

fn dn(text: &str) -> Dn {
    match Dn::parse(text) {
        Ok(dn) => dn,
        Err(err) => panic!("{text:?} should parse: {err}"),
    }
}

fn text_values(dn: &Dn) -> Vec<Vec<(String, String)>> {
    dn.rdns()
        .iter()
        .map(|rdn| {
            rdn.avas()
                .iter()
                .map(|ava| match ava.value() {
                    AttributeValue::Text(text) => (ava.attribute().to_string(), text.clone()),
                    AttributeValue::Ber(_) => panic!("unexpected BER value"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn parses_simple_dn() {
    let parsed = dn("uid=jdoe,ou=People,dc=example,dc=org");
    assert_eq!(parsed.rdns().len(), 4);
    assert_eq!(
        text_values(&parsed)[1],
        vec![("ou".into(), "People".into())]
    );
}

#[test]
fn unescapes_every_special_character() {
    let parsed = dn(r#"cn=a\,b\+c\"d\\e\<f\>g\;h\=i,dc=x"#);
    assert_eq!(text_values(&parsed)[0][0].1, r#"a,b+c"d\e<f>g;h=i"#);
}

#[test]
fn unescapes_hex_pairs_into_utf8() {
    let parsed = dn(r"cn=Ren\C3\A9e\00x,dc=x");
    assert_eq!(text_values(&parsed)[0][0].1, "Renée\0x");
}

#[test]
fn keeps_escaped_leading_hash_and_spaces() {
    let parsed = dn(r"cn=\#1\ ,dc=x");
    assert_eq!(text_values(&parsed)[0][0].1, "#1 ");
    let parsed = dn(r"cn=\ lead,dc=x");
    assert_eq!(text_values(&parsed)[0][0].1, " lead");
}

#[test]
fn drops_unescaped_spaces_around_separators() {
    let parsed = dn(" cn = Jane Doe , dc = x ");
    assert_eq!(text_values(&parsed)[0][0], ("cn".into(), "Jane Doe".into()));
    assert_eq!(parsed, dn("cn=Jane Doe,dc=x"));
}

#[test]
fn parses_ber_values() {
    let parsed = dn("1.3.6.1.4.1.1466.0=#04024869,dc=x");
    assert_eq!(
        parsed.rdns()[0].avas()[0].value(),
        &AttributeValue::Ber(vec![4, 2, 0x48, 0x69])
    );
    assert_eq!(parsed.to_string(), "1.3.6.1.4.1.1466.0=#04024869,dc=x");
}

#[test]
fn parses_multi_valued_rdns_in_any_order() {
    let a = dn("cn=Jane+uid=jd,dc=x");
    assert_eq!(a.rdns()[0].avas().len(), 2);
    assert_eq!(a, dn("UID=JD + CN=jane,DC=X"));
    assert_ne!(a, dn("cn=Jane,uid=jd,dc=x"));
}

#[test]
fn root_dn_is_empty() {
    assert!(dn("").is_root());
    assert!(dn("   ").is_root());
    assert!(dn("dc=x").is_within(&dn("")));
}

#[test]
fn rejects_malformed_dns() {
    for bad in [
        "cn",
        "cn=x,",
        ",dc=x",
        "=x",
        "cn=a\"b",
        "cn=a;dc=x",
        "cn=a<b",
        "cn=a\0b",
        "cn=x\\",
        "cn=x\\zz",
        "cn=\\C3",
        "1cn=x",
        "c_n=x",
        "cn=#abc",
        "cn=#",
        "2.5..4=x",
    ] {
        assert!(
            matches!(Dn::parse(bad), Err(Error::InvalidDn { .. })),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn normalises_case_spaces_and_oid_prefix() {
    let a = dn("CN=Jane   DOE ,OU=People,DC=Example,DC=Org");
    assert_eq!(a.normalized(), "cn=jane doe,ou=people,dc=example,dc=org");
    assert_eq!(dn("OID.2.5.4.3=x").normalized(), "2.5.4.3=x");
    assert_ne!(dn("2.5.4.3=x"), dn("cn=x"));
}

#[test]
fn equal_or_descendant_is_within() {
    let base = dn("ou=people,dc=example,dc=org");
    assert!(dn("ou=people,dc=example,dc=org").is_within(&base));
    assert!(dn("uid=a,OU=People,DC=EXAMPLE,dc=org").is_within(&base));
    assert!(dn("cn=x,uid=a,ou=people,dc=example,dc=org").is_within(&base));
}

#[test]
fn escaped_comma_and_siblings_are_outside() {
    let base = dn("ou=people,dc=example");
    assert!(!dn(r"cn=x\,ou=people\,dc=example,dc=other").is_within(&base));
    assert!(!dn(r"cn=x\,ou=people,dc=example").is_within(&base));
    assert!(!dn("ou=people,dc=evil").is_within(&base));
    assert!(!dn("ou=people2,dc=example").is_within(&base));
    assert!(!dn("dc=example").is_within(&base));
    assert!(!dn("").is_within(&base));
}

#[test]
fn display_escapes_so_that_reparsing_gives_the_same_values() {
    let value = "#O'Brien, Jr. (IC)*+\"x\"<y>;z=\\ ";
    let original = Dn::parse("dc=x").map(|parent| parent.child(rdn_of("cn", value)));
    let Ok(original) = original else {
        panic!("parent parses")
    };
    let shown = original.to_string();
    assert!(shown.starts_with(r"cn=\#O'Brien\, Jr. (IC)*\+\"), "{shown}");
    assert_eq!(text_values(&dn(&shown))[0][0].1, value);
}

#[test]
fn parent_and_child() {
    let parsed = dn("uid=a,ou=p,dc=x");
    assert_eq!(parsed.parent(), Some(dn("ou=p,dc=x")));
    assert_eq!(dn("").parent(), None);
    let Ok(rdn) = Rdn::parse("uid=b") else {
        panic!("rdn parses")
    };
    assert_eq!(dn("ou=p,dc=x").child(rdn), dn("uid=b,ou=p,dc=x"));
    assert!(Rdn::parse("uid=b,dc=x").is_err());
    assert!(Rdn::parse("").is_err());
}

fn rdn_of(attribute: &str, value: &str) -> Rdn {
    Rdn::new(vec![Ava {
        attribute: attribute.into(),
        value: AttributeValue::Text(value.into()),
    }])
}
