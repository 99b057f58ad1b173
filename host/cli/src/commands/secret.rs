//! `tessera secret`: set, list and delete the vault's secrets, and make vault keys.
//!
//! Values only ever travel in: read from standard input, never printed, never logged.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use tessera_store::VaultKey;
use zeroize::Zeroizing;

use tessera_store::Secrets;
use tessera_sync::{KEY_HINT, vault_key};

use super::loaders::{settings, store};
use crate::args::SecretCommand;

/// Largest value accepted; far above any password, token or certificate key.
const MAX_VALUE: usize = 64 * 1024;

pub fn run(config: &Path, command: SecretCommand) -> Result<()> {
    match command {
        SecretCommand::Set { name } => set(config, &name),
        SecretCommand::List { json } => list(config, json),
        SecretCommand::Delete { name } => delete(config, &name),
        SecretCommand::Keygen { file } => keygen(&file),
    }
}

fn set(config: &Path, name: &str) -> Result<()> {
    let settings = settings(config)?;
    let key = vault_key(&settings)?.ok_or_else(|| anyhow!("no vault key: {KEY_HINT}"))?;
    let store = store(&settings)?;
    // Checks the name and that the key opens this vault before anyone types a value.
    drop(store.secret(&key, name)?);
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("value for `{name}`, then Enter and Ctrl-D:");
    }
    let value = read_value(stdin.lock())?;
    store.set_secret(&key, name, &value, Utc::now())?;
    eprintln!("secret `{name}` set");
    Ok(())
}

/// Everything up to end of input, less one trailing line ending; refuses empty values and
/// anything that is not UTF-8 text (plugins receive secrets as strings).
pub(crate) fn read_value(input: impl Read) -> Result<Zeroizing<Vec<u8>>> {
    // Sized up front so the buffer never reallocates and leaves copies behind unwiped.
    let mut value = Zeroizing::new(Vec::with_capacity(MAX_VALUE + 1));
    input
        .take(MAX_VALUE as u64 + 1)
        .read_to_end(&mut value)
        .context("reading the value from standard input")?;
    if value.len() > MAX_VALUE {
        bail!("the value is longer than {MAX_VALUE} bytes");
    }
    let ending = if value.ends_with(b"\r\n") {
        2
    } else {
        usize::from(value.ends_with(b"\n"))
    };
    let len = value.len() - ending;
    value.truncate(len);
    if value.is_empty() {
        bail!("refusing an empty value; pipe the secret into `tessera secret set NAME`");
    }
    if std::str::from_utf8(&value).is_err() {
        bail!("the value is not UTF-8 text");
    }
    Ok(value)
}

fn list(config: &Path, json: bool) -> Result<()> {
    let store = store(&settings(config)?)?;
    let secrets = store.secret_names()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&secrets)?);
        return Ok(());
    }
    if secrets.is_empty() {
        println!("no secrets");
        return Ok(());
    }
    let width = secrets.iter().map(|s| s.name.len()).max().unwrap_or(0);
    println!("{:width$}  CHANGED", "NAME");
    for s in &secrets {
        let changed = s.changed_at.format("%Y-%m-%d %H:%M:%S UTC");
        println!("{:width$}  {changed}", s.name);
    }
    Ok(())
}

fn delete(config: &Path, name: &str) -> Result<()> {
    let store = store(&settings(config)?)?;
    if !store.delete_secret(name, Utc::now())? {
        bail!("no secret `{name}`");
    }
    eprintln!("secret `{name}` deleted");
    Ok(())
}

fn keygen(file: &Path) -> Result<()> {
    write_key(file)?;
    eprintln!(
        "wrote a new vault key to {}; point `key_file` under `[vault]` at it and keep a copy \
         somewhere safe: without it the secrets cannot be read",
        file.display()
    );
    Ok(())
}

/// Writes a new vault key to `file`, which must not exist yet, readable by its owner only.
pub fn write_key(file: &Path) -> Result<()> {
    let key = VaultKey::generate()?;
    let mut out = create_private(file).with_context(|| {
        format!(
            "creating {} (an existing file is never replaced)",
            file.display()
        )
    })?;
    let written = out
        .write_all(key.to_hex().as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.sync_all());
    if let Err(e) = written {
        // A half-written key file would only fail later, at a worse moment.
        drop(std::fs::remove_file(file));
        return Err(e).with_context(|| format!("writing {}", file.display()));
    }
    Ok(())
}

/// A new file only its owner can read and write.
fn create_private(file: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> Result<Vec<u8>> {
        read_value(input).map(|v| v.to_vec())
    }

    #[test]
    fn exactly_one_line_ending_is_stripped() {
        assert_eq!(read(b"pw\n").expect("lf"), b"pw");
        assert_eq!(read(b"pw\r\n").expect("crlf"), b"pw");
        assert_eq!(read(b"pw\n\n").expect("two"), b"pw\n");
        assert_eq!(read(b" pw ").expect("spaces kept"), b" pw ");
    }

    #[test]
    fn empty_oversized_and_binary_values_are_refused() {
        for input in [&b""[..], b"\n", b"\r\n"] {
            let err = read(input).expect_err("empty");
            assert!(err.to_string().contains("empty"), "{err}");
        }
        assert!(read(&vec![b'a'; MAX_VALUE + 1]).is_err());
        assert!(read(&vec![b'a'; MAX_VALUE]).is_ok());
        assert!(read(&[0xff, 0xfe]).is_err());
    }
}
