//! Shared setup: a slapd with people under `ou=people`, and pools bound as its root DN.

use std::path::Path;
use std::time::Duration;

use tessera_ldap::{ConnectionSpec, Error, Pool, Tls};
use tessera_test_servers::slapd::{Slapd, SlapdOptions};
use zeroize::Zeroizing;

pub const PEOPLE: &str = "ou=people,dc=example,dc=org";
pub const STAFF: &str = "ou=staff,dc=example,dc=org";

/// A slapd with `count` people under [`PEOPLE`] and three under [`STAFF`].
pub fn directory(count: usize) -> Slapd {
    let slapd = Slapd::start(SlapdOptions::default());
    slapd.add_people("people", count);
    slapd.add_people("staff", 3);
    slapd
}

pub fn spec(url: &str, bind_dn: &str, base: &str) -> ConnectionSpec {
    ConnectionSpec {
        name: "test".into(),
        url: url.into(),
        bind_dn: Some(bind_dn.into()),
        base_dn: base.into(),
        tls: Tls::None,
        ca_file: None,
        timeout: Duration::from_secs(10),
        pool_size: 2,
    }
}

pub fn pool_from(spec: ConnectionSpec, password: &str) -> Pool {
    match Pool::new(spec, Some(Zeroizing::new(password.to_string()))) {
        Ok(pool) => pool,
        Err(err) => panic!("pool: {err}"),
    }
}

/// A pool bound as the root DN, confined to `base`.
pub fn root_pool(slapd: &Slapd, base: &str) -> Pool {
    pool_from(
        spec(&slapd.url(), &slapd.root_dn(), base),
        slapd.root_password(),
    )
}

pub fn with_tls(mut spec: ConnectionSpec, tls: Tls, ca_file: Option<&Path>) -> ConnectionSpec {
    spec.tls = tls;
    spec.ca_file = ca_file.map(Path::to_path_buf);
    spec
}

/// The attributes of an inetOrgPerson with this uid.
pub fn person(uid: &str) -> Vec<(String, Vec<Vec<u8>>)> {
    vec![
        attribute("objectClass", &["inetOrgPerson"]),
        attribute("uid", &[uid]),
        attribute("cn", &[uid]),
        attribute("sn", &[uid]),
    ]
}

pub fn attribute(name: &str, values: &[&str]) -> (String, Vec<Vec<u8>>) {
    let values = values.iter().map(|v| v.as_bytes().to_vec()).collect();
    (name.to_string(), values)
}

/// Fails the test with the error's text unless `result` is `Ok`.
pub fn ok<T>(result: Result<T, Error>) -> T {
    result.unwrap_or_else(|err| panic!("expected success, got {err:?}"))
}

pub fn assert_ldap_code<T: std::fmt::Debug>(result: Result<T, Error>, expected: u32) {
    match result {
        Err(Error::Ldap { code, .. }) if code == expected => {}
        other => panic!("expected LDAP result code {expected}, got {other:?}"),
    }
}

pub fn assert_outside<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::OutsideBase { .. })),
        "expected OutsideBase, got {result:?}"
    );
}
