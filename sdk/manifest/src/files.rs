//! The names a plugin may ask the files capability for, shared by the host and the SDK's mock
//! host so both refuse the same ones.

/// Why a file name is refused outright, before anything touches the disk: absolute paths,
/// NUL bytes, `..`, and empty or `.` parts. The empty name is the granted directory itself.
pub fn refused_file_name(name: &str) -> Option<&'static str> {
    if name.starts_with('/') {
        return Some("an absolute path");
    }
    if name.contains('\0') {
        return Some("a name with a NUL byte");
    }
    if name.is_empty() {
        return None;
    }
    name.split('/').find_map(|part| match part {
        ".." => Some("a name that climbs out with `..`"),
        "" | "." => Some("a name with an empty or `.` part"),
        _ => None,
    })
}
