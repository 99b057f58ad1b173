//! The `tessera` binary; see the library for what it does.

fn main() -> std::process::ExitCode {
    return_freed_memory();
    tessera_cli::main_with(std::env::args_os())
}

/// Makes glibc's malloc hand big freed blocks back to the system.
///
/// By default glibc raises its mmap threshold each time a big block is freed, up to 32 MiB, so
/// later big blocks (a target's listing, its shadows, a plan) come from the heap, and once
/// freed their space stays with the process. A hospital's take-over held some 150 MB it no
/// longer used. A fixed threshold keeps big blocks in their own mappings, which `free`
/// unmaps, and trims the heap's top at the same size.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn return_freed_memory() {
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: `mallopt` only sets two of the allocator's parameters; it runs first in `main`,
    // before any other thread exists or any block is big enough for either to matter.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_freed_memory() {}
