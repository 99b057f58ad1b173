use super::*;

#[test]
fn seeds_counts_and_keeps_data_across_restarts() {
    let mut slapd = Slapd::start(SlapdOptions::default());
    let people = slapd.add_people("people", 3);
    assert_eq!(slapd.count(&people, "one", "(uid=*)"), 3);
    assert!(slapd.exists(slapd.suffix()));
    assert!(!slapd.exists(&format!("uid=nobody,{people}")));
    slapd.restart();
    assert_eq!(slapd.count(&people, "one", "(uid=*)"), 3);
    assert!(
        slapd
            .search(&people, "sub", "(uid=user00001)", &["mail"])
            .contains("mail: user00001@example.org")
    );
}

#[test]
fn tls_writes_a_ca_and_drop_cleans_up() {
    let slapd = Slapd::start(SlapdOptions {
        tls: true,
        ..Default::default()
    });
    let ca = slapd.ca_file().map(Path::to_path_buf);
    assert!(ca.as_ref().is_some_and(|ca| {
        fs::read_to_string(ca).is_ok_and(|pem| pem.contains("BEGIN CERTIFICATE"))
    }));
    assert!(slapd.ldaps_url().is_some());
    let (dir, port) = (slapd.dir().to_path_buf(), slapd.port());
    drop(slapd);
    assert!(!dir.exists());
    assert!(!crate::port::listening(port), "slapd still listening");
}

#[test]
fn custom_suffix_and_seed_ldif() {
    let ldif = "dn: ou=groups,o=hospital\nobjectClass: organizationalUnit\nou: groups\n";
    let options = SlapdOptions {
        suffix: "o=hospital".into(),
        ldif: Some(ldif.into()),
        ..Default::default()
    };
    let slapd = Slapd::start(options);
    assert_eq!(slapd.root_dn(), "cn=admin,o=hospital");
    assert!(slapd.exists("ou=groups,o=hospital"));
}

#[test]
fn suffix_entry_follows_the_first_rdn() {
    assert!(suffix_ldif("dc=example,dc=org").contains("objectClass: dcObject\n"));
    assert!(suffix_ldif("ou=x").contains("objectClass: organizationalUnit\nou: x\n"));
}
