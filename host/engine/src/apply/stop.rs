//! Asking a running apply to stop between operations.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A request to stop applying, shared by whoever asks (a signal handler) and every run. The
/// operation in hand finishes and is journalled; no further one starts.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Asks every run holding a clone to stop.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
