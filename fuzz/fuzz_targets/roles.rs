//! The role model (rules, account templates, thresholds) from one or two files: parsed and
//! checked as one, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_engine::model::RoleModel;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (first, second) = text.split_at(text.find("\n---\n").unwrap_or(text.len()));
    let _ = RoleModel::parse_files(&[("roles.toml", first), ("more.toml", second)]);
});
