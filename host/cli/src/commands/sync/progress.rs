//! Progress bars for the stages of a sync.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

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

    pub fn stage(&self, name: &'static str, len: usize) -> ProgressBar {
        if self.hidden {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len as u64);
        if let Ok(style) = ProgressStyle::with_template("{prefix:>7} [{bar:24}] {pos}/{len} {msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(name);
        bar
    }
}
