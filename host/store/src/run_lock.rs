//! One run per store at a time.
//!
//! Two runs that read, plan and apply against one store at once would plan from each other's
//! half-written shadows. A run takes the store's run lock first; the lock names its holder (the
//! command, process and host) so the refusal says who to wait for. A holder whose process is
//! gone (killed, crashed) no longer holds the lock: the next run takes it over, and the
//! journal finishes what the dead run left.

use chrono::{DateTime, Utc};

use crate::Result;

/// A held run lock; give it back with [`RunLock::unlock_runs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLease {
    /// Identifies this holding, so a late unlock cannot release a later holder's lock.
    pub token: String,
}

/// The store's run lock.
pub trait RunLock {
    /// Takes the lock for `what` (`tessera sync`, `tessera plan`), or fails with
    /// [`crate::Error::RunLocked`] naming the live holder.
    fn lock_runs(&self, what: &str, now: DateTime<Utc>) -> Result<RunLease>;

    /// Gives the lock back. A lease that no longer holds it changes nothing.
    fn unlock_runs(&self, lease: &RunLease) -> Result<()>;
}

/// A process as the lock records it: pid, start time and host, so that a reused pid is not
/// mistaken for the holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    pub host: String,
    pub pid: u32,
    /// Clock ticks after boot at which the process started (Linux); `None` elsewhere.
    pub started: Option<u64>,
}

impl Holder {
    /// This process.
    pub fn current() -> Self {
        let pid = std::process::id();
        Self {
            host: host_name(),
            pid,
            started: process_start(pid),
        }
    }

    /// Whether the recorded process still runs. On another host, or where processes cannot
    /// be inspected, it is assumed to: a lock is never taken from a live run.
    pub fn alive(&self) -> bool {
        if self.host != host_name() || self.started.is_none() {
            return true;
        }
        process_start(self.pid) == self.started
    }

    /// `pid 1234 on host-a`.
    pub fn describe(&self) -> String {
        format!("pid {} on {}", self.pid, self.host)
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Field 22 of `/proc/PID/stat`: when the process started, in clock ticks after boot.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces; count fields after it.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reused_pid_is_not_its_holder() {
        let me = Holder::current();
        assert!(me.alive());
        assert!(me.started.is_some(), "Linux shows process start times");
        let reused = Holder {
            started: me.started.map(|s| s + 1),
            ..me.clone()
        };
        assert!(!reused.alive(), "same pid, other start: another process");
        let elsewhere = Holder {
            host: "some-other-host".to_owned(),
            ..reused
        };
        assert!(
            elsewhere.alive(),
            "another host's process cannot be checked"
        );
    }
}
