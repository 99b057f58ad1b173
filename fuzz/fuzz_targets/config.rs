//! `tessera.toml` as an operator (or a typo) could write it: every input is either settings or
//! a list of problems, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_config::Settings;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Settings::parse(text, std::path::Path::new("/fuzz/tessera.toml"));
});
