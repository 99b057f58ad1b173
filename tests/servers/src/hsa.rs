//! An HSA-like directory on a real slapd: the test schema in `hsa/hsa.schema` (private test
//! OIDs; the real ones are Inera's) and a small organisation tree to seed.
//!
//! ```no_run
//! use tessera_test_servers::hsa;
//! let slapd = hsa::start();
//! assert!(slapd.exists(hsa::ORGANISATION));
//! ```

use crate::slapd::{Slapd, SlapdOptions};

/// The test schema, in slapd.conf syntax.
pub const SCHEMA: &str = include_str!("hsa/hsa.schema");

/// The care provider the tests provision into, in HSA's geographic DN style. It is also the
/// database suffix (the harness creates suffixes from `o=`, not from `c=`).
pub const ORGANISATION: &str = "o=Region Testland,l=Testlan,c=SE";

/// The organisation number of [`ORGANISATION`], ten digits without the hyphen.
pub const ORGANISATION_NUMBER: &str = "2321000131";

/// A slapd with the core, cosine, inetorgperson, nis and HSA test schemas, holding the care
/// provider [`ORGANISATION`] marked `hsaHealthCareProvider`, indexed on the attributes HSA
/// entries are looked up by.
pub fn start() -> Slapd {
    Slapd::start(SlapdOptions {
        suffix: ORGANISATION.into(),
        extra_schemas: vec![SCHEMA.into()],
        ldif: Some(tree()),
        indexes: vec!["hsaIdentity,employeeNumber,mail,uid,cn eq".into()],
        sorted_values: vec!["hsaCommissionMember".into()],
        // Content sync for the hsa plugin's change feed, as a directory feeding Inera has.
        content_sync: Some(100_000),
        ..SlapdOptions::default()
    })
}

fn tree() -> String {
    format!(
        "dn: {ORGANISATION}\nchangetype: modify\nadd: objectClass\nobjectClass: hsaHealthCareProvider\n\
         -\nadd: hsaIdentity\nhsaIdentity: SE{ORGANISATION_NUMBER}-F000000000001\n\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_loads_and_enforces_the_person_extension() {
        let slapd = start();
        let provider = slapd.search(
            ORGANISATION,
            "base",
            "(objectClass=hsaHealthCareProvider)",
            &["hsaIdentity"],
        );
        assert!(
            provider.contains("hsaIdentity: SE2321000131-F000000000001"),
            "{provider}"
        );
        slapd.seed(&format!(
            "dn: cn=Anna,{ORGANISATION}\nobjectClass: inetOrgPerson\nobjectClass: HSAPersonExtension\n\
             cn: Anna\nsn: Berg\nhsaIdentity: SE2321000131-P1\nhsaStartDate: 20261101000000Z\n"
        ));
        assert_eq!(
            slapd.count(ORGANISATION, "sub", "(hsaStartDate<=20261102000000Z)"),
            1
        );
        // The extension requires an HSA-id: the server refuses a person without one.
        let refused = std::panic::catch_unwind(|| {
            slapd.seed(&format!(
                "dn: cn=Bo,{ORGANISATION}\nobjectClass: inetOrgPerson\nobjectClass: HSAPersonExtension\ncn: Bo\nsn: B\n"
            ));
        });
        assert!(refused.is_err());
    }
}
