//! The daemon's latency: `tessera serve` polls Elanza every second; a new flex worker with a
//! shift today is planned in the mock, and the clock runs until the worker has an enabled AD
//! account in the rule's groups and an unblocked HiX user with login groups.
//!
//! The end is observed by polling both targets every 50 ms (an `ldapsearch` against Samba
//! and the HiX mock's store), so the figure includes up to one poll past the last write.

use std::net::TcpListener;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tessera_test_servers::hospital::{Hospital, story};
use tessera_test_servers::samba;

/// The longest the measurement waits for the worker's accounts.
const LIMIT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(50);

/// Seconds from the worker appearing in Elanza to both accounts being ready; `None` when
/// they were not ready within [`LIMIT`].
pub fn latency(home: &Path, h: &Hospital) -> Option<f64> {
    let config = home.join("tessera.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("\n[systems.elanza.schedule]\ninterval = 1\n");
    std::fs::write(&config, text).expect("config");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let log = home.join("serve.log");
    let mut serve = super::run::spawn(home, &["serve", "--listen", &listen], &log);
    let http = tokio::runtime::Runtime::new().expect("tokio runtime");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let readyz = format!("http://{listen}/readyz");
    let ready = wait_until(|| http.block_on(status(&readyz)) == Some(200));
    let result = match ready {
        Some(_) => measure(h),
        None => {
            println!("daemon never ready: {:?}", http.block_on(status(&readyz)));
            None
        }
    };
    stop(&mut serve);
    if result.is_none() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        // The runs' own lines, not every HTTP request of every poll.
        let runs = text.lines().filter(|l| !l.contains("tessera::http"));
        let tail: Vec<&str> = runs.rev().take(30).collect();
        println!("the daemon's last log lines:");
        for line in tail.into_iter().rev() {
            println!("  {line}");
        }
    }
    result
}

fn measure(h: &Hospital) -> Option<f64> {
    let today = h.today();
    let started = Instant::now();
    let number = story::hire(h, ("Dana", FAMILY), ("IC", "ICVPK"), today, 1)?;
    let ready = wait_until(|| ad_ready(number) && hix_ready(h));
    if ready.is_none() {
        println!(
            "not ready: AD {:?}; HiX {:?}",
            ad_entry(number),
            h.hix.users().iter().find(|u| u.naam.contains(FAMILY))
        );
    }
    ready?;
    Some(started.elapsed().as_secs_f64())
}

/// The new worker's family name; no generated worker has it.
const FAMILY: &str = "Daemon";

fn ad_entry(number: u64) -> String {
    let dc = samba::shared();
    dc.search(
        dc.base_dn(),
        "sub",
        &format!("(employeeID={number})"),
        &["userAccountControl", "memberOf"],
    )
}

fn ad_ready(number: u64) -> bool {
    let ldif = ad_entry(number);
    ldif.contains("userAccountControl: 512") && ldif.contains("memberOf: ")
}

/// HiX makes its own user codes, so the user is found by name.
fn hix_ready(h: &Hospital) -> bool {
    h.hix
        .users()
        .iter()
        .any(|u| u.naam.contains(FAMILY) && !u.blocked && !u.login_groups.is_empty())
}

/// Polls `done` until it holds; the time it took, or `None` past [`LIMIT`].
fn wait_until(mut done: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < LIMIT {
        if done() {
            return Some(started.elapsed());
        }
        std::thread::sleep(POLL);
    }
    None
}

/// The status of a GET, or `None` when nothing answers.
async fn status(url: &str) -> Option<u16> {
    reqwest::get(url).await.ok().map(|r| r.status().as_u16())
}

/// SIGTERM, as systemd stops the service, then waits for the exit.
fn stop(serve: &mut Child) {
    if let Ok(pid) = i32::try_from(serve.id()) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    }
    let _ = serve.wait();
}
