//! The text slapd is started with: `slapd.conf` and the suffix entry.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use super::SlapdOptions;
use crate::certs::TestCa;

pub(super) const ROOT_PASSWORD: &str = "tessera-root-secret";
const SCHEMA_DIR: &str = "/etc/ldap/schema";
const BASE_SCHEMAS: [&str; 4] = ["core", "cosine", "inetorgperson", "nis"];

pub(super) fn root_dn(suffix: &str) -> String {
    format!("cn=admin,{suffix}")
}

/// A `slapd.conf` keeping everything (pid, data, extra schemas) inside `dir`. Extra schemas
/// are written there as files, since slapd only includes files.
pub(super) fn slapd_conf(dir: &Path, options: &SlapdOptions, ca: Option<&TestCa>) -> String {
    let mut conf = String::new();
    for name in BASE_SCHEMAS {
        let _ = writeln!(conf, "include {SCHEMA_DIR}/{name}.schema");
    }
    for (i, schema) in options.extra_schemas.iter().enumerate() {
        let path = dir.join(format!("extra-{i}.schema"));
        fs::write(&path, schema).expect("write extra schema");
        let _ = writeln!(conf, "include {}", path.display());
    }
    let _ = writeln!(conf, "pidfile {}", dir.join("slapd.pid").display());
    let _ = writeln!(conf, "argsfile {}", dir.join("slapd.args").display());
    conf.push_str("modulepath /usr/lib/ldap\nmoduleload back_mdb\n");
    if options.content_sync.is_some() {
        conf.push_str("moduleload syncprov\n");
    }
    // Paging and big result sets are what the tests exercise, so no size limits by default.
    conf.push_str("sizelimit unlimited\n");
    if !options.sorted_values.is_empty() {
        let _ = writeln!(conf, "sortvals {}", options.sorted_values.join(" "));
    }
    if let Some(ca) = ca {
        let _ = writeln!(conf, "TLSCACertificateFile {}", ca.ca_file.display());
        let _ = writeln!(conf, "TLSCertificateFile {}", ca.cert_file.display());
        let _ = writeln!(conf, "TLSCertificateKeyFile {}", ca.key_file.display());
    }
    // dbnosync: a test database need not survive a power cut, and fsync is slow.
    conf.push_str("database mdb\nmaxsize 268435456\ndbnosync\n");
    let _ = writeln!(conf, "suffix \"{}\"", options.suffix);
    let _ = writeln!(conf, "rootdn \"{}\"", root_dn(&options.suffix));
    let _ = writeln!(conf, "rootpw {ROOT_PASSWORD}");
    let _ = writeln!(conf, "directory {}", dir.join("db").display());
    conf.push_str("index objectClass eq\n");
    for index in &options.indexes {
        let _ = writeln!(conf, "index {index}");
    }
    if let Some(limit) = options.user_size_limit {
        let _ = writeln!(
            conf,
            "limits users size.soft={limit} size.hard={limit} size.pr={limit} size.prtotal=unlimited"
        );
    }
    if let Some(log) = options.content_sync {
        // syncprov needs entryCSN indexed for equality (slapo-syncprov(5)); the checkpoint
        // keeps contextCSN on disk, the session log lets a refresh list deletions.
        // Last: what follows `overlay` configures the overlay.
        conf.push_str("index entryCSN,entryUUID eq\noverlay syncprov\n");
        let _ = writeln!(conf, "syncprov-checkpoint 100 5\nsyncprov-sessionlog {log}");
    }
    conf
}

/// The entry for the suffix itself, whose object class follows its first RDN.
pub(super) fn suffix_ldif(suffix: &str) -> String {
    let first = suffix.split(',').next().unwrap_or_default();
    let (attribute, value) = first
        .split_once('=')
        .expect("suffix needs an attribute=value RDN");
    let classes = match attribute.trim().to_ascii_lowercase().as_str() {
        "dc" => format!("objectClass: dcObject\nobjectClass: organization\no: {value}\n"),
        "o" => "objectClass: organization\n".to_string(),
        "ou" => "objectClass: organizationalUnit\n".to_string(),
        other => panic!("unsupported suffix attribute {other:?}: use dc=, o= or ou="),
    };
    format!("dn: {suffix}\n{classes}{attribute}: {value}\n")
}
