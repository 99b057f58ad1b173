//! `tessera plugin keygen` and `tessera plugin sign`: a vendor's minisign key pair and the
//! signatures `plugin install --signature` checks against `[plugins] trusted_keys`. The files
//! are minisign's own, so `minisign -S` and `minisign -V` take them too.
//!
//! The secret key is password-protected: the password comes from [`PASSWORD_ENV`] when it is
//! set (empty: no password, for a build machine that guards the key file itself), else it is
//! asked for on the terminal.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The environment variable holding the secret key's password.
pub const PASSWORD_ENV: &str = "TESSERA_SIGNING_PASSWORD";

fn password() -> Option<String> {
    std::env::var(PASSWORD_ENV).ok()
}

/// Writes `PREFIX.key` (the secret key, readable by its owner only) and `PREFIX.pub`; refuses
/// to overwrite either. Prints the line for `trusted_keys`.
pub fn keygen(prefix: &Path) -> Result<()> {
    let (secret, public) = (with_suffix(prefix, "key"), with_suffix(prefix, "pub"));
    for path in [&secret, &public] {
        if path.exists() {
            bail!("{} exists; keygen never overwrites a key", path.display());
        }
    }
    let pair = minisign::KeyPair::generate_encrypted_keypair(password())
        .map_err(|e| anyhow::anyhow!("making the key pair: {e}"))?;
    let secret_box = pair
        .sk
        .to_box(Some("tessera plugin signing key"))
        .map_err(|e| anyhow::anyhow!("writing the secret key: {e}"))?;
    let public_box = pair
        .pk
        .to_box()
        .map_err(|e| anyhow::anyhow!("writing the public key: {e}"))?;
    write_private(&secret, secret_box.into_string().as_bytes())?;
    std::fs::write(&public, public_box.into_string())
        .with_context(|| format!("writing {}", public.display()))?;
    println!(
        "wrote {} (keep it secret) and {}",
        secret.display(),
        public.display()
    );
    println!(
        "trust it with: [plugins] trusted_keys = [\"{}\"]",
        pair.pk.to_base64()
    );
    Ok(())
}

/// Signs `file` with the secret key in `key`, into `FILE.minisig`; returns that path.
pub fn sign(file: &Path, key: &Path) -> Result<PathBuf> {
    let text =
        std::fs::read_to_string(key).with_context(|| format!("reading {}", key.display()))?;
    let secret = minisign::SecretKeyBox::from_string(&text)
        .and_then(|b| b.into_secret_key(password()))
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: not a minisign secret key this password opens: {e}",
                key.display()
            )
        })?;
    let out = sign_with(&secret, file, &with_suffix(file, "minisig"))?;
    println!("signed {} into {}", file.display(), out.display());
    Ok(out)
}

/// Signs `file` with `secret` into `out`, the trusted comment naming the file and its digest.
pub fn sign_with(secret: &minisign::SecretKey, file: &Path, out: &Path) -> Result<PathBuf> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let comment = format!("file:{name} sha256:{digest}");
    let signature = minisign::sign(
        None,
        secret,
        std::io::Cursor::new(bytes),
        Some(&comment),
        None,
    )
    .map_err(|e| anyhow::anyhow!("signing {}: {e}", file.display()))?;
    std::fs::write(out, signature.into_string())
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(out.to_path_buf())
}

/// `path` with `.suffix` added to its whole name (`plugin.wasm` → `plugin.wasm.minisig`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// A new file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))
}
