//! A real Active Directory domain controller (Samba AD DC) for the AD tests.
//!
//! ```no_run
//! let dc = tessera_test_servers::samba::shared();
//! let ou = dc.fresh_ou("example");
//! assert!(dc.exists(&ou));
//! ```
//!
//! Samba listens on fixed ports (389, 636), so a test process runs one domain controller and
//! every AD test shares it through [`shared`]; each test works in its own OU ([`Samba::fresh_ou`]).
//!
//! Cleanup, which a `static` cannot do with `Drop`:
//! - Samba runs with `-i` and a piped stdin whose write end only this process holds. Samba
//!   stops on end-of-file there, so it dies with the test process however that ends (even
//!   `SIGKILL`), without an exit hook.
//! - Each domain lives in `tessera-samba-*` under the temporary directory with an `owner.pid`
//!   file; a new start removes the directories of owners that are no longer alive.
//!
//! Samba's own certificate names the host (`VM.realm`) without an IP address, which a client
//! connecting to `127.0.0.1` must refuse, so the harness gives Samba a certificate for
//! `127.0.0.1` from a fresh test CA, and tests trust [`Samba::ca_file`].

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::certs::TestCa;

const INSTALL_HINT: &str = "install Samba: apt-get install samba samba-ad-dc winbind krb5-user";
const SAMBA: &str = "/usr/sbin/samba";
const REALM: &str = "TESSERA.TEST";
const DOMAIN: &str = "TESSERA";
const BASE_DN: &str = "DC=tessera,DC=test";
const ADMIN_PASSWORD: &str = "Tessera-Adm1n-Pass!";
const LDAPS_PORT: u16 = 636;
/// Samba needs about 5 s here to answer after start; 60 s covers a loaded machine.
const START_LIMIT: Duration = Duration::from_secs(60);
const DIR_PREFIX: &str = "tessera-samba-";

/// A running domain controller.
pub struct Samba {
    dir: PathBuf,
    ca_file: PathBuf,
    _child: Child,
    /// Held open for the life of the process; Samba exits when it closes.
    _stdin: ChildStdin,
}

static SHARED: OnceLock<Samba> = OnceLock::new();
static OU_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Whether Samba's AD DC and the OpenLDAP client tools are installed; the install hint if not.
pub fn installed() -> Result<(), String> {
    let tools = [SAMBA, "/usr/bin/samba-tool", "/usr/bin/ldapadd"];
    match tools.iter().find(|t| !Path::new(t).exists()) {
        None => Ok(()),
        Some(missing) => Err(format!("{missing} not found; {INSTALL_HINT}")),
    }
}

/// The process's domain controller, provisioned and started on first use.
pub fn shared() -> &'static Samba {
    SHARED.get_or_init(Samba::start)
}

impl Samba {
    fn start() -> Samba {
        assert!(
            Path::new(SAMBA).exists(),
            "{SAMBA} not found: {INSTALL_HINT}"
        );
        remove_orphans();
        assert!(
            !crate::port::listening(LDAPS_PORT),
            "127.0.0.1:{LDAPS_PORT} is already in use (a leftover `samba -i` or another LDAPS \
             server); Samba needs that fixed port, stop the other server first"
        );
        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir()
            .expect("create samba temp dir")
            .keep();
        fs::write(dir.join("owner.pid"), std::process::id().to_string()).expect("write owner");
        let ca = TestCa::write(&dir);
        // Samba refuses a private key others can read.
        fs::set_permissions(&ca.key_file, fs::Permissions::from_mode(0o600))
            .expect("chmod server key");
        provision(&dir, &ca);
        let (child, stdin) = spawn(&dir);
        let samba = Samba {
            dir,
            ca_file: ca.ca_file,
            _child: child,
            _stdin: stdin,
        };
        samba.wait_until_ready();
        samba
    }

    /// `ldaps://127.0.0.1:636`.
    pub fn ldaps_url(&self) -> String {
        format!("ldaps://127.0.0.1:{LDAPS_PORT}")
    }

