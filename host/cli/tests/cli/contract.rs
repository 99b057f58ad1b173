//! `tessera plugin test FILE`: a plugin's author runs the connector contract against the
//! built component and a (here mock) system, without installing it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tessera_test_servers::topdesk::{Data, Fault, TopdeskMock, TopdeskOptions};
use tessera_testkit::command::{check, text};
use tessera_testkit::{Tessera, plugin};

use crate::fixtures::{ELANZA_KEY, elanza_system, small_elanza};

const VAULT: &str = "4c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5";
const PASSWORD: &str = "topdesk-App-Password-5521";

/// What the TOPdesk test creates and changes: persons need a surname and a branch.
const CASE: &str = r#"
username = "cbakker"
missing = "7d0e5c00-0000-4000-8000-00000000dead"
[attributes]
surName = "Bakker"
branch = "Hoofdlocatie"
employeeNumber = "3003"
[change]
department = "Spoedeisende hulp"
"#;

/// A configuration in `dir` with `system`, and the binary run with it and a vault key, the
/// secret `name` already set to `value`.
fn tessera(dir: &Path, system: &str, secret: (&str, &str)) -> Tessera {
    let config = dir.join("tessera.toml");
    std::fs::write(&config, system).unwrap();
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera"))
        .config(&config)
        .env("TESSERA_VAULT_KEY", VAULT);
    let set = tessera.run_with_input(&["secret", "set", secret.0], secret.1);
    assert!(set.status.success(), "{}", text(&set.stderr));
    tessera
}

async fn topdesk(dir: &Path) -> (TopdeskMock, Tessera, PathBuf) {
    let mut data = Data::default();
    data.add_branch("Hoofdlocatie");
    data.add_department("Spoedeisende hulp");
    data.add_reason("Persoon uit organisatie");
    let options = TopdeskOptions {
        login: "tessera-api".into(),
        password: PASSWORD.into(),
    };
    let mock = TopdeskMock::start(options, data).await;
    let url = mock.url();
    let system = format!(
        "[systems.topdesk]\nplugin = \"topdesk\"\n[systems.topdesk.limits]\nhttp_timeout_seconds = 1\n\
         [systems.topdesk.config]\nbase_url = \"{url}\"\n\
         [systems.topdesk.grants]\nhttp = [\"{url}\"]\nhttp_insecure = [\"{url}\"]\nhttp_private = [\"{url}\"]\n\
         [[systems.topdesk.http_auth]]\norigin = \"{url}\"\nbasic = {{ username = \"tessera-api\", secret = \"topdesk-password\" }}\n"
    );
    let tessera = tessera(dir, &system, ("topdesk-password", PASSWORD));
    let case = dir.join("case.toml");
    std::fs::write(&case, CASE).unwrap();
    (mock, tessera, case)
}

fn test_args<'a>(file: &'a Path, system: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let args = ["plugin", "test", file.to_str().unwrap(), "--system", system];
    [&args[..], extra].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_passes_its_steps_and_skips_the_feed_it_does_not_have() {
    let dir = tempfile::tempdir().unwrap();
    let (mock, tessera, case) = topdesk(dir.path()).await;
    let file = plugin("topdesk");
    let out = tessera.expect(
        0,
        &test_args(&file, "topdesk", &["--case", case.to_str().unwrap()]),
    );
    let steps = ["create", "list", "get", "not-found", "update", "disable"];
    for step in steps.into_iter().chain(["enable"]) {
        assert!(out.contains(&format!("ok  {step}\n")), "{step}: {out}");
    }
    assert!(!out.contains("BROKEN"), "{out}");
    assert!(
        out.contains("skipped: the target declares no change feed"),
        "{out}"
    );
    assert!(mock.person("networkLoginName", "cbakker").is_some());
    assert!(!out.contains(PASSWORD), "a secret in the output");
    assert!(
        !dir.path().join("plugins").exists(),
        "nothing was installed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_breaks_is_named_and_fails_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let (mock, tessera, case) = topdesk(dir.path()).await;
    // The update's write is refused; create and the reads before it still pass.
    mock.fault("PATCH /tas/api/persons/id/", Fault::Status(400), 1);
    let file = plugin("topdesk");
    let args = test_args(&file, "topdesk", &["--case", case.to_str().unwrap()]);
    let run = tessera.run(&args);
    let out = check(1, &args, &run);
    assert!(out.contains("  ok  not-found\n"), "{out}");
    assert!(out.contains("  BROKEN update: "), "{out}");
    assert!(!out.contains("ok  update"), "{out}");
    assert!(out.contains("skipped: the target scenario broke"), "{out}");
    assert!(text(&run.stderr).contains("target at update"), "{out}");

    // --json says the same, for a script.
    mock.fault("PATCH /tas/api/persons/id/", Fault::Status(400), 1);
    let case = dir.path().join("json.toml");
    std::fs::write(&case, CASE.replace("cbakker", "jbakker")).unwrap();
    let args = test_args(
        &file,
        "topdesk",
        &["--case", case.to_str().unwrap(), "--json"],
    );
    let shown: Value = serde_json::from_str(&check(1, &args, &tessera.run(&args))).unwrap();
    let target = &shown["scenarios"][0];
    assert_eq!(target["name"], "target", "{shown}");
    assert_eq!(target["broken"]["step"], "update", "{shown}");
    assert_eq!(target["passed"][0], "create", "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_without_a_case_or_a_configured_system_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_mock, tessera, _) = topdesk(dir.path()).await;
    let file = plugin("topdesk");
    let args = test_args(&file, "topdesk", &[]);
    let run = tessera.run(&args);
    check(2, &args, &run);
    assert!(text(&run.stderr).contains("--case FILE.toml"));
    let args = test_args(&file, "nowhere", &[]);
    let run = tessera.run(&args);
    check(2, &args, &run);
    let why = text(&run.stderr);
    assert!(
        why.contains("no system `nowhere` (known: topdesk)"),
        "{why}"
    );
    let missing = dir.path().join("missing.wasm");
    let args = test_args(&missing, "topdesk", &[]);
    let run = tessera.run(&args);
    check(1, &args, &run);
    let why = text(&run.stderr);
    assert!(
        why.contains("reading the plugin") && why.contains("missing.wasm"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_passes_and_says_so_in_json() {
    let mock = small_elanza().await;
    let system = elanza_system(&mock);
    let dir = tempfile::tempdir().unwrap();
    let tessera = tessera(dir.path(), &system, ("elanza-api-key", ELANZA_KEY));
    let file = plugin("elanza");
    let out = tessera.expect(0, &test_args(&file, "elanza", &[]));
    assert!(out.contains("  ok  foreign cursor\n"), "{out}");
    let shown = tessera.json(0, &test_args(&file, "elanza", &["--json"]));
    assert_eq!(shown["kind"], "source", "{shown}");
    assert_eq!(shown["system"], "elanza", "{shown}");
    assert!(shown["plugin"].as_str().unwrap().starts_with("elanza@"));
    let source = &shown["scenarios"][0];
    assert_eq!(source["name"], "source");
    assert_eq!(
        source["passed"],
        serde_json::json!(["read", "read again", "foreign cursor", "feed"])
    );
    assert!(source["broken"].is_null(), "{shown}");
    assert!(
        !shown.to_string().contains(ELANZA_KEY),
        "a secret in the output"
    );
}
