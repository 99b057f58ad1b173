//! `manifest!(source, "0.2.0")` / `manifest!(target, "0.2.0")`: reads the plugin's
//! `tessera.toml`, merges the package name, version and description from Cargo and the WIT
//! release the SDK's bindings were made from, validates the result with the same code the host
//! uses, and embeds it as JSON in the `tessera:manifest` custom section. A bad manifest is a
//! compile error in the plugin, not a surprise at install time.

use std::path::PathBuf;

use proc_macro::TokenStream;
use quote::quote;
use serde::Deserialize;
use tessera_manifest::{Capabilities, ConfigField, Kind, Manifest};

/// The author-written part of the manifest, `tessera.toml` beside the plugin's Cargo.toml.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorManifest {
    id: Option<String>,
    description: Option<String>,
    #[serde(default)]
    config: Vec<ConfigField>,
    #[serde(default)]
    capabilities: Capabilities,
}

/// Embeds the manifest for a plugin of the given kind (`source` or `target`) built against
/// the given WIT release.
#[proc_macro]
pub fn manifest(input: TokenStream) -> TokenStream {
    match build(&input.to_string()) {
        Ok(tokens) => tokens,
        Err(message) => quote!(compile_error!(#message);).into(),
    }
}

fn build(input: &str) -> Result<TokenStream, String> {
    let (kind, wit) = input.split_once(',').ok_or_else(|| {
        format!("manifest!: expected `source` or `target` and a WIT release, got `{input}`")
    })?;
    let wit = wit.trim().trim_matches('"');
    let kind = match kind.trim() {
        "source" => Kind::Source,
        "target" => Kind::Target,
        other => {
            return Err(format!(
                "manifest!: expected `source` or `target`, got `{other}`"
            ));
        }
    };
    let dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let path = dir.join("tessera.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let author: AuthorManifest =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest = Manifest {
        format: tessera_manifest::FORMAT,
        id: author.id.unwrap_or(env("CARGO_PKG_NAME")?),
        version: semver::Version::parse(&env("CARGO_PKG_VERSION")?).map_err(|e| e.to_string())?,
        kind,
        wit: semver::Version::parse(wit).map_err(|e| format!("manifest!: WIT release: {e}"))?,
        description: author.description.unwrap_or(env("CARGO_PKG_DESCRIPTION")?),
        config: author.config,
        capabilities: author.capabilities,
    };
    manifest
        .validate()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let json = manifest.to_json();
    let bytes = proc_macro2::Literal::byte_string(json.as_bytes());
    let len = json.len();
    let tracked = path.display().to_string();
    Ok(quote! {
        // Makes cargo rebuild the plugin when tessera.toml changes.
        const _: &[u8] = include_bytes!(#tracked);
        #[cfg(target_arch = "wasm32")]
        #[unsafe(link_section = "tessera:manifest")]
        #[used]
        static __TESSERA_MANIFEST: [u8; #len] = *#bytes;
        /// The manifest for `tessera_sdk::mock_host!()` when the plugin is tested natively.
        #[cfg(not(target_arch = "wasm32"))]
        #[doc(hidden)]
        pub const __TESSERA_MANIFEST_JSON: &str = #json;
    }
    .into())
}

fn env(key: &str) -> Result<String, String> {
    std::env::var(key)
        .map_err(|_| format!("manifest!: {key} is not set; build the plugin with cargo"))
}
