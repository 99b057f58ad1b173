//! The source in the SDK's mock host: the two files given to the mock, read natively. The
//! integration tests run the same plugin in the host against a real directory.

use tessera_sdk::mock::{Grant, Installed, MockHost};
use tessera_sdk::{ConnectorError, Source};

use super::Flatfile;

const PERSONS: &str =
    "id;given;family;email\n1001;Anna;Berg;anna.berg@zkh.example\n;Nobody;Without-Id;\n";
const CONTRACTS: &str = "person;sequence;start;end;department\n1001;1;2024-02-01;;IC\n";

fn host() -> MockHost {
    tessera_sdk::mock_host!()
}

fn exported() -> Installed {
    host()
        .file("persons.csv", PERSONS)
        .file("contracts.csv", CONTRACTS)
        .install()
}

#[test]
fn both_files_are_read_into_persons_with_their_contracts() {
    let _host = exported();
    let mut source = Flatfile::new().expect("configured");
    let page = source.read(None).expect("read");
    assert_eq!(page.persons.len(), 1);
    let anna = &page.persons[0];
    assert_eq!(
        (anna.id.as_str(), anna.email.as_deref()),
        ("1001", Some("anna.berg@zkh.example"))
    );
    assert_eq!(anna.contracts[0].start.as_deref(), Some("2024-02-01"));
    assert!(
        page.warnings
            .iter()
            .any(|w| w.subject.as_deref() == Some("persons.csv line 3")),
        "{:?}",
        page.warnings
    );
    let checked = source.test_connection().expect("both files are there");
    assert!(
        checked.contains("persons.csv") && checked.contains("contracts.csv"),
        "{checked}"
    );
}

#[test]
fn a_missing_file_fails_the_read_instead_of_looking_like_leavers() {
    let _host = host().file("persons.csv", PERSONS).install();
    let mut source = Flatfile::new().expect("configured");
    assert!(source.read(None).is_err());
    match source.test_connection() {
        Err(ConnectorError::Invalid(i)) => assert_eq!(i.field, "contracts_file"),
        other => panic!("expected the missing file named, got {other:?}"),
    }
}

#[test]
fn without_the_files_grant_the_read_is_denied() {
    let host = host()
        .file("persons.csv", PERSONS)
        .revoke(Grant::Files)
        .install();
    let mut source = Flatfile::new().expect("configured");
    assert!(matches!(source.read(None), Err(ConnectorError::Denied(_))));
    assert_eq!(
        host.denials()[0].config_key,
        "systems.flatfile.grants.files"
    );
}
