use tessera_domain::ConnectorError;
use tessera_runtime::{CallError, Error};
use tessera_testkit::{TestInstall, fixture_bytes, runtime};

fn probe_config(grants: &str) -> String {
    format!(
        "[systems.probe]\nplugin = \"http-probe\"\nconfig = {{ url = \"https://evil.example.com/x\" }}\n[systems.probe.grants]\n{grants}\n"
    )
}

#[tokio::test]
async fn a_call_outside_the_grant_is_denied_naming_the_key() {
    let rt = runtime();
    let t = TestInstall::new(&probe_config("http = [\"https://api.example.org\"]"));
    let mut inst = t.with_plugins(&["http-probe"]);
    let (system, warnings) = inst.prepare(&rt, "probe").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        system.effective_grant()["http"][0],
        "https://api.example.org:443"
    );
    let mut source = system.source().await.unwrap();
    match source.call_read(None).await {
        Err(CallError::Connector(ConnectorError::Denied(m))) => {
            assert!(m.contains("https://evil.example.com:443"), "{m}");
            assert!(m.contains("systems.probe.grants.http"), "{m}");
        }
        other => panic!("expected denied, got {other:?}"),
    }
}

#[test]
fn an_ungranted_import_is_not_linked_and_the_error_names_the_key() {
    let rt = runtime();
    let t = TestInstall::new(&probe_config(""));
    let mut inst = t.with_plugins(&["http-probe"]);
    let err = inst
        .prepare(&rt, "probe")
        .expect_err("must refuse")
        .to_string();
    assert!(err.contains("imports tessera:host/http"), "{err}");
    assert!(err.contains("systems.probe.grants.http"), "{err}");
}

#[test]
fn a_grant_never_requested_is_a_warning_and_not_effective() {
    let rt = runtime();
    let t = TestInstall::new(&probe_config(
        "http = [\"https://api.example.org\", \"https://other.test\"]\nsecrets = [\"x\"]",
    ));
    let mut inst = t.with_plugins(&["http-probe"]);
    let (system, warnings) = inst.prepare(&rt, "probe").unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains("systems.probe.grants.http") && warnings[0].contains("other.test")
    );
    assert!(warnings[1].contains("systems.probe.grants.secrets"));
    assert_eq!(
        system.effective_grant()["http"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        system.effective_grant()["secrets"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn configuration_is_checked_against_the_schema_with_every_problem_listed() {
    let rt = runtime();
    let text = "[systems.rogue]\nplugin = \"hostile\"\nconfig = { colour = \"red\", speed = 3 }\n";
    let t = TestInstall::new(text);
    let mut inst = t.with_plugins(&["hostile"]);
    let err = inst.prepare(&rt, "rogue").expect_err("invalid config");
    let Error::Config { problems, .. } = &err else {
        panic!("{err}")
    };
    let text = problems.join("\n");
    for needle in [
        "systems.rogue.config.colour: unknown key",
        "systems.rogue.config.speed: unknown key",
        "systems.rogue.config.mode: required",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
}

#[test]
fn an_undeclared_import_is_refused_at_load_and_install() {
    let rt = runtime();
    let err = rt
        .load_bytes(&fixture_bytes("undeclared"), "undeclared.wasm")
        .expect_err("refused")
        .to_string();
    assert!(
        err.starts_with("undeclared.wasm: imports beyond its manifest"),
        "{err}"
    );
    assert!(err.contains("tessera:host/http@0.2.3"), "{err}");
    let t = TestInstall::new("");
    let inst = t.open();
    let err = inst
        .store
        .install(&tessera_testkit::fixture("undeclared"), None)
        .expect_err("refused");
    assert!(err.to_string().contains("capabilities.http"), "{err}");
    assert!(inst.store.list().unwrap().is_empty());
}

#[test]
fn a_plugin_for_another_version_requirement_is_not_used() {
    let rt = runtime();
    let t = TestInstall::new("[systems.hr]\nplugin = \"good-source\"\nversion = \"^2\"\n");
    let mut inst = t.with_plugins(&["good-source"]);
    let err = inst.prepare(&rt, "hr").expect_err("no match").to_string();
    assert!(
        err.contains("no installed version of `good-source` matches ^2"),
        "{err}"
    );
}
