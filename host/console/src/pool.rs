//! A few store connections, reused: opening SQLite costs a schema check, and a connection
//! cannot be shared between threads.

use std::sync::Mutex;

use tessera_store::Store;

use crate::Opener;
use crate::error::Result;

/// Connections kept for reuse; more may be open while requests run.
const KEEP: usize = 4;

pub(crate) struct Pool {
    open: Opener,
    idle: Mutex<Vec<Box<dyn Store + Send>>>,
}

impl Pool {
    pub(crate) fn new(open: Opener) -> Self {
        Self {
            open,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` with a connection, taken from the idle ones or opened.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&dyn Store) -> Result<T>) -> Result<T> {
        let taken = self.lock().pop();
        let store = match taken {
            Some(store) => store,
            None => (self.open)()?,
        };
        let result = f(&*store);
        let mut idle = self.lock();
        if idle.len() < KEEP {
            idle.push(store);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn Store + Send>>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
