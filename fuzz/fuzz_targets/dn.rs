//! The DN parser that confines every LDAP read and write to its granted base: parsing, then
//! printing and parsing again must give the same DN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_ldap::Dn;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dn) = Dn::parse(text) else {
        return;
    };
    let printed = dn.to_string();
    let again = Dn::parse(&printed).unwrap_or_else(|e| panic!("`{printed}` does not parse: {e}"));
    assert_eq!(again, dn, "`{text}` printed as `{printed}`");
});
