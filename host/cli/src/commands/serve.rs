//! `tessera serve`: the daemon, until SIGTERM.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use tessera_serve::{Daemon, Health};
use tessera_sync::{Installation, open_store};

/// Serves until SIGTERM; `today` simulates a day (demos and tests).
pub fn run(config: &Path, today: Option<NaiveDate>, listen: Option<SocketAddr>) -> Result<()> {
    let mut installation = Installation::open(config)?;
    let systems = installation.systems(None)?;
    super::print_warnings(&systems);
    for (system, why) in &systems.failed {
        eprintln!("error: {system}: not loaded, so never read and never ready: {why}");
    }
    // Readiness reads the store through its own connection, never waiting for a run.
    let history = open_store(&installation.settings).context("opening the store for /readyz")?;
    let addr = listen.unwrap_or(installation.settings.serve.listen);
    super::block_on(async {
        let listener = tessera_serve::bind(addr).await?;
        let console = match installation.settings.console.listen {
            Some(at) => {
                let context = super::console::context(&installation, &systems).await?;
                let bound = tokio::net::TcpListener::bind(at)
                    .await
                    .with_context(|| format!("console.listen {at}"))?;
                tracing::info!(addr = %at, "console serving");
                Some(tokio::spawn(tessera_console::serve(bound, context)))
            }
            None => None,
        };
        let daemon = Daemon::new(
            &installation.store,
            &installation.model,
            &systems,
            &installation.settings,
        )?
        .with_today(today)
        .with_checkpoints(installation.checkpoints.clone());
        let health = Health {
            history: std::sync::Mutex::new(Box::new(history)),
            bounds: daemon.bounds(),
            unloaded: systems.failed.clone(),
        };
        let signals = tessera_serve::stop_on_signals(daemon.stopper());
        let served = tessera_serve::serve(daemon, listener, health).await;
        signals.abort();
        if let Some(console) = console {
            console.abort();
        }
        Ok::<_, anyhow::Error>(served?)
    })??;
    Ok(())
}
