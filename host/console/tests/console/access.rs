//! Who gets in and what each role may do, checked at the endpoints, not only in the pages.

use reqwest::StatusCode;
use tessera_console::Settings;
use tessera_store::prelude::*;

use crate::support::{Console, PASSWORD};

type Form<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn pages_need_a_login_and_every_role_can_read_them() {
    let console = Console::start(Settings::default()).await;
    let mut anonymous = console.client();
    for path in ["/", "/deviations", "/audit", "/persons", "/grants"] {
        let reply = anonymous.get(path).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.location(), "/login", "{path}");
    }
    for user in ["admin", "olga", "rita", "audrey"] {
        let mut client = console.login(user).await;
        for path in [
            "/",
            "/runs",
            "/deviations",
            "/approvals",
            "/grants",
            "/persons",
            "/audit",
            "/plugins",
        ] {
            let reply = client.get(path).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{user} on {path}: {}",
                reply.body
            );
            assert!(reply.body.contains(user), "{path} names who is logged in");
        }
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_the_session_cookie_is_locked_down() {
    let console = Console::start(Settings::default()).await;
    let mut client = console.client();
    let csrf = client.get("/login").await.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("user", "rita"),
        ("password", PASSWORD),
    ];
    let reply = client.post("/login", &form).await;
    let session = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("tessera_session="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
    let page = client.get("/deviations").await;
    let header = |name: &str| page.headers.get(name).unwrap().to_str().unwrap().to_owned();
    let csp = header("content-security-policy");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "no-store");
    assert!(!page.body.contains("<script"), "the pages need no scripts");
}

