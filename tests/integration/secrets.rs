use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;
use tessera_test_servers::web::WebServer;
use tessera_testkit::runtime;

use crate::probe::{ProbeConfig, err, ok, run, services, with_api_key};

/// The probe imports http; granting its origin lets it link for tests about other things.
const GRANT_HTTP: &str = "http = [\"https://api.example.org\"]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_read_only_when_granted_and_every_read_is_audited() {
    let services = services();
    let config = ProbeConfig::new("https://api.example.org", GRANT_HTTP);
    let r = run(
        &runtime(),
        &config,
        services.clone(),
        &[
            json!({"op": "secret", "name": "probe-secret", "expect": "pr0be-Secret-Value-7731"}),
            json!({"op": "secret", "name": "api-key"}),
        ],
    )
    .await;
    assert_eq!(ok(&r[0])["matches"], true);
    let (kind, d) = err(&r[1]);
    assert_eq!(
        (kind, d["config_key"].as_str()),
        ("denied", Some("systems.probe.grants.secrets"))
    );
    let events = services.events();
    let read = events
        .iter()
        .find(|e| e.action == "secret-read")
        .expect("read audited");
    assert_eq!(
        (read.what.as_str(), read.outcome.as_str()),
        ("secret `probe-secret`", "ok")
    );
    assert_eq!(read.plugin, "cap-probe@0.1.0");
    assert!(
        events
            .iter()
            .any(|e| e.action == "denied" && e.what.contains("api-key"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_is_kept_per_system_within_its_limit() {
    let config = ProbeConfig::new("https://api.example.org", GRANT_HTTP)
        .extra("[systems.probe.limits]\nstate_kib = 1");
    let services = services();
    let big = "x".repeat(2000);
    let r = run(
        &runtime(),
        &config,
        services.clone(),
        &[
            json!({"op": "state-set", "key": "cursor", "value": "2026-11-22"}),
            json!({"op": "state-get", "key": "cursor"}),
            json!({"op": "state-set", "key": "cache", "value": big}),
            json!({"op": "state-delete", "key": "cursor"}),
            json!({"op": "state-get", "key": "cursor"}),
        ],
    )
    .await;
    assert_eq!(ok(&r[1]), "2026-11-22");
    assert_eq!(err(&r[2]).0, "too-large");
    assert_eq!(ok(&r[4]), &serde_json::Value::Null);
    // A second run of the same system sees what the first left.
    let r = run(
        &runtime(),
        &config,
        services,
        &[json!({"op": "state-set", "key": "k", "value": "v"})],
    )
    .await;
    assert_eq!(ok(&r[0]), &serde_json::Value::Null);
}

/// Everything any test in this binary writes to the log, at every level. Global, because a
/// scoped subscriber misses events whose callsites other test threads registered first.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("first subscriber");
        capture
    })
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_values_appear_in_no_log_and_no_audit_record() {
    let capture = capture();
    let server = WebServer::start("oauth-Client-Secret-8820").await;
    let origin = server.origin();
    let config = with_api_key(&origin);
    let services = services();
    let r = run(
        &runtime(),
        &config,
        services.clone(),
        &[
            json!({"op": "secret", "name": "probe-secret", "expect": "pr0be-Secret-Value-7731"}),
            json!({"op": "http", "url": server.url("/hello")}),
            json!({"op": "http", "url": "http://127.0.0.1:1/denied?key=x"}),
        ],
    )
    .await;
    assert_eq!(ok(&r[0])["matches"], true);
    assert_eq!(
        server.seen()[0].header("x-api-key"),
        Some("api-Key-Value-5519")
    );
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let port = &server.origin()["http://127.0.0.1:".len()..];
    assert!(
        logs.lines().any(|l| l.contains("http request")
            && l.contains(&format!("127.0.0.1:{port} path=/hello status=200"))),
        "the request was logged with origin, path and status: {logs}"
    );
    let audit = format!("{:?}", services.events());
    assert!(
        audit.contains("probe-secret") && audit.contains("api-key"),
        "{audit}"
    );
    for value in ["pr0be-Secret-Value-7731", "api-Key-Value-5519"] {
        assert!(!logs.contains(value), "{value} leaked into the log");
        assert!(
            !audit.contains(value),
            "{value} leaked into the audit trail"
        );
        assert!(
            !r.iter().any(|x| x.to_string().contains(value)),
            "{value} leaked to the plugin"
        );
    }
}

/// A plugin's log lines cannot forge host lines, flood the log, or echo a secret it was given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugin_log_lines_are_escaped_capped_bounded_and_masked() {
    let capture = capture();
    let config = ProbeConfig::new("https://api.example.org", GRANT_HTTP);
    let forged = "looks fine\n2026-12-03T10:00:00Z  WARN tessera::audit: denied forged-line-4411";
    let r = run(
        &runtime(),
        &config,
        services(),
        &[
            json!({"op": "log", "message": forged, "key": "k\nWARN", "value": "v\r\nforged"}),
            json!({"op": "log", "message": "leak-3390 ", "secret": "probe-secret"}),
            json!({"op": "log", "message": "big-7012", "pad": 9 << 20, "key_len": 1 << 20}),
            json!({"op": "log", "message": "flood-5150", "times": 20_000}),
        ],
    )
    .await;
    for result in &r {
        ok(result);
    }
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let forged_line = logs
        .lines()
        .find(|l| l.contains("forged-line-4411"))
        .expect("the forged message was logged");
    assert!(
        forged_line.contains("looks fine\\n2026") && forged_line.contains("k_nWARN=v\\r\\nforged"),
        "escaped on one line: {forged_line}"
    );
    assert!(
        !logs.lines().any(|l| l.starts_with("2026-12-03T10:00:00Z")),
        "a forged line"
    );
    let leak = logs
        .lines()
        .find(|l| l.contains("leak-3390"))
        .expect("logged");
    assert!(leak.contains("leak-3390 [secret]"), "{leak}");
    assert!(
        !logs.contains("pr0be-Secret-Value-7731"),
        "the secret reached the log"
    );
    let big = logs
        .lines()
        .find(|l| l.contains("big-7012"))
        .expect("logged");
    assert!(big.len() < 8 * 1024, "one call wrote {} bytes", big.len());
    let floods = logs.lines().filter(|l| l.contains("flood-5150")).count();
    assert!(
        (1_000..20_000).contains(&floods),
        "{floods} flood lines kept"
    );
    assert!(
        logs.contains("further lines are dropped"),
        "the operator is told"
    );
}

/// A 401 to credentials the host injected names the vault secret and the entry to check: the
/// plugin never sees them, so it cannot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_names_the_secret_to_check() {
    let capture = capture();
    let server = WebServer::start("unused").await;
    let origin = server.origin();
    let config = with_api_key(&origin);
    let r = run(
        &runtime(),
        &config,
        services(),
        &[json!({"op": "http", "url": server.url("/unauthorized")})],
    )
    .await;
    assert_eq!(ok(&r[0])["status"], 401);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|l| l.contains("answered 401"))
        .unwrap_or_else(|| panic!("no hint in {logs}"));
    assert!(
        line.contains("systems.probe.http_auth[0]") && line.contains("vault secret `api-key`"),
        "{line}"
    );
    assert!(!line.contains("api-Key-Value-5519"), "{line}");
}
