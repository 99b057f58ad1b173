//! How a run tells its caller where it is, without printing anything itself.

/// Watches a run's stages; the CLI draws progress bars, the others watch nothing.
pub trait Progress {
    /// A stage starts that will work on `systems` systems.
    fn stage(&self, name: &'static str, systems: usize) -> Box<dyn StageProgress>;
}

/// One stage's progress.
pub trait StageProgress {
    /// Work on `system` starts.
    fn start(&self, system: &str);
    /// Work on one system ended.
    fn done(&self);
    /// The stage is over; `summary` says what it did.
    fn finish(&self, summary: &str);
}

/// Watches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _: &'static str, _: usize) -> Box<dyn StageProgress> {
        Box::new(NoProgress)
    }
}

impl StageProgress for NoProgress {
    fn start(&self, _: &str) {}
    fn done(&self) {}
    fn finish(&self, _: &str) {}
}
