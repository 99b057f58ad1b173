//! `[console]`: the web console `tessera serve` offers, when it has an address.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

/// `[console]` as checked.
#[derive(Debug, Clone, Default)]
pub struct ConsoleSettings {
    /// Where the console answers; without it `serve` offers none.
    pub listen: Option<SocketAddr>,
    /// Four eyes: a manual grant holds once a second person has approved it.
    pub four_eyes: bool,
    /// How long a login lasts.
    pub session: Duration,
}

/// `[console]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConsole {
    listen: Option<String>,
    #[serde(default)]
    four_eyes: bool,
    session_hours: Option<u64>,
}

impl RawConsole {
    pub(crate) fn check(self, problems: &mut Vec<String>) -> ConsoleSettings {
        let listen = self.listen.and_then(|text| {
            text.parse()
                .map_err(|_| {
                    problems.push(format!(
                        "console.listen: `{text}` is not an address and port, like 127.0.0.1:9465"
                    ));
                })
                .ok()
        });
        let hours = match self.session_hours {
            Some(h @ 1..=24) => h,
            None => 8,
            Some(h) => {
                problems.push(format!(
                    "console.session_hours: {h} is not between 1 and 24"
                ));
                8
            }
        };
        ConsoleSettings {
            listen,
            four_eyes: self.four_eyes,
            session: Duration::from_secs(hours * 3600),
        }
    }
}
