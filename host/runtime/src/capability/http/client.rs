//! The reqwest client of one system: rustls with the system's roots plus the operator's CA
//! files, an optional client certificate, the guarded resolver, no automatic redirects (each
//! hop is re-checked by the capability) and no proxy from the environment.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tessera_manifest::OriginPattern;

use super::guard::GuardedResolver;

/// A client certificate: chain and key, both PEM.
pub(crate) struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Identity {
    pub(crate) fn from_pem(cert_file: &std::path::Path, key_pem: &str) -> Result<Self, String> {
        let chain = CertificateDer::pem_file_iter(cert_file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("{}: {e}", cert_file.display()))?;
        if chain.is_empty() {
            return Err(format!("{}: no certificate in it", cert_file.display()));
        }
        // The key's text never goes into an error: only that it did not parse.
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
            .map_err(|_| "the client key secret is not a PEM private key".to_owned())?;
        Ok(Self { chain, key })
    }
}

fn roots(ca_files: &[PathBuf]) -> Result<rustls::RootCertStore, String> {
    let mut store = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(native.certs);
    for file in ca_files {
        let certs = CertificateDer::pem_file_iter(file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("{}: {e}", file.display()))?;
        for cert in certs {
            store
                .add(cert)
                .map_err(|e| format!("{}: {e}", file.display()))?;
        }
    }
    Ok(store)
}

fn tls_config(
    ca_files: &[PathBuf],
    identity: Option<Identity>,
) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots(ca_files)?);
    let mut config = match identity {
        Some(id) => builder
            .with_client_auth_cert(id.chain, id.key)
            .map_err(|e| format!("client certificate: {e}"))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Builds the client; errors name the file or setting at fault.
pub(crate) fn build(
    ca_files: &[PathBuf],
    identity: Option<Identity>,
    private: Arc<Vec<OriginPattern>>,
) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(ca_files, identity)?)
        .dns_resolver(Arc::new(GuardedResolver { private }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .http1_only()
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// Reads a body, refusing more than `cap` bytes without buffering past it.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, BodyError> {
    let announced = response.content_length().unwrap_or(0);
    if announced > cap as u64 {
        return Err(BodyError::TooLarge(announced));
    }
    // Sized once from Content-Length: growing by doubling would, for a 180 MiB answer, hold
    // 128 and 256 MiB buffers at once. Unused capacity is never touched, so a server that
    // announces more than it sends costs address space, not memory.
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge((body.len() + chunk.len()) as u64));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub(crate) enum BodyError {
    TooLarge(u64),
    Transport(reqwest::Error),
}
