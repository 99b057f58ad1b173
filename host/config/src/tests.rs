#![allow(clippy::unwrap_used, reason = "tests")]

mod readme;

use std::path::Path;
use std::time::Duration;

use super::*;

fn parse(text: &str) -> Result<Settings> {
    Settings::parse(text, Path::new("/etc/tessera/tessera.toml"))
}

fn problems(text: &str) -> String {
    parse(text).expect_err("invalid").to_string()
}

#[test]
fn reads_a_system_with_defaults_and_absolute_paths() {
    let text = "rules = [\"roles.toml\"]\n[systems.hr]\nplugin = \"good-source\"\nversion = \"^1\"\n[systems.hr.grants]\nhttp = [\"https://*.example.org\"]\n";
    let settings = parse(text).unwrap();
    let hr = &settings.systems["hr"];
    assert_eq!(hr.limits.memory_mib, 64);
    assert_eq!(hr.grants.http.len(), 1);
    let defaults = SourceSettings {
        ranking: vec!["hr".to_owned()],
        ..SourceSettings::default()
    };
    assert_eq!(hr.source, defaults);
    assert_eq!(hr.apply, ApplySettings::default());
    assert_eq!(settings.plugins.dir, Path::new("/etc/tessera/plugins"));
    assert_eq!(settings.store.path, Path::new("/etc/tessera/tessera.db"));
    assert_eq!(settings.rules, [Path::new("/etc/tessera/roles.toml")]);
    assert_eq!(settings.lockfile(), Path::new("/etc/tessera/tessera.lock"));
}

#[test]
fn lists_all_problems_with_keys() {
    let text = "[plugins]\ntrusted_keys = [\"nope\"]\n[systems.a]\nplugin = \"x\"\n[systems.a.limits]\nmemory_mib = 0\ncpu_seconds = -1\n[systems.a.grants]\nhttp_insecure = [\"http://127.0.0.1:9\"]\n[systems.a.apply]\nconcurrency = 0\n[systems.b]\nplugin = \"y\"\n[systems.b.source]\nmax_pages = 0\n";
    let err = problems(text);
    for key in [
        "systems.a.limits.memory_mib",
        "systems.a.limits.cpu_seconds",
        "systems.a.grants.http_insecure",
        "systems.a.apply: concurrency must be 1 to 64",
        "systems.b.source: max_pages must be at least 1",
        "plugins.trusted_keys[0]",
    ] {
        assert!(err.contains(key), "{key} missing in {err}");
    }
}

#[test]
fn names_unknown_keys() {
    let err = problems("[systems.a]\nplugin = \"x\"\ncolour = 1\n");
    assert!(
        err.contains("tessera.toml") && err.contains("colour"),
        "{err}"
    );
}

/// Each refused key with its line, in any table, and the checks of what was read besides.
#[test]
fn lists_every_unknown_key_and_the_other_problems_at_once() {
    let text = "colour = 1\n[systems.a]\nplugin = \"x\"\nverison = \"^1\"\n[systems.a.limits]\nmemory_mib = 0\nmemroy = 1\n[[systems.a.http_auth]]\norigin = \"https://x.example\"\nheadr = 1\n[serve]\nevery = \"5m\"\n";
    let err = problems(text);
    for (key, line) in [("colour", 1), ("verison", 4), ("memroy", 7), ("headr", 10)] {
        assert!(err.contains(&format!("`{key}`")), "{key} missing in {err}");
        assert!(
            err.contains(&format!("line {line}")),
            "line {line} missing in {err}"
        );
    }
    assert!(err.contains("systems.a.limits.memory_mib"), "{err}");
    // The probe's expected list still comes with each refused key.
    assert!(err.contains("expected one of"), "{err}");
}

#[test]
fn the_time_zone_is_an_iana_name_and_utc_by_default() {
    assert_eq!(parse("").unwrap().timezone, tessera_domain::Zone::UTC);
    let ams = parse("timezone = \"Europe/Amsterdam\"\n").unwrap();
    assert_eq!(ams.timezone.name(), "Europe/Amsterdam");
    let err = problems("timezone = \"CET+1\"\n");
    assert!(err.contains("timezone: `CET+1` is not an IANA"), "{err}");
}

