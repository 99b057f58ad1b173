//! `tessera init` writes a starter installation that `tessera check` can read, and `check`
//! lists every problem of it at once, each with its place.

use std::process::Output;

use tessera_testkit::Tessera;

fn tessera(dir: &std::path::Path, args: &[&str]) -> Output {
    Tessera::new(env!("CARGO_BIN_EXE_tessera"))
        .config(dir.join("tessera.toml"))
        .run(args)
}

#[test]
fn init_writes_a_starter_that_check_reads_and_reports_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let out = tessera(dir.path(), &["init"]);
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("roles.toml").exists());
    let written = tessera_config::Settings::load(&dir.path().join("tessera.toml")).unwrap();
    assert!(
        written.plugins.require_signatures,
        "a new installation refuses unsigned plugins"
    );
    let again = tessera(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));

    assert!(
        tessera(
            dir.path(),
            &[
                "secret",
                "keygen",
                dir.path().join("vault.key").to_str().unwrap()
            ]
        )
        .status
        .success()
    );
    let out = tessera(dir.path(), &["check", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let places: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["place"].as_str().unwrap())
        .collect();
    for expected in [
        "ldap.ad.bind_secret",
        "systems.elanza.http_auth[0]",
        "systems.ad",
        "systems.elanza",
    ] {
        assert!(
            places.contains(&expected),
            "{expected} missing from {places:?}"
        );
    }
    assert!(report["passed"].to_string().contains("2 business rules"));
}

#[test]
fn check_refuses_an_unreadable_configuration_as_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tessera.toml"), "[systems.x]\nplugin = 1\n").unwrap();
    let out = tessera(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("plugin"));
}

/// A configuration value the plugin itself refuses is a configuration problem at its key,
/// not a failed connection.
#[test]
fn check_places_a_value_the_plugin_refuses_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tessera.toml"),
        "[systems.hr]\nplugin = \"good-source\"\nconfig = { persons = 3, page_size = 0 }\n",
    )
    .unwrap();
    let good = tessera_testkit::fixture("good-source");
    assert!(
        tessera(dir.path(), &["plugin", "install", good.to_str().unwrap()])
            .status
            .success()
    );
    let out = tessera(dir.path(), &["check", "--json"]);
    // A value to fix in a file: the code `run` and `sync` exit with for one.
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problem = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["place"] == "systems.hr.config.page_size")
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        problem["message"].as_str().unwrap().contains("at least 1"),
        "{problem}"
    );
    assert!(
        !report.to_string().contains("test-connection failed"),
        "{report}"
    );
}

/// A source-only operator gets a starter without the AD example: `check` finds nothing in
/// the role model and no system the files do not have; what is left is what the operator
/// still has to do (install the plugin, set the secret).
#[test]
fn the_source_only_starter_has_nothing_to_fix_in_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = tessera(dir.path(), &["init", "--template", "source-only"]);
    assert!(out.status.success(), "{out:?}");
    let written = std::fs::read_to_string(dir.path().join("tessera.toml")).unwrap();
    assert!(!written.contains("[systems.ad]") && !written.contains("[ldap."));
    let out = tessera(dir.path(), &["check", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    let places: Vec<&str> = problems
        .iter()
        .map(|p| p["place"].as_str().unwrap())
        .collect();
    assert!(
        places
            .iter()
            .all(|p| p.starts_with("systems.elanza") || *p == "vault"),
        "{places:?}"
    );
    assert!(
        report["passed"].to_string().contains("0 business rules"),
        "{report}"
    );
    let unknown = tessera(dir.path(), &["init", "--template", "topdesk"]);
    assert_eq!(unknown.status.code(), Some(2), "{unknown:?}");
}

/// The same configuration problem exits with the same code in `check`, `run` and `sync`: a
/// value in `tessera.toml` for all three, a role model naming an unconfigured system for the
/// two that read the role model.
#[test]
fn a_configuration_problem_exits_two_in_check_run_and_sync() {
    let dir = tempfile::tempdir().unwrap();
    let config = "rules = [\"roles.toml\"]\n[systems.hr]\nplugin = \"good-source\"\n";
    std::fs::write(dir.path().join("tessera.toml"), config).unwrap();
    std::fs::write(
        dir.path().join("roles.toml"),
        "[system.ad]\n[system.ad.account]\nusername = [\"{given}\"]\n",
    )
    .unwrap();
    let good = tessera_testkit::fixture("good-source");
    let install = tessera(dir.path(), &["plugin", "install", good.to_str().unwrap()]);
    assert!(install.status.success(), "{install:?}");
    for args in [&["check"][..], &["sync"]] {
        let out = tessera(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("system.ad")
                || String::from_utf8_lossy(&out.stderr).contains("ad"),
            "{out:?}"
        );
    }
    let broken = format!("{config}[systems.hr.limits]\nmemory_mib = 0\n");
    std::fs::write(dir.path().join("tessera.toml"), broken).unwrap();
    for args in [&["check"][..], &["run", "hr"], &["sync"]] {
        let out = tessera(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("systems.hr.limits.memory_mib"),
            "{args:?}: {stderr}"
        );
    }
}
