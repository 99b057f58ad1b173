use std::path::Path;

use tessera_runtime::{Error, Plugins, SignatureStatus};
use tessera_testkit::{TestInstall, fixture, fixture_bytes, runtime};

const HR: &str = "[systems.hr]\nplugin = \"good-source\"\nversion = \"^1\"\n";

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A copy of good-source whose manifest says another version (same length, still valid).
fn good_source_as(dir: &Path, version: &str) -> std::path::PathBuf {
    let patched = replace_all(
        &fixture_bytes("good-source"),
        br#""version":"1.0.0""#,
        format!(r#""version":"{version}""#).as_bytes(),
    );
    let path = dir.join(format!("good-source-{version}.wasm"));
    std::fs::write(&path, patched).unwrap();
    path
}

/// The component (built for WIT 0.2.3) with its manifest claiming another WIT version.
fn with_wit(good: &[u8], version: &[u8; 5]) -> Vec<u8> {
    let mut to = br#""wit":"0.2.3""#.to_vec();
    to[7..12].copy_from_slice(version);
    replace_all(good, br#""wit":"0.2.3""#, &to)
}

/// Replaces every occurrence of `from` by `to` (same length, so sections keep their sizes).
fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = bytes.to_vec();
    let mut found = 0;
    for at in 0..out.len().saturating_sub(from.len()) {
        if &out[at..at + from.len()] == from {
            out[at..at + from.len()].copy_from_slice(to);
            found += 1;
        }
    }
    assert!(found > 0, "pattern not found");
    out
}

#[test]
fn bad_files_are_refused_and_leave_nothing_behind() {
    let t = TestInstall::new(HR);
    let inst = t.open();
    let dir = t.dir.path();
    let good = fixture_bytes("good-source");
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "notes.wasm",
            b"hello, not wasm".to_vec(),
            "not a WebAssembly file",
        ),
        (
            "core.wasm",
            b"\0asm\x01\0\0\0".to_vec(),
            "core WebAssembly module, not a component",
        ),
        (
            "cut.wasm",
            good[..good.len() / 2].to_vec(),
            "malformed component",
        ),
        (
            "future.wasm",
            with_wit(&good, b"1.0.0"),
            "built for tessera WIT 1.0.0",
        ),
        (
            "mixed.wasm",
            with_wit(&good, b"0.1.0"),
            "`tessera:host/log@0.2.3`: WIT 0.2.3 does not match the manifest's WIT version 0.1.0",
        ),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = inst
            .store
            .install(&path, None)
            .expect_err("refused")
            .to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains(needle), "{name}: {err}");
    }
    assert!(inst.store.list().unwrap().is_empty());
    assert_eq!(
        entries(&t.settings().plugins.dir),
        Vec::<String>::new(),
        "no staging left"
    );
}

#[test]
fn versions_live_side_by_side_and_upgrade_and_rollback_move_the_lock() {
    let t = TestInstall::new(HR);
    let mut inst = t.with_plugins(&["good-source"]);
    let (first, _) = inst.resolve("hr").unwrap();
    assert_eq!(first.version.to_string(), "1.0.0");
    inst.store
        .install(&good_source_as(t.dir.path(), "1.1.0"), None)
        .unwrap();
    assert_eq!(inst.store.list().unwrap().len(), 2);
    // Installing a newer version does not move a locked system.
    assert_eq!(inst.resolve("hr").unwrap().0.version.to_string(), "1.0.0");
    let changed = inst.upgrade("good-source").unwrap();
    assert_eq!(
        changed,
        [(
            "hr".to_string(),
            Some("1.0.0".to_string()),
            "1.1.0".to_string()
        )]
    );
    let mut reopened = t.open();
    assert_eq!(
        reopened.resolve("hr").unwrap().0.version.to_string(),
        "1.1.0"
    );
    reopened.rollback("good-source").unwrap();
    assert_eq!(
        t.open().resolve("hr").unwrap().0.version.to_string(),
        "1.0.0"
    );
    let locked = reopened
        .store
        .remove("good-source", &semver_v("1.0.0"), &t.open().lock)
        .expect_err("locked");
    assert!(
        locked.to_string().contains("locked for system `hr`"),
        "{locked}"
    );
    reopened
        .store
        .remove("good-source", &semver_v("1.1.0"), &t.open().lock)
        .unwrap();
}

fn semver_v(v: &str) -> semver::Version {
    semver::Version::parse(v).unwrap()
}

