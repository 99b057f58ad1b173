//! `tessera-demo`: a small hospital on loopback test servers, synced over four simulated days.
//!
//! It builds the first-party plugins, starts the Elanza, HiX and Graph mocks and, where installed, a
//! Samba AD DC and an HSA slapd, writes a configuration and role model into a temporary
//! directory, and syncs with the same sync library `tessera sync` runs: the take-over of
//! existing accounts, new flex workers provisioned before their first shift, a function change
//! and a leaver, beside permanent staff from AFAS Profit, one of whom also works flex shifts.
//! Then it shows one person's preview, that one person from both sources, the deviations and
//! the audit chain's verification, through the `tessera` commands themselves.

mod setup;
mod story;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{Days, Utc};
use tessera_test_servers::hospital::{Hospital, Scale};

/// The simulated days end today, so the Elanza plugin's own clock agrees with the last one.
const DAYS: u64 = 4;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let wasm = setup::build_plugins()?;
    let started = Instant::now();
    let today = Utc::now().date_naive();
    let first = today - Days::new(DAYS - 1);
    println!("\nstarting the hospital's systems:");
    let dirs = setup::directories();
    // The mocks run on this runtime's threads while the syncs below run on their own.
    let servers = tokio::runtime::Runtime::new().context("starting the mock servers")?;
    let hospital = servers.block_on(Hospital::start(Scale::demo(), today, dirs));
    println!(
        "  Elanza mock {} and HiX mock {} started",
        hospital.elanza.url(),
        hospital.hix.url()
    );
    if let Some(graph) = &hospital.entra {
        println!("  Microsoft Graph mock {} started (Entra ID)", graph.url());
    }
    if let Some(afas) = &hospital.afas {
        println!(
            "  AFAS Profit mock {} started (permanent staff)",
            afas.base_url()
        );
    }
    // The first flex worker is also permanent staff in AFAS: one person from two sources.
    let both = hospital.afas.as_ref().and_then(|_| {
        hospital
            .elanza
            .with_data(|d| d.workers.first().and_then(|w| w.worker.worker_number))
    });
    let home = tempfile::Builder::new().prefix("tessera-demo-").tempdir()?;
    println!("\nwriting the installation into {}:", home.path().display());
    let config = setup::installation(home.path(), &hospital, &wasm)?;
    let changed = story::days(&hospital, &config, first, DAYS)?;
    story::epilogue(&config, today, changed, both)?;
    println!(
        "\nthe demo took {:.0} s after the build; its installation directory is removed now",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
