//! Serving a mock over TLS on loopback with a certificate from [`crate::certs::TestCa`],
//! optionally requiring a client certificate that CA signed (mutual TLS, as Nedap ONS does).
//! A client that does not finish the handshake (no certificate, one from another CA, a server
//! it does not trust) is counted and dropped; the mock goes on accepting.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The server's certificate and key, and the CA its clients' certificates must come from.
#[derive(Debug, Clone, Copy)]
pub struct TlsFiles<'a> {
    pub cert_file: &'a Path,
    pub key_file: &'a Path,
    /// Require a client certificate signed by this CA; none for server-only TLS.
    pub client_ca: Option<&'a Path>,
}

/// Handshakes the listener refused so far.
#[derive(Debug, Default)]
pub struct Refused(AtomicUsize);

impl Refused {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Whether the count rises above `n` within five seconds: the client may learn of a
    /// refusal before the server's side has counted it.
    pub async fn rises_above(&self, n: usize) -> bool {
        for _ in 0..500 {
            if self.count() > n {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

/// A loopback listener that hands axum only connections whose handshake succeeded.
pub(crate) struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    refused: Arc<Refused>,
}

impl TlsListener {
    pub(crate) async fn bind(files: TlsFiles<'_>) -> (Self, Arc<Refused>) {
        let tcp = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let acceptor = TlsAcceptor::from(Arc::new(server_config(files)));
        let refused = Arc::new(Refused::default());
        let listener = Self {
            tcp,
            acceptor,
            refused: refused.clone(),
        };
        (listener, refused)
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that connects and never speaks must not stall the mock.
            let handshake = self.acceptor.accept(stream);
            match tokio::time::timeout(Duration::from_secs(5), handshake).await {
                Ok(Ok(tls)) => return (tls, addr),
                _ => {
                    self.refused.0.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn server_config(files: TlsFiles<'_>) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(files.cert_file)
        .and_then(Iterator::collect)
        .expect("the server certificate");
    let key = PrivateKeyDer::from_pem_file(files.key_file).expect("the server key");
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("TLS versions");
    let builder = match files.client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(ca).expect("the client CA") {
                roots
                    .add(cert.expect("a client CA certificate"))
                    .expect("a usable client CA");
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .expect("a client verifier");
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    builder
        .with_single_cert(certs, key)
        .expect("the server certificate and key")
}