#[test]
fn a_digest_mismatch_against_the_lockfile_refuses_to_load() {
    let t = TestInstall::new(HR);
    let mut inst = t.with_plugins(&["good-source"]);
    let (plugin, _) = inst.resolve("hr").unwrap();
    let mut bytes = std::fs::read(&plugin.path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&plugin.path, bytes).unwrap();
    let err = t.open().prepare(&runtime(), "hr").expect_err("refused");
    let Error::Lock { lockfile, message } = &err else {
        panic!("{err}")
    };
    assert!(lockfile.ends_with("tessera.lock"));
    assert!(
        message.contains("digest mismatch") && message.contains("good-source@1.0.0"),
        "{message}"
    );
}

fn keypair() -> (minisign::PublicKey, minisign::SecretKey) {
    let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    (kp.pk, kp.sk)
}

fn sign(sk: &minisign::SecretKey, file: &Path) -> std::path::PathBuf {
    let data = std::fs::read(file).unwrap();
    let sig = minisign::sign(
        None,
        sk,
        std::io::Cursor::new(data),
        Some("tessera test"),
        None,
    )
    .unwrap();
    let out = file.with_extension("wasm.minisig");
    std::fs::write(&out, sig.into_string()).unwrap();
    out
}

fn signed_install(trusted: &str, require: bool) -> (TestInstall, Plugins) {
    let text =
        format!("[plugins]\nrequire_signatures = {require}\ntrusted_keys = [\"{trusted}\"]\n{HR}");
    let t = TestInstall::new(&text);
    let inst = t.open();
    (t, inst)
}

#[test]
fn signatures_are_verified_against_trusted_keys() {
    let (pk, sk) = keypair();
    let (other_pk, _) = keypair();
    let copy = tempfile::tempdir().unwrap();
    let file = copy.path().join("good_source.wasm");
    std::fs::copy(fixture("good-source"), &file).unwrap();
    let sig = sign(&sk, &file);

    let (_t, inst) = signed_install(&pk.to_base64(), true);
    let p = inst.store.install(&file, Some(&sig)).unwrap();
    assert!(
        matches!(p.signature, SignatureStatus::Verified { ref comment, .. } if comment == "tessera test")
    );

    let (_t, inst) = signed_install(&other_pk.to_base64(), false);
    let err = inst
        .store
        .install(&file, Some(&sig))
        .expect_err("wrong key")
        .to_string();
    assert!(err.contains("does not verify"), "{err}");
    assert!(inst.store.list().unwrap().is_empty());

    let (_t, inst) = signed_install(&pk.to_base64(), true);
    let err = inst
        .store
        .install(&file, None)
        .expect_err("unsigned")
        .to_string();
    assert!(err.contains("require_signatures"), "{err}");

    let mut tampered = std::fs::read(&file).unwrap();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    std::fs::write(&file, tampered).unwrap();
    let err = inst
        .store
        .install(&file, Some(&sig))
        .expect_err("tampered")
        .to_string();
    assert!(err.contains("does not verify"), "{err}");
}

/// Load checks the signature again, with today's trusted keys: a component swapped in the
/// plugin directory (with the lockfile and `meta.json` edited to match) does not load, and
/// neither does a signed plugin once its key is no longer trusted.
#[test]
fn signatures_are_checked_again_at_load() {
    let (pk, sk) = keypair();
    let copy = tempfile::tempdir().unwrap();
    let file = copy.path().join("good_source.wasm");
    std::fs::copy(fixture("good-source"), &file).unwrap();
    let sig = sign(&sk, &file);
    let (t, inst) = signed_install(&pk.to_base64(), true);
    inst.store.install(&file, Some(&sig)).unwrap();
    let (plugin, _) = t.open().resolve("hr").expect("a signed plugin loads");
    assert!(matches!(plugin.signature, SignatureStatus::Verified { .. }));

    // Swap the component for another build, and make the lockfile and meta.json agree.
    let swapped = with_wit(&std::fs::read(&file).unwrap(), b"0.1.0");
    let old_sha = plugin.sha256.clone();
    let new_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&swapped));
    assert_ne!(new_sha, old_sha, "another build");
    std::fs::write(&plugin.path, &swapped).unwrap();
    for name in ["tessera.lock", "plugins/good-source/1.0.0/meta.json"] {
        let path = t.path(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&old_sha), "{name}: {text}");
        std::fs::write(&path, text.replace(&old_sha, &new_sha)).unwrap();
    }
    let err = t.open().resolve("hr").expect_err("swapped").to_string();
    assert!(
        err.contains("at load") && err.contains("does not verify"),
        "{err}"
    );

    // With the signature gone it is unsigned, which require_signatures refuses.
    std::fs::remove_file(plugin.path.with_extension("wasm.minisig")).unwrap();
    let err = t.open().resolve("hr").expect_err("unsigned").to_string();
    assert!(err.contains("require_signatures"), "{err}");
}

