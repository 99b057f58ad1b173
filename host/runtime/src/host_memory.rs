//! Host memory held for one plugin instance, against its budget (`limits.host_memory_mib`).
//!
//! A plugin's linear memory is capped by the store limiter, but what the host keeps *for* it
//! lives outside: parsed XML documents, element handles, open LDAP searches, the body of the
//! response being read. Without a budget a plugin could stay inside its own cap and still make
//! the host hold gigabytes, taking every other system's run down with the process. Each held
//! thing takes a [`Charge`] that gives its bytes back when it is dropped; a request past the
//! budget gets a typed `too-large` error, and the host and the other systems carry on.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::bindings::host::errors::HostError;

/// Live resource handles the host hands one instance. wasmtime traps a store past 100,000
/// handles, which would end the plugin's run with a fault; below that the host refuses with a
/// typed error instead, leaving room for documents, searches and WASI's own handles.
pub(crate) const MAX_HANDLES: usize = 90_000;

/// The instance's account; cheap to clone, shared by its charges.
#[derive(Clone)]
pub(crate) struct HostMemory {
    held: Arc<AtomicUsize>,
    handles: Arc<AtomicUsize>,
    cap: usize,
}

/// Bytes (and possibly a handle) held for the instance until this is dropped.
#[derive(Debug)]
pub(crate) struct Charge {
    bytes: usize,
    handle: bool,
    held: Arc<AtomicUsize>,
    handles: Arc<AtomicUsize>,
}

impl Drop for Charge {
    fn drop(&mut self) {
        self.held.fetch_sub(self.bytes, Ordering::Relaxed);
        if self.handle {
            self.handles.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl HostMemory {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            held: Arc::new(AtomicUsize::new(0)),
            handles: Arc::new(AtomicUsize::new(0)),
            cap,
        }
    }

    /// What is held now.
    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// What may still be taken.
    pub(crate) fn remaining(&self) -> usize {
        self.cap.saturating_sub(self.held.load(Ordering::Relaxed))
    }

    /// Takes `bytes` for `what`, or says why not.
    pub(crate) fn charge(&self, bytes: usize, what: &str) -> Result<Charge, HostError> {
        let taken = self
            .held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |held| {
                held.checked_add(bytes).filter(|total| *total <= self.cap)
            });
        match taken {
            Ok(_) => Ok(Charge {
                bytes,
                handle: false,
                held: self.held.clone(),
                handles: self.handles.clone(),
            }),
            Err(held) => Err(self.refusal(bytes, held, what)),
        }
    }

    /// Whether `count` more handles may be handed out; `what` names them in the refusal.
    pub(crate) fn check_handles(&self, count: usize, what: &str) -> Result<(), HostError> {
        let live = self.handles.load(Ordering::Relaxed);
        if live.saturating_add(count) > MAX_HANDLES {
            return Err(HostError::TooLarge(format!(
                "{count} {what} would pass the host's limit of {MAX_HANDLES} live handles per \
                 plugin instance ({live} held); read many records with `select-texts` instead"
            )));
        }
        Ok(())
    }

    /// Takes `bytes` and one handle for `what`.
    pub(crate) fn charge_handle(&self, bytes: usize, what: &str) -> Result<Charge, HostError> {
        self.check_handles(1, what)?;
        let mut charge = self.charge(bytes, what)?;
        charge.handle = true;
        self.handles.fetch_add(1, Ordering::Relaxed);
        Ok(charge)
    }

    pub(crate) fn refusal(&self, bytes: usize, held: usize, what: &str) -> HostError {
        HostError::TooLarge(format!(
            "{what} needs {} KiB of host memory, but this plugin instance already holds {} KiB \
             of its {} MiB (limits.host_memory_mib); drop documents and searches it no longer needs",
            bytes.div_ceil(1024),
            held.div_ceil(1024),
            self.cap >> 20
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_refused_past_the_cap_and_given_back_on_drop() {
        let memory = HostMemory::new(1 << 20);
        let a = memory.charge(700 << 10, "a document").expect("fits");
        let refused = memory
            .charge(400 << 10, "another document")
            .expect_err("over");
        assert!(
            format!("{refused:?}").contains("limits.host_memory_mib"),
            "{refused:?}"
        );
        assert_eq!(memory.remaining(), 324 << 10);
        drop(a);
        assert_eq!(memory.remaining(), 1 << 20);
        let _b = memory
            .charge(400 << 10, "another document")
            .expect("fits now");
        assert!(memory.charge(usize::MAX, "everything").is_err());
    }

    #[test]
    fn handles_are_counted_and_refused_before_wasmtime_would_trap() {
        let memory = HostMemory::new(usize::MAX);
        let held: Vec<Charge> = (0..MAX_HANDLES)
            .map(|_| memory.charge_handle(64, "an element handle").expect("fits"))
            .collect();
        assert!(memory.check_handles(1, "element handles").is_err());
        assert!(memory.charge_handle(64, "an element handle").is_err());
        drop(held);
        assert!(memory.check_handles(MAX_HANDLES, "element handles").is_ok());
    }
}
