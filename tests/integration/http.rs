use serde_json::json;
use tessera_test_servers::web::WebServer;
use tessera_testkit::runtime;

use crate::probe::{ProbeConfig, err, ok, open_grants, run, services, with_api_key};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_granted_request_goes_through() {
    let server = WebServer::start("unused").await;
    let config = ProbeConfig::new(&server.origin(), &open_grants(&server.origin()));
    let r = run(
        &runtime(),
        &config,
        services(),
        &[json!({"op": "http", "url": server.url("/hello")})],
    )
    .await;
    let resp = ok(&r[0]);
    assert_eq!(resp["status"], 200);
    assert_eq!(resp["body"], "hello");
    assert!(resp["headers"].to_string().contains("x-probe"), "{resp}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_origins_redirects_and_plain_http_are_denied_by_key() {
    let server = WebServer::start("unused").await;
    let origin = server.origin();
    let services = services();
    let config = ProbeConfig::new(&origin, &open_grants(&origin));
    let elsewhere = "http://127.0.0.1:1/x";
    let r = run(
        &runtime(),
        &config,
        services.clone(),
        &[
            json!({"op": "http", "url": elsewhere}),
            json!({"op": "http", "url": server.url(&format!("/redirect?to={elsewhere}"))}),
        ],
    )
    .await;
    let (kind, d) = err(&r[0]);
    assert_eq!(kind, "denied");
    assert_eq!(d["config_key"], "systems.probe.grants.http");
    let (kind, d) = err(&r[1]);
    assert_eq!(kind, "denied", "{d}");
    assert!(
        d["what"].as_str().unwrap().starts_with("redirect to"),
        "{d}"
    );
    // The redirecting server was asked once; the denied target never.
    assert_eq!(server.seen().len(), 1);
    let denials = services
        .events()
        .into_iter()
        .filter(|e| e.action == "denied")
        .count();
    assert_eq!(denials, 2, "every denial is audited");

    let plain_not_marked = ProbeConfig::new(
        &origin,
        &format!("http = [\"{origin}\"]\nhttp_private = [\"{origin}\"]"),
    );
    let r = run(
        &runtime(),
        &plain_not_marked,
        services,
        &[json!({"op": "http", "url": server.url("/hello")})],
    )
    .await;
    let (kind, d) = err(&r[0]);
    assert_eq!(
        (kind, d["config_key"].as_str()),
        ("denied", Some("systems.probe.grants.http_insecure"))
    );
    assert_eq!(server.seen().len(), 1, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_addresses_need_a_private_grant() {
    let server = WebServer::start("unused").await;
    let origin = server.origin();
    let localhost = origin.replace("127.0.0.1", "localhost");
    // An IP literal is checked before sending; a name after resolution, in the resolver.
    for base in [&origin, &localhost] {
        let grants = format!("http = [\"{base}\"]\nhttp_insecure = [\"{base}\"]");
        let config = ProbeConfig::new(base, &grants);
        let r = run(
            &runtime(),
            &config,
            services(),
            &[json!({"op": "http", "url": format!("{base}/hello")})],
        )
        .await;
        let (kind, d) = err(&r[0]);
        assert_eq!(kind, "denied", "{base}: {d}");
        assert_eq!(d["config_key"], "systems.probe.grants.http_private", "{d}");
    }
    assert!(
        server.seen().is_empty(),
        "the guard stopped both before sending"
    );
    let granted = format!(
        "http = [\"{localhost}\"]\nhttp_insecure = [\"{localhost}\"]\nhttp_private = [\"{localhost}\"]"
    );
    let config = ProbeConfig::new(&localhost, &granted);
    let r = run(
        &runtime(),
        &config,
        services(),
        &[json!({"op": "http", "url": format!("{localhost}/hello")})],
    )
    .await;
    assert_eq!(ok(&r[0])["status"], 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_bodies_and_slow_servers_fail_cleanly() {
    let server = WebServer::start("unused").await;
    let origin = server.origin();
    let config = ProbeConfig::new(&origin, &open_grants(&origin))
        .extra("[systems.probe.limits]\nhttp_body_mib = 1");
    let r = run(
        &runtime(),
        &config,
        services(),
        &[
            json!({"op": "http", "url": server.url("/big?bytes=2000000")}),
            json!({"op": "http", "url": server.url("/big?bytes=1000")}),
            json!({"op": "http", "url": server.url("/hang"), "timeout_ms": 300}),
        ],
    )
    .await;
    assert_eq!(err(&r[0]).0, "too-large");
    assert_eq!(ok(&r[1])["body"].as_str().unwrap().len(), 1000);
    assert_eq!(err(&r[2]).0, "timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_credentials_reach_the_server_but_never_the_plugin() {
    let server = WebServer::start("oauth-Client-Secret-8820").await;
    let origin = server.origin();
    let config = with_api_key(&origin);
    let plain = json!({"op": "http", "url": server.url("/hello")});
    let forged =
        json!({"op": "http", "url": server.url("/hello"), "headers": [["x-api-key", "forged"]]});
    let r = run(&runtime(), &config, services(), &[plain, forged]).await;
    let plugin_saw = r[0].to_string();
    let seen = server.seen();
    assert_eq!(seen[0].header("x-api-key"), Some("api-Key-Value-5519"));
    assert!(!plugin_saw.contains("api-Key-Value-5519"), "{plugin_saw}");
    // Setting the injected header itself is refused before anything is sent.
    let (kind, d) = err(&r[1]);
    assert_eq!(kind, "invalid", "{d}");
    assert!(d.to_string().contains("x-api-key"), "{d}");
    assert_eq!(seen.len(), 1, "the forged request never left the host");
}

/// A plugin may not pick another virtual host behind a granted address (it would carry the
/// credential injected for the granted origin), nor frame or upgrade the connection itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_and_hop_by_hop_headers_are_refused() {
    let server = WebServer::start("unused").await;
    let origin = server.origin();
    let config = with_api_key(&origin);
    let names = [
        "Host",
        "Connection",
        "Transfer-Encoding",
        "TE",
        "Upgrade",
        "Proxy-Authorization",
        "Content-Length",
        "Authorization",
    ];
    let cmds: Vec<_> = names
        .iter()
        .map(|n| json!({"op": "http", "url": server.url("/hello"), "headers": [[n, "admin.internal"]]}))
        .collect();
    let r = run(&runtime(), &config, services(), &cmds).await;
    for (name, result) in names.iter().zip(&r) {
        let (kind, d) = err(result);
        assert_eq!(kind, "invalid", "{name}: {d}");
        assert!(
            d.to_string().contains("may not be set by a plugin"),
            "{name}: {d}"
        );
    }
    assert!(
        server.seen().is_empty(),
        "no refused request reached the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_and_oauth2_credentials_are_added_and_tokens_cached() {
    let server = WebServer::start("oauth-Client-Secret-8820").await;
    let origin = server.origin();
    let basic = ProbeConfig::new(&origin, &open_grants(&origin)).extra(&format!(
        "[[systems.probe.http_auth]]\norigin = \"{origin}\"\nbasic = {{ username = \"svc-tessera\", secret = \"basic-pw\" }}"
    ));
    run(
        &runtime(),
        &basic,
        services(),
        &[json!({"op": "http", "url": server.url("/hello")})],
    )
    .await;
    // "svc-tessera:basic-Password-4410" in base64.
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some("Basic c3ZjLXRlc3NlcmE6YmFzaWMtUGFzc3dvcmQtNDQxMA==")
    );

    let oauth = ProbeConfig::new(&origin, &open_grants(&origin)).extra(&format!(
        "[[systems.probe.http_auth]]\norigin = \"{origin}\"\noauth2 = {{ token_url = \"{}\", client_id = \"tessera\", secret = \"oauth-secret\" }}",
        server.url("/token")
    ));
    let hello = json!({"op": "http", "url": server.url("/hello")});
    let r = run(&runtime(), &oauth, services(), &[hello.clone(), hello]).await;
    assert_eq!(ok(&r[1])["status"], 200);
    assert_eq!(
        server.tokens_issued(),
        1,
        "the second request reuses the cached token"
    );
    let bearer: Vec<_> = server
        .seen()
        .iter()
        .filter(|s| s.uri == "/hello")
        .map(|s| s.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        bearer[1..],
        [Some("Bearer tok-1".into()), Some("Bearer tok-1".into())]
    );
}
