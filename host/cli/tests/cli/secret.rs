//! `tessera secret` end to end: the built binary, a temporary installation and a vault key.

use std::path::{Path, PathBuf};
use std::process::Output;

use tessera_store::VaultKey;
use tessera_testkit::Tessera;
use tessera_testkit::command::text;

const VALUE: &str = "Tr0ub4dor&3-not-in-any-file";

struct Setup {
    dir: tempfile::TempDir,
    key: String,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("tessera.toml"), "").expect("config");
        let key = VaultKey::generate().expect("key").to_hex().to_string();
        Self { dir, key }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("tessera.toml")
    }

    /// Runs `tessera ARGS` with `key` in the environment (if any) and `stdin` piped in.
    fn run(&self, args: &[&str], key: Option<&str>, stdin: &str) -> Output {
        let mut tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera")).config(self.config());
        if let Some(key) = key {
            tessera = tessera.env("TESSERA_VAULT_KEY", key);
        }
        let out = tessera.run_with_input(args, stdin);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(VALUE), "the value was printed: {all}");
        out
    }

    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, Some(&self.key), stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }
}

/// Whether any file in `dir` contains `needle` (the database, its WAL, anything).
fn any_file_contains(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir).expect("list").any(|entry| {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

#[test]
fn set_list_and_delete_never_show_the_value() {
    let setup = Setup::new();
    setup.ok(&["secret", "set", "hr.api-token"], &format!("{VALUE}\n"));
    let list = setup.ok(&["secret", "list"], "");
    assert!(list.contains("hr.api-token"), "{list}");
    let json: serde_json::Value =
        serde_json::from_str(&setup.ok(&["secret", "list", "--json"], "")).expect("json");
    assert_eq!(json[0]["name"], "hr.api-token");
    assert!(json[0]["changed_at"].is_string());
    assert!(setup.dir.path().join("tessera.db").exists());
    assert!(!any_file_contains(setup.dir.path(), VALUE));
    assert!(!any_file_contains(setup.dir.path(), &setup.key));

    setup.ok(&["secret", "delete", "hr.api-token"], "");
    assert!(!setup.ok(&["secret", "list"], "").contains("hr.api-token"));
    let again = setup.run(&["secret", "delete", "hr.api-token"], Some(&setup.key), "");
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("no secret `hr.api-token`"));
}

#[test]
fn a_wrong_or_missing_key_is_refused_clearly() {
    let setup = Setup::new();
    setup.ok(&["secret", "set", "ad.bind"], VALUE);
    let wrong = VaultKey::generate().expect("key").to_hex().to_string();
    let out = setup.run(&["secret", "set", "other"], Some(&wrong), "x\n");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("this key does not open this vault"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&wrong) && !stderr.contains(&setup.key),
        "{stderr}"
    );

    let out = setup.run(&["secret", "set", "other"], None, "x\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("TESSERA_VAULT_KEY"));
    let out = setup.run(&["secret", "set", "other"], Some(&setup.key), "\n");
    assert!(text(&out.stderr).contains("empty"), "{}", text(&out.stderr));
    let names = setup.ok(&["secret", "list"], "");
    assert!(
        names.contains("ad.bind") && !names.contains("other"),
        "{names}"
    );
}

#[test]
fn keygen_writes_a_private_key_file_once() {
    let setup = Setup::new();
    let file = setup.dir.path().join("vault.key");
    let path = file.to_str().expect("utf-8 path");
    setup.ok(&["secret", "keygen", path], "");
    let hex = std::fs::read_to_string(&file).expect("key file");
    assert_eq!(hex.trim().len(), 64);
    assert!(hex.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = setup.run(&["secret", "keygen", path], None, "");
    assert!(!again.status.success());
    assert_eq!(std::fs::read_to_string(&file).expect("unchanged"), hex);

    // The file then serves as the vault key, with no environment variable.
    std::fs::write(setup.config(), "[vault]\nkey_file = \"vault.key\"\n").expect("config");
    let out = setup.run(&["secret", "set", "from-file"], None, VALUE);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
