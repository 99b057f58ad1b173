//! Progress bars for the stages of a sync.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use tessera_sync::{Progress, StageProgress};

/// Progress bars on stderr, one per stage; hidden for JSON and when stderr is no terminal.
pub struct Bars {
    hidden: bool,
}

impl Bars {
    pub fn new(json: bool) -> Self {
        Self {
            hidden: json || !std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for Bars {
    fn stage(&self, name: &'static str, systems: usize) -> Box<dyn StageProgress> {
        if self.hidden {
            return Box::new(Bar(ProgressBar::hidden()));
        }
        let bar = ProgressBar::new(systems as u64);
        if let Ok(style) = ProgressStyle::with_template("{prefix:>7} [{bar:24}] {pos}/{len} {msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(name);
        Box::new(Bar(bar))
    }
}

struct Bar(ProgressBar);

impl StageProgress for Bar {
    fn start(&self, system: &str) {
        self.0.set_message(system.to_owned());
    }

    fn done(&self) {
        self.0.inc(1);
    }

    fn finish(&self, summary: &str) {
        self.0.finish_with_message(summary.to_owned());
    }
}
