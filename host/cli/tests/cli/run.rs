//! `tessera run SOURCE`: what an operator sees of one source's run, warnings included.

use serde_json::Value;
use tessera_test_servers::elanza::Faults;
use tessera_testkit::command::text;
use tessera_testkit::{Tessera, plugin};

use crate::fixtures::{ELANZA_KEY, elanza_system, small_elanza};

const VAULT: &str = "4c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_run_shows_its_warnings_and_its_log_has_no_colour_codes() {
    let mock = small_elanza().await;
    let (number, email) = mock.with_data(|d| {
        let w = &d.workers[1].worker;
        (w.worker_number.unwrap(), w.email.clone())
    });
    mock.set_faults(Faults {
        worker_without_number: Some(number),
        ..Faults::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tessera.toml");
    std::fs::write(&config, elanza_system(&mock)).unwrap();
    let tessera = Tessera::new(env!("CARGO_BIN_EXE_tessera"))
        .config(&config)
        .env("TESSERA_VAULT_KEY", VAULT)
        .env("TESSERA_LOG", "info");
    let elanza = plugin("elanza");
    tessera.expect(0, &["plugin", "install", elanza.to_str().unwrap()]);
    let set = tessera.run_with_input(&["secret", "set", "elanza-api-key"], ELANZA_KEY);
    assert!(set.status.success(), "{}", text(&set.stderr));
    let out = tessera.run(&["run", "elanza", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["persons"], 3, "{shown}");
    assert_eq!(shown["warning_count"], 1, "{shown}");
    assert_eq!(shown["warnings"][0]["subject"], email.as_str(), "{shown}");
    let log = text(&out.stderr);
    assert!(
        log.contains("http request"),
        "the run logged at info: {log}"
    );
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a piped log: {log:?}"
    );
}
