//! Plugins in OCI registries, in the CNCF Wasm OCI artifact layout: an image manifest whose
//! config is `application/vnd.wasm.config.v0+json` and whose one layer is the component as
//! `application/wasm`, so `wkg`, `oras` and registries' UIs see a Wasm component. The
//! minisign signature travels as a manifest annotation (base64, since manifests are written as
//! canonical JSON, which leaves a signature's line breaks raw), keeping the layout intact.
//!
//! A pull resolves the reference to the manifest's digest first and fetches by that digest,
//! so what is installed is exactly what `oci://…@sha256:…` names; the layer's digest is checked
//! by the client against the manifest. The store then checks the component and its signature
//! as for a file.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::manifest::OciImageManifest;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde_json::json;
use tessera_manifest::ComponentInfo;

use crate::{Error, Result};

/// The config and layer media types of the Wasm OCI artifact layout.
const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
const LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The manifest annotation holding the minisign signature of the layer's bytes, base64.
pub const SIGNATURE_ANNOTATION: &str = "dev.tessera.plugin.signature.minisign";

/// How to reach a registry.
#[derive(Default)]
pub struct OciOptions {
    /// Plain HTTP, allowed only for a registry on loopback (a test or a local mirror).
    pub plain_http: bool,
    /// User name and password; anonymous when `None`.
    pub credentials: Option<(String, zeroize::Zeroizing<String>)>,
}

/// A component fetched from a registry.
pub struct Pulled {
    pub bytes: Vec<u8>,
    pub signature: Option<String>,
    /// `oci://registry/repository@sha256:…`: the manifest the bytes came from.
    pub pinned: String,
}

/// `oci://registry/repository:tag` or `…@sha256:…` as a reference; anything else is refused.
pub fn reference(text: &str) -> Result<Reference> {
    let bare = text
        .strip_prefix("oci://")
        .ok_or_else(|| oci(text, "an OCI reference starts with oci://"))?;
    let parsed: Reference = bare
        .parse()
        .map_err(|e| oci(text, format!("not an image reference: {e}")))?;
    // The client would quietly default to docker.io; a plugin names its registry.
    if !bare.starts_with(parsed.registry()) {
        return Err(oci(
            text,
            "name the registry: oci://registry.example.org/namespace/plugin:1.0.0",
        ));
    }
    Ok(parsed)
}

fn oci(reference: &str, message: impl std::fmt::Display) -> Error {
    Error::Store(format!("{reference}: {message}"))
}

fn client(
    reference: &Reference,
    text: &str,
    options: &OciOptions,
) -> Result<(Client, RegistryAuth)> {
    // The registry client builds its own reqwest client, which takes the process's provider;
    // an error means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let registry = reference.registry().to_owned();
    let protocol = if options.plain_http {
        let host = registry
            .rsplit_once(':')
            .map_or(registry.as_str(), |(h, _)| h);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(oci(
                text,
                "plain HTTP is allowed only to a registry on loopback",
            ));
        }
        ClientProtocol::HttpsExcept(vec![registry])
    } else {
        ClientProtocol::Https
    };
    let client = Client::try_from(ClientConfig {
        protocol,
        ..ClientConfig::default()
    })
    .map_err(|e| oci(text, format!("cannot set up the registry client: {e}")))?;
    let auth = match &options.credentials {
        Some((user, password)) => RegistryAuth::Basic(user.clone(), password.to_string()),
        None => RegistryAuth::Anonymous,
    };
    Ok((client, auth))
}

/// The Wasm OCI config of a component: what it imports and exports, for registries and tools.
fn wasm_config(info: &ComponentInfo, layer_digest: &str) -> Vec<u8> {
    let config = json!({
        "created": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [layer_digest],
        "component": { "imports": info.imports, "exports": info.exports, "target": null },
    });
    config.to_string().into_bytes()
}

