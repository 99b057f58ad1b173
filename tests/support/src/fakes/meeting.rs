//! A rendezvous for fakes, to show that a run reads several systems at the same time.

use std::sync::{Arc, Mutex};

use tokio::sync::Barrier;

/// Where a fake waits before its next read, once a test arms it. Arm the meetings of several
/// fakes with one barrier for all of them, and a run gets past their reads only when it has
/// all of them in flight at once; a run that reads them one after another waits forever, so
/// bound it with a timeout. Clones share the meeting.
#[derive(Debug, Clone, Default)]
pub struct Meeting(Arc<Mutex<Option<Arc<Barrier>>>>);

impl Meeting {
    /// The next read waits at `barrier`.
    pub fn arm(&self, barrier: Arc<Barrier>) {
        *self.0.lock().unwrap() = Some(barrier);
    }

    /// Waits at the barrier, when one is armed; it is used up by this.
    pub(super) async fn attend(&self) {
        let barrier = self.0.lock().unwrap().take();
        if let Some(barrier) = barrier {
            barrier.wait().await;
        }
    }
}
