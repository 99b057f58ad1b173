//! The pool after its connections were closed under it, and without any server.

use std::net::TcpListener;

use tessera_ldap::{ConnectionSpec, Error, Pool};

use crate::common::*;

fn single_connection(slapd: &tessera_test_servers::slapd::Slapd) -> Pool {
    let mut spec = spec(&slapd.url(), &slapd.root_dn(), PEOPLE);
    spec.pool_size = 1;
    pool_from(spec, slapd.root_password())
}

const USER: &str = "uid=user00000,ou=people,dc=example,dc=org";

// These run on tokio's single-threaded test runtime: the connection's driver task cannot
// notice the restart before the next call, so the call always meets the dead connection.

#[tokio::test]
async fn read_after_restart_is_retried_on_a_fresh_connection() {
    let mut slapd = directory(1);
    let pool = single_connection(&slapd);
    assert!(ok(pool.compare(USER, "uid", b"user00000").await));
    slapd.restart();
    assert!(ok(pool.compare(USER, "uid", b"user00000").await));
}

#[tokio::test]
async fn write_after_restart_is_not_retried_and_the_next_one_reconnects() {
    let mut slapd = directory(1);
    let pool = single_connection(&slapd);
    assert!(ok(pool.compare(USER, "uid", b"user00000").await));
    slapd.restart();
    let dn = format!("uid=after,{PEOPLE}");
    let first = pool.add(&dn, person("after")).await;
    assert!(matches!(first, Err(Error::Unavailable(_))), "{first:?}");
    assert!(!slapd.exists(&dn));
    ok(pool.add(&dn, person("after")).await);
    assert!(slapd.exists(&dn));
}

#[tokio::test]
async fn no_server_is_unavailable() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("addr: {e}"))
    };
    let spec: ConnectionSpec = spec(&format!("ldap://127.0.0.1:{port}"), "cn=admin,dc=x", PEOPLE);
    let pool = pool_from(spec, "pw");
    let result = pool.compare(USER, "uid", b"x").await;
    assert!(matches!(result, Err(Error::Unavailable(_))), "{result:?}");
}

#[test]
fn bind_dn_without_password_is_a_config_error() {
    let spec = spec("ldap://127.0.0.1:1", "cn=admin,dc=x", PEOPLE);
    assert!(matches!(Pool::new(spec, None), Err(Error::Config(_))));
}
