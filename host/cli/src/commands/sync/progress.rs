//! Progress bars for the stages of a sync.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tessera_sync::{Progress, StageProgress};

/// Progress bars on stderr, one per stage; hidden for JSON and when stderr is no terminal.
/// They are drawn together, since an incremental run imports and reads at the same time.
pub struct Bars {
    hidden: bool,
    all: MultiProgress,
}

impl Bars {
    pub fn new(json: bool) -> Self {
        let hidden = json || !std::io::stderr().is_terminal();
        let target = match hidden {
            true => ProgressDrawTarget::hidden(),
            false => ProgressDrawTarget::stderr(),
        };
        Self {
            hidden,
            all: MultiProgress::with_draw_target(target),
        }
    }
}

impl Progress for Bars {
    fn stage(&self, name: &'static str, systems: usize) -> Box<dyn StageProgress> {
        if self.hidden {
            return Box::new(Bar(ProgressBar::hidden()));
        }
        let bar = self.all.add(ProgressBar::new(systems as u64));
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
