//! `tessera plugin push` and `plugin install oci://…`: plugins in an OCI registry.

use std::path::Path;

use anyhow::{Context, Result, bail};
use tessera_runtime::plugin_store::oci::{self, OciOptions};
use tessera_runtime::{InstalledPlugin, Plugins};

use crate::args::RegistryArgs;

/// The environment variable a registry password comes from.
const PASSWORD_VAR: &str = "TESSERA_REGISTRY_PASSWORD";

fn options(args: &RegistryArgs) -> Result<OciOptions> {
    let credentials = match &args.username {
        None => None,
        Some(user) => {
            let password = std::env::var(PASSWORD_VAR).with_context(|| {
                format!("--username {user} needs the password in {PASSWORD_VAR}")
            })?;
            Some((user.clone(), zeroize::Zeroizing::new(password)))
        }
    };
    Ok(OciOptions {
        plain_http: args.plain_http,
        credentials,
    })
}

/// Checks the component as an install would, then pushes it with its signature (FILE.minisig
/// unless another is named). Returns the reference pinned by digest.
pub fn push(
    file: &Path,
    reference: &str,
    signature: Option<&Path>,
    args: &RegistryArgs,
) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let info = tessera_runtime::plugin_store::checked(&bytes, &file.display().to_string())?;
    let beside = file.with_extension("wasm.minisig");
    let sig_path = signature
        .map(Path::to_path_buf)
        .or_else(|| beside.exists().then_some(beside));
    let sig = sig_path
        .map(|p| std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display())))
        .transpose()?;
    let options = options(args)?;
    let pinned = super::super::block_on(oci::push(
        &bytes,
        &info,
        sig.as_deref(),
        reference,
        &options,
    ))??;
    Ok(pinned)
}

/// Pulls `reference` by digest and installs it with the signature pushed beside it.
pub fn install(
    plugins: &Plugins,
    reference: &str,
    signature_given: bool,
    args: &RegistryArgs,
) -> Result<InstalledPlugin> {
    if signature_given {
        bail!(
            "{reference}: --signature is for files; a registry's plugin brings the signature pushed with it"
        );
    }
    let options = options(args)?;
    let pulled = super::super::block_on(oci::pull(reference, &options))??;
    Ok(plugins.store.install_pulled(&pulled)?)
}
