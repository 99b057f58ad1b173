//! `tessera plugin inspect`: what an auditor sees of a plugin without running it, and that the
//! signature it reports is the one a load would check, not the one recorded at install.

use serde_json::Value;
use tessera_testkit::command::text;
use tessera_testkit::{Tessera, fixture};

fn sign(sk: &minisign::SecretKey, file: &std::path::Path) -> std::path::PathBuf {
    let data = std::fs::read(file).unwrap();
    let sig = minisign::sign(None, sk, std::io::Cursor::new(data), Some("release"), None).unwrap();
    let out = file.with_extension("wasm.minisig");
    std::fs::write(&out, sig.into_string()).unwrap();
    out
}

#[test]
fn inspect_reports_manifest_imports_digest_and_the_signature_a_load_would_see() {
    let dir = tempfile::tempdir().unwrap();
    let ours = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let theirs = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let config = dir.path().join("tessera.toml");
    std::fs::write(
        &config,
        format!(
            "[plugins]\nrequire_signatures = true\ntrusted_keys = [\"{}\"]\n",
            ours.pk.to_base64()
        ),
    )
    .unwrap();
    let file = dir.path().join("good_source.wasm");
    std::fs::copy(fixture("good-source"), &file).unwrap();
    let sig = sign(&ours.sk, &file);
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera")).config(&config);
    let args = ["plugin", "install", file.to_str().unwrap(), "--signature"];
    tessera.expect(0, &[&args[..], &[sig.to_str().unwrap()]].concat());

    let shown: Value = tessera.json(0, &["plugin", "inspect", "good-source@1.0.0", "--json"]);
    assert_eq!(shown["manifest"]["id"], "good-source", "{shown}");
    let sha = hex_sha256(&std::fs::read(&file).unwrap());
    assert_eq!(shown["sha256"], sha.as_str());
    assert!(
        shown["signature"]
            .as_str()
            .unwrap()
            .starts_with("signed, verified"),
        "{shown}"
    );
    assert!(shown["refused"].is_null(), "{shown}");
    let imports = shown["imports"].to_string();
    assert!(imports.contains("tessera:host/log"), "{imports}");

    // The installed signature replaced by one from an untrusted key: inspect says a load
    // would refuse it, although meta.json still records a verified install.
    let installed = dir
        .path()
        .join("plugins/good-source/1.0.0/plugin.wasm.minisig");
    let forged = sign(&theirs.sk, &file);
    std::fs::copy(&forged, &installed).unwrap();
    let text_out = tessera.expect(0, &["plugin", "inspect", "good-source@1.0.0"]);
    assert!(text_out.contains("REFUSED at load"), "{text_out}");

    // A bare name inspects the newest installed version; an unknown one lists what is there.
    let newest: Value = tessera.json(0, &["plugin", "inspect", "good-source", "--json"]);
    assert_eq!(newest["sha256"], sha.as_str());
    let unknown = tessera.run(&["plugin", "inspect", "elanza"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("installed: good-source"),
        "{}",
        text(&unknown.stderr)
    );
    // The origins a plugin asks for through its configuration are named.
    let probe = tessera.expect(
        0,
        &["plugin", "inspect", fixture("cap-probe").to_str().unwrap()],
    );
    assert!(probe.contains("the origin of config `base_url`"), "{probe}");

    // A component that imports the host's HTTP without asking is shown as refused.
    let undeclared = fixture("undeclared");
    let out = tessera.run(&["plugin", "inspect", undeclared.to_str().unwrap(), "--json"]);
    let shown: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{} {}", text(&out.stdout), text(&out.stderr)));
    assert!(shown["refused"].is_string(), "{shown}");
}

fn hex_sha256(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(bytes);
    digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A version requirement nothing installed meets says what is installed.
#[test]
fn an_unmet_version_requirement_lists_the_installed_versions() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tessera.toml");
    std::fs::write(
        &config,
        "[systems.hr]\nplugin = \"good-source\"\nversion = \"^2\"\nconfig = { persons = 1, page_size = 1 }\n",
    )
    .unwrap();
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera")).config(&config);
    let good = fixture("good-source");
    tessera.expect(0, &["plugin", "install", good.to_str().unwrap()]);
    let out = tessera.run(&["run", "hr"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("matches ^2 (installed: 1.0.0)"), "{err}");
}

/// A vendor's own key and signature from `plugin keygen` and `plugin sign`: a plugin they sign
/// installs where their key is trusted and signatures are required, one signed with a key
/// nobody trusts does not, and keygen never overwrites a key.
#[test]
fn keygen_and_sign_make_what_install_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tessera.toml");
    // The build machine's way: the password from the environment.
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera"))
        .config(&config)
        .env("TESSERA_SIGNING_PASSWORD", "correct horse");
    let prefix = dir.path().join("vendor");
    let made = tessera.expect(0, &["plugin", "keygen", prefix.to_str().unwrap()]);
    let public = made
        .split_once("trusted_keys = [\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(key, _)| key.to_owned())
        .unwrap_or_else(|| panic!("{made}"));
    let secret = dir.path().join("vendor.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key is its owner's only");
    }
    let pub_file = std::fs::read_to_string(dir.path().join("vendor.pub")).unwrap();
    assert!(pub_file.contains(&public), "{pub_file}");
    let again = tessera.run(&["plugin", "keygen", prefix.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("never overwrites"));

    std::fs::write(
        &config,
        format!("[plugins]\nrequire_signatures = true\ntrusted_keys = [\"{public}\"]\n"),
    )
    .unwrap();
    let file = dir.path().join("good_source.wasm");
    std::fs::copy(fixture("good-source"), &file).unwrap();
    let file_arg = file.to_str().unwrap();
    let signed = tessera.expect(
        0,
        &[
            "plugin",
            "sign",
            file_arg,
            "--key",
            secret.to_str().unwrap(),
        ],
    );
    let signature = dir.path().join("good_source.wasm.minisig");
    assert!(signed.contains("good_source.wasm.minisig"), "{signed}");
    let sig_text = std::fs::read_to_string(&signature).unwrap();
    assert!(
        sig_text.contains("trusted comment: file:good_source.wasm sha256:"),
        "{sig_text}"
    );

    // The wrong password opens nothing.
    let wrong = Tessera::new(env!("CARGO_BIN_EXE_tessera"))
        .config(&config)
        .env("TESSERA_SIGNING_PASSWORD", "battery staple");
    let refused = wrong.run(&[
        "plugin",
        "sign",
        file_arg,
        "--key",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("password"), "{refused:?}");
    assert!(!text(&refused.stderr).contains("battery"), "{refused:?}");
    // A key nobody trusts signs the same file: refused at install.
    let stranger = dir.path().join("stranger");
    tessera.expect(0, &["plugin", "keygen", stranger.to_str().unwrap()]);
    let other = dir.path().join("other.wasm");
    std::fs::copy(&file, &other).unwrap();
    let stranger_key = dir.path().join("stranger.key");
    tessera.expect(
        0,
        &[
            "plugin",
            "sign",
            other.to_str().unwrap(),
            "--key",
            stranger_key.to_str().unwrap(),
        ],
    );
    let forged = dir.path().join("other.wasm.minisig");
    let refused = tessera.run(&[
        "plugin",
        "install",
        file_arg,
        "--signature",
        forged.to_str().unwrap(),
    ]);
    assert_ne!(refused.status.code(), Some(0), "{refused:?}");

    let installed = tessera.expect(
        0,
        &[
            "plugin",
            "install",
            file_arg,
            "--signature",
            signature.to_str().unwrap(),
        ],
    );
    assert!(installed.contains("good-source@1.0.0"), "{installed}");
    let shown: Value = tessera.json(0, &["plugin", "inspect", "good-source@1.0.0", "--json"]);
    assert!(
        shown["signature"]
            .as_str()
            .unwrap()
            .starts_with("signed, verified"),
        "{shown}"
    );
}

/// Runs cargo on a crate `plugin new` made, in the target directory the first-party plugins
/// use (so the SDK and its dependencies are built once), without the host build's flags.
fn cargo(krate: &std::path::Path, target_dir: &str, args: &[&str]) -> std::process::Output {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut cmd =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args)
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", root.join(target_dir));
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().expect("cargo runs")
}

/// Stops the mock far system when the test ends, passed or not.
struct FarSystem(std::process::Child);

impl Drop for FarSystem {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a new crate's `examples/far_system.rs` on a free loopback port and `tessera plugin
/// test` against it with the crate's `contract.toml` (and `case.toml` for a target), as its
/// README says; answers what the command printed.
fn contract_against_far_system(
    krate: &std::path::Path,
    wasm: &std::path::Path,
    kind: &str,
) -> String {
    use std::io::BufRead;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let built = cargo(
        krate,
        "target/plugins-native",
        &["build", "--quiet", "--example", "far_system"],
    );
    assert!(
        built.status.success(),
        "{kind}: far system\n{}",
        text(&built.stderr)
    );
    let mut child =
        std::process::Command::new(root.join("target/plugins-native/debug/examples/far_system"))
            .arg("127.0.0.1:0")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _far = FarSystem(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let config = std::fs::read_to_string(krate.join("contract.toml")).unwrap();
    assert!(config.contains("http://127.0.0.1:8089"), "{config}");
    std::fs::write(
        krate.join("contract.toml"),
        config.replace("http://127.0.0.1:8089", &url),
    )
    .unwrap();
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera"))
        .config(krate.join("contract.toml"))
        .dir(krate);
    let system = format!("acme-{kind}");
    let mut args = vec![
        "plugin",
        "test",
        wasm.to_str().unwrap(),
        "--system",
        &system,
    ];
    if kind == "target" {
        args.extend(["--case", "case.toml"]);
    }
    tessera.expect(0, &args)
}

/// `plugin new` makes a crate of each kind that builds into a component the host reads as that
/// kind, whose own tests pass in the SDK's mock host, and that passes the connector contract
/// against the mock far system it comes with; it refuses bad names, a directory that is not
/// the SDK, and an existing crate.
#[test]
fn new_plugins_build_pass_their_test_and_inspect_as_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sdk = root.join("sdk");
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera"));
    let at = dir.path().to_str().unwrap();
    for kind in ["source", "target"] {
        let name = format!("acme-{kind}");
        let args = [
            "plugin",
            "new",
            &name,
            "--kind",
            kind,
            "--sdk",
            sdk.to_str().unwrap(),
            "--dir",
            at,
        ];
        tessera.expect(0, &args);
        let again = tessera.run(&args);
        assert!(
            text(&again.stderr).contains("never overwrites"),
            "{}",
            text(&again.stderr)
        );
        let krate = dir.path().join(&name);
        // The first-party plugins' lockfile: the same dependency versions, nothing to fetch.
        std::fs::copy(root.join("plugins/Cargo.lock"), krate.join("Cargo.lock")).unwrap();
        let test = cargo(&krate, "target/plugins-native", &["test", "--quiet"]);
        assert!(
            test.status.success(),
            "{kind}: cargo test\n{}",
            text(&test.stderr)
        );
        // The mapping tests and the tests that run the plugin in the SDK's mock host.
        let passed = if kind == "source" { 3 } else { 4 };
        assert!(
            text(&test.stdout).contains(&format!("test result: ok. {passed} passed")),
            "{kind}: cargo test\n{}",
            text(&test.stdout)
        );
        let wasm = ["build", "--release", "--quiet", "--target", "wasm32-wasip2"];
        let built = cargo(&krate, "target/plugins", &wasm);
        assert!(
            built.status.success(),
            "{kind}: cargo build\n{}",
            text(&built.stderr)
        );
        let file = root.join(format!(
            "target/plugins/wasm32-wasip2/release/acme_{kind}.wasm"
        ));
        let shown: Value =
            tessera.json(0, &["plugin", "inspect", file.to_str().unwrap(), "--json"]);
        assert_eq!(
            (
                shown["manifest"]["id"].as_str(),
                shown["manifest"]["kind"].as_str()
            ),
            (Some(name.as_str()), Some(kind)),
            "{shown}"
        );
        assert!(krate.join("README.md").exists() && krate.join("mock.json").exists());
        let report = contract_against_far_system(&krate, &file, kind);
        let last = if kind == "source" {
            "ok  foreign cursor"
        } else {
            "ok  delete"
        };
        assert!(report.contains(last), "{kind}: plugin test\n{report}");
    }
    let bad = tessera.run(&[
        "plugin",
        "new",
        "Acme_HR",
        "--kind",
        "source",
        "--sdk",
        sdk.to_str().unwrap(),
        "--dir",
        at,
    ]);
    assert!(
        text(&bad.stderr).contains("not a plugin name"),
        "{}",
        text(&bad.stderr)
    );
    let not_sdk = tessera.run(&[
        "plugin", "new", "acme-x", "--kind", "source", "--sdk", at, "--dir", at,
    ]);
    assert!(
        text(&not_sdk.stderr).contains("not the tessera-sdk crate"),
        "{}",
        text(&not_sdk.stderr)
    );
}
