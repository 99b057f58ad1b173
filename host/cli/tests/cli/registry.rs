//! `tessera plugin push` and `plugin install oci://…` against a real OCI registry (Debian's
//! `docker-registry`) on loopback: the signature travels with the component, the install is
//! pinned by the manifest's digest into the store and the lockfile, and a component whose
//! signature does not verify is refused with nothing installed.

use serde_json::Value;
use tessera_test_servers::registry::Registry;
use tessera_testkit::command::text;
use tessera_testkit::{Tessera, fixture};

fn sign(sk: &minisign::SecretKey, file: &std::path::Path, to: &std::path::Path) {
    let data = std::fs::read(file).unwrap();
    let sig = minisign::sign(None, sk, std::io::Cursor::new(data), Some("release"), None).unwrap();
    std::fs::write(to, sig.into_string()).unwrap();
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn a_signed_plugin_goes_through_a_registry_pinned_by_digest() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let vendor = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let config = dir.path().join("tessera.toml");
    std::fs::write(
        &config,
        format!(
            "[plugins]\nrequire_signatures = true\ntrusted_keys = [\"{}\"]\n\n\
             [systems.hr]\nplugin = \"good-source\"\n",
            vendor.pk.to_base64()
        ),
    )
    .unwrap();
    let file = dir.path().join("good_source.wasm");
    std::fs::copy(fixture("good-source"), &file).unwrap();
    sign(&vendor.sk, &file, &file.with_extension("wasm.minisig"));
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera")).config(&config);
    let reference = format!("oci://{}/tessera/good-source:1.0.0", registry.host());

    // The vendor pushes; FILE.minisig beside it goes along.
    let pushed = tessera.expect(
        0,
        &[
            "plugin",
            "push",
            file.to_str().unwrap(),
            &reference,
            "--plain-http",
        ],
    );
    let pinned = pushed
        .trim()
        .strip_prefix("pushed ")
        .unwrap_or_else(|| panic!("{pushed}"));
    let prefix = format!("oci://{}/tessera/good-source@sha256:", registry.host());
    assert!(pinned.starts_with(&prefix), "{pushed}");

    // The operator installs by tag: what lands is what the digest names, signature verified.
    let installed = tessera.expect(0, &["plugin", "install", &reference, "--plain-http"]);
    let sha256 = hex_sha256(&std::fs::read(&file).unwrap());
    assert!(installed.contains(&format!("from {pinned}")), "{installed}");
    assert!(installed.contains(&sha256), "{installed}");
    assert!(installed.contains("signed"), "{installed}");
    let listed: Value =
        serde_json::from_str(&tessera.expect(0, &["plugin", "list", "--json"])).unwrap();
    assert_eq!(listed[0]["source"], pinned, "{listed}");

    // The first use pins the system to it, source and all.
    tessera.expect(0, &["plugin", "upgrade", "good-source"]);
    let lock = std::fs::read_to_string(dir.path().join("tessera.lock")).unwrap();
    assert!(lock.contains(&format!("source = \"{pinned}\"")), "{lock}");
    assert!(lock.contains(&sha256), "{lock}");

    // By digest it is the same bytes: a no-op.
    let again = tessera.expect(0, &["plugin", "install", pinned, "--plain-http"]);
    assert!(again.contains(&sha256), "{again}");

    // A blob changed inside the registry no longer matches its digest: another installation
    // refuses it and installs nothing.
    let blob = registry
        .storage()
        .join("docker/registry/v2/blobs/sha256")
        .join(&sha256[..2])
        .join(&sha256)
        .join("data");
    let mut bytes = std::fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();
    let other = tempfile::tempdir().unwrap();
    let other_config = other.path().join("tessera.toml");
    std::fs::copy(&config, &other_config).unwrap();
    let elsewhere = Tessera::new(env!("CARGO_BIN_EXE_tessera")).config(&other_config);
    let refused = elsewhere.run(&["plugin", "install", &reference, "--plain-http"]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let err = text(&refused.stderr);
    assert!(
        err.contains("pull failed") && err.contains("Invalid digest"),
        "{err}"
    );
    assert_eq!(
        elsewhere.expect(0, &["plugin", "list", "--json"]).trim(),
        "[]"
    );
}

#[test]
fn a_signature_that_does_not_verify_installs_nothing() {
    let registry = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let vendor = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let stranger = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let config = dir.path().join("tessera.toml");
    std::fs::write(
        &config,
        format!(
            "[plugins]\nrequire_signatures = true\ntrusted_keys = [\"{}\"]\n",
            vendor.pk.to_base64()
        ),
    )
    .unwrap();
    let file = dir.path().join("good_source.wasm");
    std::fs::copy(fixture("good-source"), &file).unwrap();
    let forged = dir.path().join("forged.minisig");
    sign(&stranger.sk, &file, &forged);
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera")).config(&config);
    let reference = format!("oci://{}/tessera/good-source:1.0.0", registry.host());
    let push = [
        "plugin",
        "push",
        file.to_str().unwrap(),
        &reference,
        "--plain-http",
        "--signature",
        forged.to_str().unwrap(),
    ];
    tessera.expect(0, &push);
    let refused = tessera.run(&["plugin", "install", &reference, "--plain-http"]);
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let err = text(&refused.stderr);
    assert!(err.contains("signature"), "{err}");
    assert!(err.contains("does not verify"), "{err}");
    let listed = tessera.expect(0, &["plugin", "list", "--json"]);
    assert_eq!(listed.trim(), "[]", "nothing installed");

    // Plain HTTP elsewhere than loopback is refused before anything is sent.
    let far = tessera.run(&[
        "plugin",
        "install",
        "oci://registry.example.org/tessera/good-source:1.0.0",
        "--plain-http",
    ]);
    assert_eq!(far.status.code(), Some(1));
    assert!(
        text(&far.stderr).contains("only to a registry on loopback"),
        "{far:?}"
    );
    // An unsigned push is refused at install where signatures are required.
    let unsigned = format!("oci://{}/tessera/unsigned:1.0.0", registry.host());
    std::fs::remove_file(file.with_extension("wasm.minisig")).ok();
    tessera.expect(
        0,
        &[
            "plugin",
            "push",
            file.to_str().unwrap(),
            &unsigned,
            "--plain-http",
        ],
    );
    let refused = tessera.run(&["plugin", "install", &unsigned, "--plain-http"]);
    assert!(
        text(&refused.stderr).contains("no signature given"),
        "{refused:?}"
    );
}