    /// The domain's naming context, `DC=tessera,DC=test`.
    pub fn base_dn(&self) -> &'static str {
        BASE_DN
    }

    /// The Kerberos realm, also the UPN suffix: `TESSERA.TEST`.
    pub fn realm(&self) -> &'static str {
        REALM
    }

    /// The bind name of the domain administrator, `Administrator@TESSERA.TEST`.
    pub fn admin_bind(&self) -> String {
        format!("Administrator@{REALM}")
    }

    /// The administrator's password.
    pub fn admin_password(&self) -> &'static str {
        ADMIN_PASSWORD
    }

    /// The CA that signed Samba's LDAPS certificate.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// A TLS client configuration that trusts only this domain's CA, for clients (ldap3)
    /// that talk to it directly.
    pub fn tls_config(&self) -> rustls::ClientConfig {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&self.ca_file).expect("Samba's CA file") {
            roots.add(cert.expect("a certificate")).expect("trusted");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth()
    }

    /// The directory with the domain's data, `smb.conf` and logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates `OU=<name>-<n>,<base>`, unique in this process, and returns its DN, so tests
    /// sharing the domain do not see each other's entries.
    pub fn fresh_ou(&self, name: &str) -> String {
        let n = OU_COUNTER.fetch_add(1, Ordering::Relaxed);
        let dn = format!("OU={name}-{n},{BASE_DN}");
        self.seed(&format!("dn: {dn}\nobjectClass: organizationalUnit\n\n"));
        dn
    }

    /// Adds entries from LDIF as the administrator. Panics if any is refused.
    pub fn seed(&self, ldif: &str) {
        self.run_ldif("ldapadd", ldif);
    }

    /// Applies an LDIF change file (`changetype: …`) as the administrator.
    pub fn modify(&self, ldif: &str) {
        self.run_ldif("ldapmodify", ldif);
    }

    /// `ldapsearch` as the administrator; LDIF without line wrapping, empty for a missing base.
    pub fn search(&self, base: &str, scope: &str, filter: &str, attributes: &[&str]) -> String {
        crate::ldap_tools::search_ldif(self.ldapsearch(base, scope, filter, attributes))
    }

    /// Whether an entry with this DN exists.
    pub fn exists(&self, dn: &str) -> bool {
        !self
            .search(dn, "base", "(objectClass=*)", &["1.1"])
            .is_empty()
    }

    /// The values of one attribute of one entry, as `ldapsearch` prints them (base64 values
    /// keep their `:: ` form).
    pub fn values(&self, dn: &str, attribute: &str) -> Vec<String> {
        let ldif = self.search(dn, "base", "(objectClass=*)", &[attribute]);
        let prefix = format!("{}:", attribute.to_lowercase());
        ldif.lines()
            .filter(|l| l.to_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim_start_matches([':', ' ']).to_owned())
            .collect()
    }

    fn client(&self, tool: &str) -> Command {
        let mut command = Command::new(tool);
        command
            .env("LDAPTLS_CACERT", &self.ca_file)
            .args(["-x", "-H", &self.ldaps_url(), "-D", &self.admin_bind()])
            .args(["-w", ADMIN_PASSWORD])
            .stdin(Stdio::null());
        command
    }

    fn run_ldif(&self, tool: &str, ldif: &str) {
        let file = tempfile::NamedTempFile::new_in(&self.dir).expect("temp LDIF file");
        fs::write(file.path(), ldif).expect("write LDIF");
        let output = self.client(tool).arg("-f").arg(file.path()).output();
        crate::ldap_tools::checked(tool, output, INSTALL_HINT);
    }

    fn ldapsearch(&self, base: &str, scope: &str, filter: &str, attributes: &[&str]) -> Output {
        self.client("ldapsearch")
            .args([
                "-LLL",
                "-o",
                "ldif-wrap=no",
                "-b",
                base,
                "-s",
                scope,
                filter,
            ])
            .args(attributes)
            .output()
            .unwrap_or_else(|e| panic!("cannot run ldapsearch (apt-get install ldap-utils): {e}"))
    }

    /// Polls LDAPS until it answers, at most [`START_LIMIT`].
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + START_LIMIT;
        while Instant::now() < deadline {
            if crate::port::listening(LDAPS_PORT) {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "Samba did not answer on 127.0.0.1:{LDAPS_PORT} within {START_LIMIT:?}; see {}",
            self.dir.join("samba.log").display()
        );
    }
}

