//! Serving a mock on a free loopback port, shared by every HTTP mock here.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

/// A router served on 127.0.0.1; the server stops when this is dropped.
pub struct Served {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Served {
    /// Binds a free loopback port and serves `app` on the current tokio runtime.
    pub async fn start(app: Router, what: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .unwrap_or_else(|e| panic!("{what} stopped: {e}"));
        });
        Self { addr, task }
    }

    /// Serves `app` over TLS on a free loopback port; also answers the handshakes refused.
    pub async fn start_tls(
        app: Router,
        what: &'static str,
        files: crate::tls::TlsFiles<'_>,
    ) -> (Self, Arc<crate::tls::Refused>) {
        let (listener, refused) = crate::tls::TlsListener::bind(files).await;
        let addr = axum::serve::Listener::local_addr(&listener).expect("local address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .unwrap_or_else(|e| panic!("{what} stopped: {e}"));
        });
        (Self { addr, task }, refused)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A request as the mocks dispatch it, read whole.
pub struct Incoming {
    pub method: axum::http::Method,
    pub path: String,
    pub query: String,
    pub headers: axum::http::HeaderMap,
    pub body: axum::body::Bytes,
}

impl Incoming {
    /// Reads `request`, its body up to 4 MiB.
    pub async fn read(request: axum::extract::Request) -> Self {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let query = request.uri().query().unwrap_or_default().to_owned();
        let headers = request.headers().clone();
        let body = axum::body::to_bytes(request.into_body(), 4 << 20)
            .await
            .unwrap_or_default();
        Self {
            method,
            path,
            query,
            headers,
            body,
        }
    }

    /// Method, path, query, headers and body.
    pub fn into_parts(
        self,
    ) -> (
        axum::http::Method,
        String,
        String,
        axum::http::HeaderMap,
        axum::body::Bytes,
    ) {
        (self.method, self.path, self.query, self.headers, self.body)
    }
}
