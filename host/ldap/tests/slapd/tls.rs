//! StartTLS and LDAPS with the harness's CA; verification is never turned off.

use tessera_ldap::{Error, Tls};
use tessera_test_servers::slapd::{Slapd, SlapdOptions};

use crate::common::*;

fn tls_slapd() -> Slapd {
    let slapd = Slapd::start(SlapdOptions {
        tls: true,
        ..Default::default()
    });
    slapd.add_people("people", 1);
    slapd
}

const USER: &str = "uid=user00000,ou=people,dc=example,dc=org";

#[tokio::test]
async fn starttls_with_the_harness_ca_works() {
    let slapd = tls_slapd();
    let spec = with_tls(
        spec(&slapd.url(), &slapd.root_dn(), PEOPLE),
        Tls::StartTls,
        slapd.ca_file(),
    );
    let pool = pool_from(spec, slapd.root_password());
    assert!(ok(pool.compare(USER, "uid", b"user00000").await));
}

#[tokio::test]
async fn ldaps_with_the_harness_ca_works() {
    let slapd = tls_slapd();
    let Some(url) = slapd.ldaps_url() else {
        panic!("tls slapd has an ldaps URL")
    };
    let spec = with_tls(
        spec(&url, &slapd.root_dn(), PEOPLE),
        Tls::Ldaps,
        slapd.ca_file(),
    );
    let pool = pool_from(spec, slapd.root_password());
    assert!(ok(pool.compare(USER, "uid", b"user00000").await));
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error() {
    let slapd = tls_slapd();
    let starttls = with_tls(
        spec(&slapd.url(), &slapd.root_dn(), PEOPLE),
        Tls::StartTls,
        None,
    );
    let pool = pool_from(starttls, slapd.root_password());
    let result = pool.compare(USER, "uid", b"user00000").await;
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");

    let Some(url) = slapd.ldaps_url() else {
        panic!("tls slapd has an ldaps URL")
    };
    let pool = pool_from(
        with_tls(spec(&url, &slapd.root_dn(), PEOPLE), Tls::Ldaps, None),
        slapd.root_password(),
    );
    let result = pool.compare(USER, "uid", b"user00000").await;
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}

#[tokio::test]
async fn starttls_refused_by_a_server_without_tls_is_a_tls_error() {
    let slapd = directory(1);
    // Only for its CA file, so that the refusal and not the missing trust is what fails.
    let other = tls_slapd();
    let spec = with_tls(
        spec(&slapd.url(), &slapd.root_dn(), PEOPLE),
        Tls::StartTls,
        other.ca_file(),
    );
    let pool = pool_from(spec, slapd.root_password());
    let result = pool.compare(USER, "uid", b"user00000").await;
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}
