//! A console on loopback over a store file, and a client that logs in and keeps cookies.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use tessera_console::{Context, Opener, Role, Settings, SystemView};
use tessera_engine::model::RoleModel;
use tessera_store::SqliteStore;
use tessera_store::prelude::*;

/// The password every test user gets.
pub const PASSWORD: &str = "correct horse battery staple";

/// A console served from a temporary store, with one user per role.
pub struct Console {
    pub addr: SocketAddr,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Console {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Console {
    /// A console with the IC-nurse model, target `ad`, and users admin, olga (operator),
    /// oscar (operator), rita (reviewer) and audrey (auditor).
    pub async fn start(settings: Settings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.db");
        Self::start_on(dir, path, settings, tessera_testkit::models::IC_NURSES).await
    }

    /// A console over the store at `path`, which `dir` keeps, with the role model `model`.
    pub async fn start_on(
        dir: tempfile::TempDir,
        path: PathBuf,
        settings: Settings,
        model: &str,
    ) -> Self {
        let store = SqliteStore::open(&path).unwrap();
        for (name, role) in [
            ("admin", Role::Admin),
            ("olga", Role::Operator),
            ("oscar", Role::Operator),
            ("rita", Role::Reviewer),
            ("audrey", Role::Auditor),
        ] {
            tessera_console::add_user(&store, (name, role, PASSWORD), "setup", chrono::Utc::now())
                .unwrap();
        }
        drop(store);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let context = context(path.clone(), settings, model);
        let task = tokio::spawn(async move {
            tessera_console::serve(listener, context).await.unwrap();
        });
        Self {
            addr,
            path,
            _dir: dir,
            task,
        }
    }

    /// The store, through a connection of its own.
    pub fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.path).unwrap()
    }

    /// A client with no session yet.
    pub fn client(&self) -> Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: format!("http://{}", self.addr),
            cookies: BTreeMap::new(),
        }
    }

    /// A client logged in as `user`.
    pub async fn login(&self, user: &str) -> Client {
        let mut client = self.client();
        let response = client.log_in(user, PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        client
    }
}

fn context(path: PathBuf, settings: Settings, model: &str) -> Context {
    let open: Opener =
        Box::new(move || Ok(Box::new(SqliteStore::open(&path)?) as Box<dyn Store + Send>));
    Context {
        open,
        model: Arc::new(RoleModel::parse("roles.toml", model).unwrap()),
        systems: vec![SystemView {
            name: "ad".into(),
            kind: "target".into(),
            plugin: "fake@1.0.0".into(),
            info: Some(tessera_domain::TargetInfo {
                entitlement_kinds: vec!["group".into()],
                supports_delete: true,
                ..tessera_domain::TargetInfo::default()
            }),
        }],
        plugins: vec![],
        settings,
    }
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The form token on this page.
    pub fn csrf(&self) -> String {
        hidden(&self.body, "csrf").unwrap_or_else(|| panic!("no csrf field in {}", self.body))
    }
}

/// The value of the first hidden field `name` in a page.
pub fn hidden(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

/// A browser without a browser: keeps the cookies it is given and sends them back.
pub struct Client {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

impl Client {
    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let request = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    /// Posts `form` with the CSRF token of the page at `from`.
    pub async fn submit(&mut self, from: &str, path: &str, form: &[(&str, &str)]) -> Reply {
        let csrf = self.get(from).await.csrf();
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        self.post(path, &fields).await
    }

    /// Fetches the login form and posts it.
    pub async fn log_in(&mut self, user: &str, password: &str) -> Reply {
        let csrf = self.get("/login").await.csrf();
        let form = [
            ("csrf", csrf.as_str()),
            ("user", user),
            ("password", password),
        ];
        self.post("/login", &form).await
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Reply {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header(COOKIE, cookie)
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(SET_COOKIE) {
            let text = set.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        Reply {
            status,
            headers,
            body,
        }
    }
}