#[test]
fn source_settings_are_typed_and_refuse_typos_naming_their_table() {
    let text = "[systems.hr]\nplugin = \"x\"\n[systems.hr.source]\ncorrelation = \"bsn\"\n[systems.hr.source.thresholds]\nremoved = { percent = 10 }\n";
    let hr = &parse(text).unwrap().systems["hr"];
    assert_eq!(hr.source.correlation.as_deref(), Some("bsn"));
    assert_eq!(
        hr.source.thresholds.removed.and_then(|t| t.percent),
        Some(10.0)
    );
    let typo =
        "[systems.hr]\nplugin = \"x\"\n[systems.hr.source.thresholds]\nremvoed = { count = 1 }\n";
    let err = problems(typo);
    assert!(
        err.contains("systems.hr.source") && err.contains("remvoed"),
        "{err}"
    );
}

#[test]
fn apply_settings_fill_defaults_and_check_ranges() {
    let text = "[systems.ad]\nplugin = \"x\"\n[systems.ad.apply]\nconcurrency = 2\nretry = { attempts = 3, base_delay_ms = 10 }\n";
    let apply = parse(text).unwrap().systems["ad"].apply;
    assert_eq!(apply.concurrency, 2);
    assert_eq!(apply.retry.attempts, 3);
    assert_eq!(apply.retry.base_delay, Duration::from_millis(10));
    assert_eq!(
        apply.retry.max_delay,
        ApplySettings::default().retry.max_delay
    );
    for bad in [
        "concurrency = 0",
        "retry = { attempts = 0 }",
        "retry = { base_delay_ms = 10, max_delay_ms = 1 }",
        "colour = 1",
    ] {
        let err = problems(&format!(
            "[systems.ad]\nplugin = \"x\"\n[systems.ad.apply]\n{bad}\n"
        ));
        assert!(err.contains("systems.ad.apply"), "{bad}: {err}");
    }
}

#[test]
fn an_unknown_system_names_the_known_ones() {
    let settings = parse("[systems.hr]\nplugin = \"x\"\n[systems.ad]\nplugin = \"y\"\n").unwrap();
    let err = settings.system("hix").expect_err("unknown").to_string();
    assert!(err.contains("`hix`") && err.contains("ad, hr"), "{err}");
}

#[test]
fn thresholds_trip_on_count_or_percent() {
    let t = Threshold {
        count: Some(10),
        percent: Some(20.0),
    };
    assert!(t.trips(10, 1000).is_some());
    assert!(t.trips(9, 1000).is_none());
    assert!(t.trips(2, 10).is_some());
    assert!(t.trips(1, 10).is_none());
    assert!(
        Threshold {
            count: None,
            percent: Some(5.0)
        }
        .trips(3, 0)
        .is_none()
    );
}

/// AFAS Profit's header: the token XML from the vault, base64-encoded after `AfasToken`.
#[test]
fn a_header_can_carry_a_scheme_and_a_base64_encoded_secret() {
    let text = "[systems.afas]\nplugin = \"afas-profit\"\n[systems.afas.grants]\nhttp = [\"https://1.rest.afas.online\"]\n[[systems.afas.http_auth]]\norigin = \"https://1.rest.afas.online\"\nheader = { name = \"Authorization\", scheme = \"AfasToken\", base64 = true, secret = \"afas-token\" }\n";
    let settings = parse(text).unwrap();
    let header = settings.systems["afas"].http_auth[0]
        .header
        .clone()
        .unwrap();
    assert_eq!(
        header.value("<token><version>1</version></token>"),
        "AfasToken PHRva2VuPjx2ZXJzaW9uPjE8L3ZlcnNpb24+PC90b2tlbj4="
    );
    let plain = HeaderAuth {
        name: "elanza-api-key-v1".into(),
        secret: "k".into(),
        scheme: None,
        base64: false,
    };
    assert_eq!(plain.value("key"), "key", "the secret as it is by default");
}

/// The order records are merged in: highest `priority` first, equal ones in name order, the
/// same list in every system's source settings.
#[test]
fn sources_are_ranked_by_priority_then_name() {
    let text = "[systems.elanza]\nplugin = \"elanza\"\n[systems.afas]\nplugin = \"afas-profit\"\nsource = { priority = 10 }\n[systems.youforce]\nplugin = \"youforce\"\nsource = { priority = 10 }\n";
    let settings = parse(text).unwrap();
    let want = ["afas", "youforce", "elanza"];
    for system in settings.systems.values() {
        assert_eq!(system.source.ranking, want);
    }
    assert_eq!(settings.systems["afas"].source.priority, 10);
}