#[test]
fn a_key_no_longer_trusted_stops_its_plugins_loading() {
    let (pk, sk) = keypair();
    let (other, _) = keypair();
    let copy = tempfile::tempdir().unwrap();
    let file = copy.path().join("good_source.wasm");
    std::fs::copy(fixture("good-source"), &file).unwrap();
    let sig = sign(&sk, &file);
    let (t, inst) = signed_install(&pk.to_base64(), false);
    inst.store.install(&file, Some(&sig)).unwrap();
    let config = t.path("tessera.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace(&pk.to_base64(), &other.to_base64())).unwrap();
    let err = t.open().resolve("hr").expect_err("revoked").to_string();
    assert!(err.contains("does not verify"), "{err}");
}

/// A key for the compiled-plugin cache; in an installation it is derived from the vault key.
fn cache_key(byte: u8) -> zeroize::Zeroizing<[u8; 32]> {
    zeroize::Zeroizing::new([byte; 32])
}

/// Opens the store with the compiled cache under `key`, loads `hr`, and returns what the
/// cache counted: (served from an entry, compiled).
fn load_hr(t: &TestInstall, key: u8) -> (u64, u64) {
    let mut plugins = t.open();
    plugins.cache_compiled(cache_key(key));
    plugins.prepare(&runtime(), "hr").expect("hr loads");
    plugins.compiled_cache().unwrap().counts()
}

/// good-source installed and `hr` loaded once with the compiled cache under key 1.
fn loaded_with_cache(t: &TestInstall) -> Plugins {
    let mut inst = t.with_plugins(&["good-source"]);
    inst.cache_compiled(cache_key(1));
    inst.prepare(&runtime(), "hr").unwrap();
    inst
}

#[test]
fn compiled_plugins_are_kept_under_the_key_and_compiled_again_when_an_entry_fails() {
    let t = TestInstall::new(HR);
    let inst = loaded_with_cache(&t);
    assert_eq!(inst.compiled_cache().unwrap().counts(), (0, 1));
    let dir = inst.store.compiled_dir();
    let names = entries(&dir);
    let sha = &inst.lock.systems["hr"].sha256;
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with(&format!("{sha}-")) && names[0].ends_with(".cwasm"));
    let entry = dir.join(&names[0]);
    let first = std::fs::read(&entry).unwrap();
    // The next run (a new process opens the store afresh) loads the entry and leaves it be.
    assert_eq!(load_hr(&t, 1), (1, 0));
    assert_eq!(std::fs::read(&entry).unwrap(), first);
    // Under another key the entry does not authenticate: compiled again and replaced.
    assert_eq!(load_hr(&t, 2), (0, 1));
    let second = std::fs::read(&entry).unwrap();
    assert_ne!(second, first);
    assert_eq!(load_hr(&t, 2), (1, 0));
    // One flipped bit in the compiled code is refused the same way; the plugin still loads.
    let mut tampered = second.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 1;
    std::fs::write(&entry, &tampered).unwrap();
    assert_eq!(load_hr(&t, 2), (0, 1));
    assert_eq!(std::fs::read(&entry).unwrap(), second);
    // A cut entry too, down to less than its tag.
    std::fs::write(&entry, &second[..7]).unwrap();
    assert_eq!(load_hr(&t, 2), (0, 1));
}

#[test]
fn removing_a_version_removes_its_compiled_code() {
    let t = TestInstall::new(HR);
    let mut inst = loaded_with_cache(&t);
    let old_sha = inst.lock.systems["hr"].sha256.clone();
    inst.store
        .install(&good_source_as(t.dir.path(), "1.1.0"), None)
        .unwrap();
    inst.upgrade("good-source").unwrap();
    inst.prepare(&runtime(), "hr").unwrap();
    let new_sha = inst.lock.systems["hr"].sha256.clone();
    let dir = inst.store.compiled_dir();
    assert_eq!(entries(&dir).len(), 2);
    inst.store
        .remove("good-source", &"1.0.0".parse().unwrap(), &inst.lock)
        .unwrap();
    let left = entries(&dir);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with(&new_sha) && !left[0].starts_with(&old_sha));
    // The store's listing passes the cache by.
    assert_eq!(inst.store.list().unwrap().len(), 1);
}