/// `samba-tool domain provision` into `dir`: loopback only, LDAP only, every path inside `dir`.
fn provision(dir: &Path, ca: &TestCa) {
    let d = dir.display();
    let options = [
        "interfaces=lo".to_owned(),
        "bind interfaces only=yes".to_owned(),
        // LDAP is all the tests use; fewer services start sooner and hold fewer fixed ports.
        "server services=ldap".to_owned(),
        format!("log file={d}/log.%m"),
        format!("pid directory={d}/run"),
        format!("ncalrpc dir={d}/run/ncalrpc"),
        format!("winbindd socket directory={d}/run/winbindd"),
        "tls enabled=yes".to_owned(),
        format!("tls keyfile={}", ca.key_file.display()),
        format!("tls certfile={}", ca.cert_file.display()),
        format!("tls cafile={}", ca.ca_file.display()),
    ];
    let mut command = Command::new("samba-tool");
    command.args([
        "domain",
        "provision",
        "--server-role=dc",
        "--dns-backend=NONE",
    ]);
    command.arg(format!("--realm={REALM}"));
    command.arg(format!("--domain={DOMAIN}"));
    command.arg(format!("--adminpass={ADMIN_PASSWORD}"));
    command.arg(format!("--targetdir={d}"));
    for option in options {
        command.arg(format!("--option={option}"));
    }
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run samba-tool ({INSTALL_HINT}): {e}"));
    assert!(
        output.status.success(),
        "samba-tool domain provision failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn spawn(dir: &Path) -> (Child, ChildStdin) {
    let log = fs::File::create(dir.join("samba.log")).expect("create samba.log");
    let err = log.try_clone().expect("clone log handle");
    let mut child = Command::new(SAMBA)
        .args(["-i", "-M", "single", "-s"])
        .arg(dir.join("etc/smb.conf"))
        .stdin(Stdio::piped())
        .stdout(log)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {SAMBA} ({INSTALL_HINT}): {e}"));
    let stdin = child.stdin.take().expect("piped stdin");
    (child, stdin)
}

/// Removes domains left by test processes that have ended; their Samba ended with them.
fn remove_orphans() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(DIR_PREFIX));
        if !ours {
            continue;
        }
        let owner = fs::read_to_string(path.join("owner.pid")).unwrap_or_default();
        let alive = !owner.trim().is_empty() && Path::new("/proc").join(owner.trim()).exists();
        if !alive {
            // Best effort: a directory we cannot remove only costs disk space.
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_controller_answers_over_ldaps_with_real_ad_rules() {
        let dc = shared();
        let ou = dc.fresh_ou("harness");
        assert!(dc.exists(&ou));
        assert!(std::ptr::eq(dc, shared()), "one instance per process");
        dc.seed(&format!(
            "dn: CN=Probe,{ou}\nobjectClass: user\nsAMAccountName: harness-probe\n"
        ));
        // Samba creates a user added without password or flags disabled and password-optional
        // (546 = 512 normal + 2 disabled + 32 PASSWD_NOTREQD), and gives it an objectGUID: real
        // AD behaviour, not a schema-only imitation.
        assert_eq!(
            dc.values(&format!("CN=Probe,{ou}"), "userAccountControl"),
            ["546"]
        );
        assert_eq!(dc.values(&format!("CN=Probe,{ou}"), "objectGUID").len(), 1);
        let owner = fs::read_to_string(dc.dir().join("owner.pid")).expect("owner file");
        assert_eq!(owner, std::process::id().to_string());
    }
}
