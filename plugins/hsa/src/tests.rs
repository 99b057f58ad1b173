//! The connector in the SDK's mock host over an in-memory directory: joiner, mover and leaver
//! natively, in milliseconds; the integration tests run the same against slapd.

use tessera_sdk::mock::{Installed, MockDirectory};
use tessera_sdk::types::{AccountSpec, Attribute, AttributeChange};
use tessera_sdk::{ConnectorError, Target};

use super::Hsa;

const BASE: &str = "o=Region Testland,l=Testlan,c=SE";
const INACTIVE: &str = "ou=Inactive,o=Region Testland,l=Testlan,c=SE";

fn host(inactive_ou: &str) -> Installed {
    tessera_sdk::mock_host!()
        .config("organisation_number", "2321000131")
        .config("base", BASE)
        .config("inactive_ou", inactive_ou)
        .config("care_units", &["IC"][..])
        .ldap(
            "hsa",
            MockDirectory::new("l=Testlan,c=SE").entry(BASE, &[("o", &["Region Testland"])]),
        )
        .install()
}

fn anna() -> AccountSpec {
    let attributes = [
        ("givenName", "Anna"),
        ("sn", "Berg"),
        ("ou", "Intensive Care"),
        ("departmentNumber", "IC"),
    ];
    AccountSpec {
        username: "anna".into(),
        enabled: true,
        attributes: attributes
            .map(|(name, value)| Attribute {
                name: name.into(),
                value: value.into(),
            })
            .to_vec(),
    }
}

fn dn_of(host: &Installed, cn: &str) -> Vec<String> {
    let dir = host.directory("hsa").expect("the directory");
    dir.dns()
        .into_iter()
        .filter(|dn| dn.starts_with(&format!("cn={cn},")))
        .collect()
}

#[test]
fn a_joiner_lands_in_a_care_unit_created_for_their_department() {
    let host = host(INACTIVE);
    let mut hsa = Hsa::new().expect("configured");
    let account = hsa.create(anna()).expect("created");
    assert_eq!(account.key, "SE2321000131-anna");
    let unit = format!("ou=Intensive Care,{BASE}");
    assert_eq!(dn_of(&host, "Anna Berg"), [format!("cn=Anna Berg,{unit}")]);
    let dir = host.directory("hsa").expect("the directory");
    assert_eq!(dir.values(&unit, "hsaIdentity"), ["SE2321000131-EIC"]);
    assert!(matches!(
        hsa.create(anna()),
        Err(ConnectorError::AlreadyExists(_))
    ));
}

#[test]
fn a_leaver_moves_to_the_inactive_ou_and_back_and_is_deleted() {
    let host = host(INACTIVE);
    let mut hsa = Hsa::new().expect("configured");
    let key = hsa.create(anna()).expect("created").key;
    hsa.disable(&key).expect("disabled");
    assert_eq!(
        dn_of(&host, "Anna Berg"),
        [format!("cn=Anna Berg,{INACTIVE}")]
    );
    hsa.enable(&key).expect("enabled");
    let title = AttributeChange {
        name: "title".into(),
        values: vec!["IC-verpleegkundige".into()],
    };
    hsa.update(&key, vec![title]).expect("updated");
    let dn = format!("cn=Anna Berg,ou=Intensive Care,{BASE}");
    let dir = host.directory("hsa").expect("the directory");
    assert_eq!(dir.values(&dn, "title"), ["IC-verpleegkundige"]);
    hsa.delete(&key).expect("deleted");
    assert!(dn_of(&host, "Anna Berg").is_empty());
    assert!(matches!(hsa.delete(&key), Err(ConnectorError::NotFound(_))));
}

#[test]
fn an_inactive_ou_outside_the_connections_base_is_denied() {
    let host = host("ou=Elsewhere,o=Other,c=NO");
    let mut hsa = Hsa::new().expect("configured");
    let key = hsa.create(anna()).expect("created").key;
    match hsa.disable(&key) {
        Err(ConnectorError::Denied(message)) => {
            assert!(message.contains("ldap.hsa.base_dn"), "{message}")
        }
        other => panic!("expected a denial, got {other:?}"),
    }
    assert_eq!(host.denials().len(), 1);
}
