//! A throwaway certificate authority and a server certificate for `127.0.0.1` and `localhost`,
//! so tests can verify TLS against their own CA instead of turning verification off.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// PEM files written by [`TestCa::write`].
#[derive(Clone, Debug)]
pub struct TestCa {
    /// The CA certificate: what clients trust.
    pub ca_file: PathBuf,
    /// The server certificate, signed by the CA.
    pub cert_file: PathBuf,
    /// The server's private key (PKCS#8).
    pub key_file: PathBuf,
    /// A client certificate the CA signed, for mutual TLS.
    pub client_cert_file: PathBuf,
    /// Its private key (PKCS#8).
    pub client_key_file: PathBuf,
}

impl TestCa {
    /// Generates a CA, a server certificate and a client certificate and writes them as
    /// `ca.pem`, `server.pem`, `server.key`, `client.pem` and `client.key` into `dir`.
    pub fn write(dir: &Path) -> TestCa {
        let ca_key = KeyPair::generate().expect("generate CA key");
        let ca = CertifiedIssuer::self_signed(ca_params(), ca_key).expect("self-sign test CA");
        let server_key = KeyPair::generate().expect("generate server key");
        let server = server_params()
            .signed_by(&server_key, &ca)
            .expect("sign server certificate");
        let client_key = KeyPair::generate().expect("generate client key");
        let client = client_params()
            .signed_by(&client_key, &ca)
            .expect("sign client certificate");
        let files = TestCa {
            ca_file: dir.join("ca.pem"),
            cert_file: dir.join("server.pem"),
            key_file: dir.join("server.key"),
            client_cert_file: dir.join("client.pem"),
            client_key_file: dir.join("client.key"),
        };
        write(&files.client_cert_file, &client.pem());
        write(&files.client_key_file, &client_key.serialize_pem());
        write(&files.ca_file, &ca.pem());
        write(&files.cert_file, &server.pem());
        write(&files.key_file, &server_key.serialize_pem());
        files
    }
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    params
        .distinguished_name
        .push(DnType::CommonName, "Tessera test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn server_params() -> CertificateParams {
    let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
    let mut params = CertificateParams::new(names).expect("server parameters");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params
}

fn client_params() -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("client parameters");
    params
        .distinguished_name
        .push(DnType::CommonName, "Tessera test client");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params
}

fn write(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
