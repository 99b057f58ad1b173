//! Failed logins, counted per address and per user name over a window: a guesser is
//! stopped whether they try many names from one place or one name from many.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long failures count.
pub(crate) const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures per user name within the window before further tries are refused.
pub(crate) const PER_USER: usize = 5;
/// Failures per address within the window.
pub(crate) const PER_ADDRESS: usize = 20;
/// Kept keys at most; beyond it the oldest are dropped, so a flood cannot grow memory.
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub(crate) struct Limiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    fn keys(addr: IpAddr, user: &str) -> [(String, usize); 2] {
        [
            (format!("addr:{addr}"), PER_ADDRESS),
            (format!("user:{}", user.to_lowercase()), PER_USER),
        ]
    }

    /// Whether a login from `addr` as `user` may be tried now.
    pub(crate) fn allows(&self, addr: IpAddr, user: &str, now: Instant) -> bool {
        let mut failures = self.lock();
        Self::keys(addr, user).iter().all(|(key, max)| {
            let list = failures.entry(key.clone()).or_default();
            list.retain(|t| now.duration_since(*t) < WINDOW);
            list.len() < *max
        })
    }

    /// Counts a failed login.
    pub(crate) fn failed(&self, addr: IpAddr, user: &str, now: Instant) {
        let mut failures = self.lock();
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, list| list.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        for (key, _) in Self::keys(addr, user) {
            failures.entry(key).or_default().push(now);
        }
    }

    /// Forgets a user name's failures after a good login.
    pub(crate) fn succeeded(&self, user: &str) {
        self.lock().remove(&format!("user:{}", user.to_lowercase()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_stop_a_name_until_the_window_passes() {
        let limiter = Limiter::default();
        let addr: IpAddr = [127, 0, 0, 1].into();
        let t0 = Instant::now();
        for _ in 0..PER_USER {
            assert!(limiter.allows(addr, "Rita", t0));
            limiter.failed(addr, "Rita", t0);
        }
        assert!(
            !limiter.allows(addr, "rita", t0),
            "names count without case"
        );
        assert!(limiter.allows(addr, "otto", t0), "other names still may");
        assert!(limiter.allows(addr, "rita", t0 + WINDOW));
    }

    #[test]
    fn one_address_trying_many_names_is_stopped() {
        let limiter = Limiter::default();
        let addr: IpAddr = [127, 0, 0, 2].into();
        let t0 = Instant::now();
        for n in 0..PER_ADDRESS {
            limiter.failed(addr, &format!("user{n}"), t0);
        }
        assert!(!limiter.allows(addr, "fresh", t0));
        assert!(limiter.allows([127, 0, 0, 3].into(), "fresh", t0));
    }
}
