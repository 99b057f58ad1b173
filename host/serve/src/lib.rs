//! `tessera serve`: the daemon.
//!
//! Each system is read on its own schedule (`[systems.NAME.schedule]` over `[serve]`'s
//! defaults): a source is polled, and a change it finds starts the run for the persons
//! concerned at once, planned against the targets' shadows; a target's change feed is read
//! on its interval; everything is read in full at the reconciliation time (nightly by
//! default), which also reports the drift the feeds missed. Runs go one at a time through the
//! store's run lock, so a `tessera sync` by hand waits its turn or is waited for.
//!
//! SIGTERM (or SIGINT) asks for a stop: the run in hand finishes the operation in hand,
//! journals it and applies no more; the rest of its plan is finished by the next start. A
//! second signal exits at once; the journal makes that safe too.
//!
//! `/healthz`, `/readyz` and `/metrics` answer on `[serve] listen` throughout.

mod daemon;
mod http;
mod metrics;
mod timetable;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use daemon::Daemon;
pub use http::{Health, Shared, router};
pub use metrics::Metrics;
pub use timetable::{Due, Slot, Timetable};

/// Why the daemon could not start or went down.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address to listen on cannot be bound.
    #[error("serve.listen {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] tessera_store::Error),
    /// Serving HTTP failed.
    #[error("serving HTTP: {0}")]
    Http(#[source] std::io::Error),
}

/// What the daemon can fail with.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Binds the address for the endpoints.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })
}

/// Serves the endpoints on `listener` and runs `daemon` until its stop is asked for (see
/// [`stop_on_signals`]); `health` judges readiness through a store connection of its own.
pub async fn serve(daemon: Daemon<'_>, listener: TcpListener, health: Health) -> Result<()> {
    let shared = Arc::new(Shared {
        metrics: daemon.metrics.clone(),
        health,
    });
    let addr = listener.local_addr().map_err(Error::Http)?;
    let server = tokio::spawn(async move { axum::serve(listener, router(shared)).await });
    let systems = daemon.timetable.slots.len();
    tracing::info!(%addr, systems, "serving");
    let result = daemon.run().await;
    server.abort();
    result
}

/// Asks a daemon to stop, from anywhere.
#[derive(Debug, Clone)]
pub struct Stopper {
    stop: tessera_sync::Stop,
    wake: Arc<tokio::sync::Notify>,
}

impl Stopper {
    /// Asks for the stop: the operation in hand finishes and is journalled, the loop ends.
    pub fn stop(&self) {
        self.stop.request();
        self.wake.notify_one();
    }
}

/// Stops the daemon on the first SIGTERM or SIGINT, and exits the process at once on a
/// second one. Must be called inside a tokio runtime.
pub fn stop_on_signals(stopper: Stopper) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("cannot listen for signals; stop the daemon with SIGKILL");
            return;
        };
        for n in 0.. {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            if n == 0 {
                tracing::info!("stopping: the operation in hand finishes and is journalled");
                stopper.stop();
            } else {
                tracing::warn!("a second signal: exiting now; the next start finishes the journal");
                std::process::exit(1);
            }
        }
    })
}
