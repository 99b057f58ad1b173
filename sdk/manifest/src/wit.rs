//! The tessera WIT versions this release speaks.
//!
//! Each released version is frozen under `wit/since_vX.Y.Z` and the runtime keeps bindings for
//! every one of them, so plugins built against an older release keep loading after a newer one
//! ships. Supporting a new release is one more entry in [`SUPPORTED_WIT`] (plus its frozen
//! folder and the runtime's bindings module).

use semver::Version;

/// Every tessera WIT release the host speaks, oldest first. The last one is [`WIT_VERSION`].
///
/// A release serves the earlier releases of its track (`0.2.3` loads `0.2.0` to `0.2.2` plugins): a newer
/// patch only adds, and the runtime links interface names semver-aware.
pub const SUPPORTED_WIT: &[&str] = &["0.1.0", "0.2.3"];

/// The `tessera:connector` / `tessera:host` release the SDK builds plugins against: the newest
/// supported one.
pub const WIT_VERSION: &str = SUPPORTED_WIT[SUPPORTED_WIT.len() - 1];

/// The supported release that serves a plugin built for `version`, if any.
///
/// A release serves the versions on its semver track (same major, or same minor while the
/// major is 0) up to itself: a plugin built for a newer patch may call what this host lacks.
pub fn supported_wit(version: &Version) -> Option<&'static str> {
    SUPPORTED_WIT.iter().copied().find(|release| {
        Version::parse(release).is_ok_and(|r| same_track(&r, version) && *version <= r)
    })
}

/// The supported releases for a message: `0.1.0, 0.2.3`.
pub(crate) fn supported_list() -> String {
    SUPPORTED_WIT.join(", ")
}

/// Whether two versions are semver-compatible.
fn same_track(a: &Version, b: &Version) -> bool {
    a.major == b.major && (a.major > 0 || a.minor == b.minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_release_parses_and_they_ascend() {
        let parsed: Vec<Version> = SUPPORTED_WIT
            .iter()
            .map(|r| Version::parse(r).expect("a release is a semver version"))
            .collect();
        assert!(parsed.windows(2).all(|w| w[0] < w[1]), "{parsed:?}");
        assert_eq!(WIT_VERSION, SUPPORTED_WIT[SUPPORTED_WIT.len() - 1]);
    }

    #[test]
    fn each_release_serves_its_own_track_up_to_itself() {
        for (version, served) in [
            ("0.1.0", Some("0.1.0")),
            ("0.1.9", None),
            ("0.2.0", Some("0.2.3")),
            ("0.2.1", Some("0.2.3")),
            ("0.2.2", Some("0.2.3")),
            ("0.2.3", Some("0.2.3")),
            ("0.2.4", None),
            ("0.3.0", None),
            ("1.0.0", None),
            ("0.0.1", None),
        ] {
            let v = Version::parse(version).expect("version");
            assert_eq!(supported_wit(&v), served, "{version}");
        }
    }

    /// The SDK's compatibility table says what this host loads: every release of
    /// [`SUPPORTED_WIT`] with the earlier patches of its track, each served.
    #[test]
    fn the_sdk_readme_lists_what_this_host_loads() {
        let readme = include_str!("../../README.md");
        let row = readme
            .lines()
            .find(|l| l.starts_with("| this host |"))
            .expect("sdk/README.md has a row for this host");
        let loads: Vec<&str> = row
            .split('|')
            .nth(2)
            .map(|cell| cell.split(',').map(str::trim).collect())
            .unwrap_or_default();
        let mut served = Vec::new();
        for release in SUPPORTED_WIT {
            let r = Version::parse(release).expect("a release");
            for patch in 0..=r.patch {
                let v = Version::new(r.major, r.minor, patch);
                assert_eq!(supported_wit(&v), Some(*release), "{v}");
                served.push(v.to_string());
            }
        }
        assert_eq!(loads, served, "{row}");
    }
}
