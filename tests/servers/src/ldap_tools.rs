//! Reading what the OpenLDAP client tools answered, for the slapd and Samba harnesses.

use std::process::Output;

/// A client tool's output; panics with its stderr unless it succeeded, and with `hint` when it
/// could not run at all.
pub(crate) fn checked(tool: &str, output: std::io::Result<Output>, hint: &str) {
    let output = output.unwrap_or_else(|e| panic!("cannot run {tool} ({hint}): {e}"));
    assert!(
        output.status.success(),
        "{tool} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `ldapsearch`'s LDIF; empty when the base does not exist (result 32). Panics on any other
/// failure.
pub(crate) fn search_ldif(output: Output) -> String {
    match output.status.code() {
        Some(0) => String::from_utf8_lossy(&output.stdout).into_owned(),
        Some(32) => String::new(),
        _ => panic!(
            "ldapsearch failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