/// Pushes a checked component (and its signature) under `text`; returns the pinned reference.
pub async fn push(
    bytes: &[u8],
    info: &ComponentInfo,
    signature: Option<&str>,
    text: &str,
    options: &OciOptions,
) -> Result<String> {
    let reference = reference(text)?;
    let (client, auth) = client(&reference, text, options)?;
    let layer = ImageLayer::new(bytes.to_vec(), LAYER_MEDIA_TYPE.to_owned(), None);
    let config = Config::new(
        wasm_config(info, &format!("sha256:{}", info.sha256)),
        CONFIG_MEDIA_TYPE.to_owned(),
        None,
    );
    let mut annotations = BTreeMap::from([
        (
            "org.opencontainers.image.title".to_owned(),
            info.manifest.id.clone(),
        ),
        (
            "org.opencontainers.image.version".to_owned(),
            info.manifest.version.to_string(),
        ),
    ]);
    if let Some(sig) = signature {
        annotations.insert(SIGNATURE_ANNOTATION.to_owned(), BASE64.encode(sig));
    }
    let layers = [layer];
    let manifest = OciImageManifest::build(&layers, &config, Some(annotations));
    client
        .push(&reference, &layers, config, &auth, Some(manifest))
        .await
        .map_err(|e| oci(text, format!("push failed: {e}")))?;
    let digest = client
        .fetch_manifest_digest(&reference, &auth)
        .await
        .map_err(|e| {
            oci(
                text,
                format!("the registry does not show what was pushed: {e}"),
            )
        })?;
    Ok(pinned(&reference, &digest))
}

fn pinned(reference: &Reference, digest: &str) -> String {
    format!(
        "oci://{}/{}@{digest}",
        reference.registry(),
        reference.repository()
    )
}

/// Pulls the component `text` names, by the digest its manifest has now.
pub async fn pull(text: &str, options: &OciOptions) -> Result<Pulled> {
    let reference = reference(text)?;
    let (client, auth) = client(&reference, text, options)?;
    let digest = client
        .fetch_manifest_digest(&reference, &auth)
        .await
        .map_err(|e| oci(text, format!("cannot resolve: {e}")))?;
    if let Some(wanted) = reference.digest().filter(|d| *d != digest) {
        return Err(oci(
            text,
            format!("the registry answered manifest {digest}, not {wanted}"),
        ));
    }
    let by_digest = reference.clone_with_digest(digest.clone());
    let image = client
        .pull(&by_digest, &auth, vec![LAYER_MEDIA_TYPE])
        .await
        .map_err(|e| oci(text, format!("pull failed: {e}")))?;
    let [layer] = image.layers.as_slice() else {
        return Err(oci(
            text,
            format!(
                "{} layers; a plugin image has one component layer",
                image.layers.len()
            ),
        ));
    };
    let signature = image
        .manifest
        .and_then(|m| m.annotations)
        .and_then(|mut a| a.remove(SIGNATURE_ANNOTATION))
        .map(|encoded| {
            let bytes = BASE64.decode(encoded.trim()).ok();
            bytes
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    oci(
                        text,
                        format!("the annotation {SIGNATURE_ANNOTATION} is not base64 text"),
                    )
                })
        })
        .transpose()?;
    Ok(Pulled {
        bytes: layer.data.to_vec(),
        signature,
        pinned: pinned(&reference, &digest),
    })
}

#[cfg(test)]
mod tests {
    use super::reference;

    #[test]
    fn references_name_their_registry() {
        let r = reference("oci://127.0.0.1:5000/tessera/elanza:1.2.0").expect("valid");
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("127.0.0.1:5000", "tessera/elanza", Some("1.2.0"))
        );
        for bad in [
            "127.0.0.1:5000/tessera/elanza:1",
            "oci://elanza:1.2.0",
            "oci://",
            "https://x/y:1",
        ] {
            assert!(reference(bad).is_err(), "{bad}");
        }
    }
}
