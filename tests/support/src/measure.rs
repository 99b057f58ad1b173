//! What the benchmarks measure with: medians of timed samples and this process's resident
//! memory from `/proc/self/status` (Linux).

use std::time::Duration;

/// The middle sample (the upper one of an even count).
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A `/proc/self/status` figure in MiB: `VmHWM` is the peak resident set since the last
/// [`reset_peak`], `VmRSS` the current one. NaN where there is no such file.
pub fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Starts a new peak at the current RSS, so each phase gets its own figure.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Reads every page of `source` from the start; the persons and contracts it gave.
pub async fn read_all(source: &mut tessera_runtime::WasmSource) -> (usize, usize) {
    let (mut persons, mut contracts, mut cursor) = (0, 0, None);
    loop {
        let page = source.call_read(cursor).await.expect("a page");
        persons += page.persons.len();
        contracts += page
            .persons
            .iter()
            .map(|p| p.contracts.len())
            .sum::<usize>();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return (persons, contracts),
        }
    }
}