#[tokio::test]
async fn each_role_is_refused_what_it_may_not_do_at_the_endpoint() {
    let console = Console::start(Settings::default()).await;
    // Forms posted straight at the endpoints, with a valid token, as a page never offers them.
    let cases: [(&str, &str, Form); 6] = [
        (
            "audrey",
            "/deviations/review",
            &[
                ("system", "ad"),
                ("account", "a"),
                ("kind", "group"),
                ("key", "vpn"),
                ("verdict", "revoke"),
                ("reason", "r"),
            ],
        ),
        (
            "audrey",
            "/grants",
            &[
                ("person", "p1"),
                ("system", "ad"),
                ("kind", "group"),
                ("key", "vpn"),
                ("reason", "r"),
            ],
        ),
        (
            "rita",
            "/grants",
            &[
                ("person", "p1"),
                ("system", "ad"),
                ("kind", "group"),
                ("key", "vpn"),
                ("reason", "r"),
            ],
        ),
        (
            "rita",
            "/approvals/decide",
            &[("id", "1"), ("verdict", "approve"), ("reason", "r")],
        ),
        (
            "olga",
            "/deviations/review",
            &[
                ("system", "ad"),
                ("account", "a"),
                ("kind", "group"),
                ("key", "vpn"),
                ("verdict", "revoke"),
                ("reason", "r"),
            ],
        ),
        (
            "olga",
            "/users",
            &[
                ("name", "mallory"),
                ("role", "admin"),
                ("password", "a long password here"),
            ],
        ),
    ];
    for (user, path, form) in cases {
        let mut client = console.login(user).await;
        let reply = client.submit("/", path, form).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{user} → {path}: {}",
            reply.body
        );
        assert!(reply.body.contains("may not"), "{}", reply.body);
    }
    let store = console.store();
    assert!(store.grants(true).unwrap().is_empty(), "no grant was made");
    assert!(
        store.user("mallory").unwrap().is_none(),
        "no user was added"
    );
    let mut admin = console.login("admin").await;
    assert_eq!(admin.get("/users").await.status, StatusCode::OK);
    let mut olga = console.login("olga").await;
    assert_eq!(olga.get("/users").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_form_without_the_sessions_token_is_refused() {
    let console = Console::start(Settings::default()).await;
    let mut olga = console.login("olga").await;
    let form = [
        ("person", "p1"),
        ("system", "ad"),
        ("kind", "group"),
        ("key", "vpn"),
        ("reason", "r"),
    ];
    let without = olga.post("/grants", &form).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let mut forged = vec![("csrf", "0".repeat(64))];
    forged.extend(form.iter().map(|(k, v)| (*k, v.to_string())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        olga.post("/grants", &forged).await.status,
        StatusCode::FORBIDDEN
    );
    // Another session's token does not do either.
    let mut oscar = console.login("oscar").await;
    let theirs = oscar.get("/").await.csrf();
    let mut borrowed = vec![("csrf", theirs.as_str())];
    borrowed.extend_from_slice(&form);
    assert_eq!(
        olga.post("/grants", &borrowed).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(console.store().grants(true).unwrap().is_empty());
    // A login form posted without its cookie (from another site) is refused too.
    let mut fresh = console.client();
    let csrf = fresh.get("/login").await.csrf();
    fresh.cookies.clear();
    let login = [
        ("csrf", csrf.as_str()),
        ("user", "olga"),
        ("password", PASSWORD),
    ];
    assert_eq!(
        fresh.post("/login", &login).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn failed_logins_are_audited_and_limited_without_telling_which_part_was_wrong() {
    let console = Console::start(Settings::default()).await;
    let mut client = console.client();
    let unknown = client.log_in("nobody", PASSWORD).await;
    let wrong = client.log_in("rita", "not the password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(unknown.body.contains("Wrong user name or password"));
    assert!(wrong.body.contains("Wrong user name or password"));
    for _ in 0..4 {
        assert_eq!(
            client.log_in("rita", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Five failures for rita: even the right password waits now.
    let limited = client.log_in("rita", PASSWORD).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert!(!client.cookies.contains_key("tessera_session"));
    // Another user from the same address still gets in.
    assert_eq!(
        client.log_in("olga", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let logins: Vec<(Option<String>, String)> = console
        .store()
        .audit_entries(None)
        .unwrap()
        .into_iter()
        .filter(|e| e.record.action == "console-login")
        .map(|e| (e.record.actor, e.record.outcome))
        .collect();
    let outcome = |who: &str, starts: &str| {
        logins
            .iter()
            .filter(|(a, o)| a.as_deref() == Some(who) && o.starts_with(starts))
            .count()
    };
    assert_eq!(outcome("nobody", "failed"), 1);
    assert_eq!(outcome("rita", "failed"), 5);
    assert_eq!(outcome("rita", "refused"), 1);
    assert_eq!(outcome("olga", "ok"), 1);
    let trail = serde_json::to_string(&console.store().audit_entries(None).unwrap()).unwrap();
    assert!(
        !trail.contains(PASSWORD) && !trail.contains("not the password"),
        "no password in the trail"
    );
}

#[tokio::test]
async fn logging_out_ends_the_session_in_the_store() {
    let console = Console::start(Settings::default()).await;
    let mut rita = console.login("rita").await;
    let stolen = rita.cookies.clone();
    let out = rita.submit("/", "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let mut thief = console.client();
    thief.cookies = stolen;
    let reply = thief.get("/deviations").await;
    assert_eq!(reply.location(), "/login", "the old cookie opens nothing");
}

#[tokio::test]
async fn an_admin_adds_and_removes_users_and_the_trail_names_the_admin() {
    let console = Console::start(Settings::default()).await;
    let mut admin = console.login("admin").await;
    let short = admin
        .submit(
            "/users",
            "/users",
            &[
                ("name", "nina"),
                ("role", "reviewer"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.body);
    let added = admin
        .submit(
            "/users",
            "/users",
            &[
                ("name", "nina"),
                ("role", "reviewer"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let mut nina = console.login("nina").await;
    assert_eq!(nina.get("/deviations").await.status, StatusCode::OK);
    let removed = admin.submit("/users", "/users/nina/remove", &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(
        nina.get("/deviations").await.location(),
        "/login",
        "her sessions end with her"
    );
    let store = console.store();
    let by_admin: Vec<String> = store
        .audit_entries(None)
        .unwrap()
        .into_iter()
        .filter(|e| e.record.actor.as_deref() == Some("admin"))
        .map(|e| e.record.action)
        .collect();
    assert!(
        by_admin.iter().any(|a| a.starts_with("console-user")),
        "{by_admin:?}"
    );
}
