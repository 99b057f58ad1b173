//! `tessera serve` through the real binary with the test plugins: it serves its endpoints,
//! runs on its schedule, logs one JSON object a line with `--log-format json`, and exits 0 on
//! SIGTERM.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;
use tessera_store::SqliteStore;
use tessera_store::prelude::*;
use tessera_testkit::command::text;

use super::engine::Install;

/// A loopback port nobody holds right now.
fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().port()
}

fn get(url: &str) -> (u16, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        match reqwest::get(url).await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.text().await.unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        }
    })
}

fn until(what: &str, child: &mut Child, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the daemon exited early"
        );
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_runs_on_its_schedule_answers_its_endpoints_and_stops_on_sigterm() {
    let install = Install::with_plugins("", super::engine::ROLES);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let listen = format!("127.0.0.1:{port}");
    let mut child = install
        .tessera
        .command(&["--log-format", "json", "serve", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let db = install.path("tessera.db");
    until("the first run", &mut child, || {
        SqliteStore::open(&db)
            .and_then(|s| s.last_success("directory", None))
            .is_ok_and(|at| at.is_some())
    });
    until("the endpoints", &mut child, || {
        get(&format!("{base}/readyz")).0 == 200
    });
    assert_eq!(get(&format!("{base}/healthz")), (200, "ok\n".to_owned()));
    let (status, metrics) = get(&format!("{base}/metrics"));
    assert_eq!(status, 200);
    assert!(metrics.contains("tessera_runs_total{"), "{metrics}");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let out = child.wait_with_output().unwrap();
    let log = text(&out.stderr);
    assert!(out.status.success(), "exit 0 on SIGTERM: {log}");
    let messages: Vec<String> = log
        .lines()
        .map(|line| {
            let entry: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object a line ({e}): {line}"));
            entry["fields"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for expected in [
        "serving",
        "run finished",
        "stopping: the operation in hand finishes and is journalled",
        "stopped",
    ] {
        assert!(
            messages.iter().any(|m| m == expected),
            "no `{expected}` in {messages:?}"
        );
    }
}

/// Posts the console's login form with its cookie; the session cookie set in reply.
fn console_login(base: &str, user: &str, password: &str) -> Option<String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let form = http.get(format!("{base}/login")).send().await.unwrap();
        let cookie = form.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let page = form.text().await.unwrap();
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)?
            .split('"')
            .next()?;
        let body = format!(
            "csrf={csrf}&user={user}&password={}",
            password.replace(' ', "+")
        );
        let reply = http
            .post(format!("{base}/login"))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let session = reply
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("tessera_session="))?;
        Some(session.split(';').next()?.to_owned())
    })
}

#[test]
fn serve_offers_the_console_to_the_users_tessera_user_added() {
    let port = free_port();
    let extra = format!("[console]\nlisten = \"127.0.0.1:{port}\"\n");
    let install = Install::with_plugins(&extra, super::engine::ROLES);
    let password = "a pass phrase of some length";
    let added = install
        .tessera
        .run_with_input(&["user", "add", "rita", "--role", "reviewer"], password);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let short = install
        .tessera
        .run_with_input(&["user", "add", "tom", "--role", "auditor"], "short");
    assert!(!short.status.success(), "a short password is refused");
    let listed = install.tessera.run(&["user", "list", "--json"]);
    let users: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(users.as_array().map(Vec::len), Some(1), "{users}");
    assert_eq!(users[0]["role"], "reviewer");
    assert!(!text(&listed.stdout).contains("argon2"), "no hash is shown");

    let mut child = install
        .tessera
        .command(&["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    until("the console", &mut child, || {
        get(&format!("{base}/login")).0 == 200
    });
    assert_eq!(console_login(&base, "rita", "wrong password here"), None);
    let session = console_login(&base, "rita", password).expect("rita logs in");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let page = rt.block_on(async {
        let http = reqwest::Client::new();
        let reply = http
            .get(format!("{base}/deviations"))
            .header("cookie", session)
            .send()
            .await
            .unwrap();
        (reply.status().as_u16(), reply.text().await.unwrap())
    });
    assert_eq!(page.0, 200, "{}", page.1);
    assert!(
        page.1.contains("rita") && page.1.contains("directory"),
        "{}",
        page.1
    );
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}
