//! A real OpenLDAP server (Debian's `slapd`) in a temporary directory, for one test.
//!
//! ```no_run
//! use tessera_test_servers::slapd::{Slapd, SlapdOptions};
//! let slapd = Slapd::start(SlapdOptions::default());
//! slapd.add_people("people", 3);
//! assert!(slapd.exists("uid=user00002,ou=people,dc=example,dc=org"));
//! ```
//!
//! Nothing outside the temporary directory is touched. A missing `slapd` fails the test with
//! the install command rather than skipping it.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::certs::TestCa;
use config::{ROOT_PASSWORD, suffix_ldif};

mod config;
#[cfg(test)]
mod tests;

const SLAPD: &str = "/usr/sbin/slapd";
const INSTALL_HINT: &str = "install Debian's slapd: apt-get install slapd ldap-utils";
/// How long slapd may take to accept connections; it usually needs well under a second.
const START_LIMIT: Duration = Duration::from_secs(10);
/// A freshly picked free port can be taken by someone else before slapd binds it.
const START_ATTEMPTS: usize = 3;

/// Whether slapd and the OpenLDAP client tools are installed; the install hint if not.
pub fn installed() -> Result<(), String> {
    let tools = [SLAPD, "/usr/bin/ldapadd", "/usr/bin/ldapsearch"];
    match tools.iter().find(|t| !Path::new(t).exists()) {
        None => Ok(()),
        Some(missing) => Err(format!("{missing} not found; {INSTALL_HINT}")),
    }
}

/// What to start.
#[derive(Clone, Debug)]
pub struct SlapdOptions {
    /// The database suffix; its first RDN must be `dc=`, `o=` or `ou=`.
    pub suffix: String,
    /// Schema files (slapd.conf syntax) included after core, cosine, inetorgperson and nis.
    pub extra_schemas: Vec<String>,
    /// Also serve StartTLS and LDAPS with a certificate from a fresh test CA.
    pub tls: bool,
    /// LDIF added after the suffix entry.
    pub ldif: Option<String>,
    /// A size limit for every authenticated DN but the root DN, as directories such as AD
    /// have; paged searches may still return any number of entries in pages of at most this.
    pub user_size_limit: Option<u32>,
    /// `index` lines beyond `objectClass eq`, e.g. `hsaIdentity eq`: what a production
    /// directory indexes, without which each lookup scans every entry.
    pub indexes: Vec<String>,
    /// Attributes whose values slapd keeps sorted (`sortvals`), so adding one value to an
    /// attribute with thousands is not a linear scan.
    pub sorted_values: Vec<String>,
    /// Serve RFC 4533 content synchronisation (the `syncprov` overlay with a session log of
    /// this many write operations), as a directory feeding replicas or a change feed does.
    pub content_sync: Option<u32>,
}

impl Default for SlapdOptions {
    fn default() -> SlapdOptions {
        SlapdOptions {
            suffix: "dc=example,dc=org".into(),
            extra_schemas: Vec::new(),
            tls: false,
            ldif: None,
            user_size_limit: None,
            indexes: Vec::new(),
            sorted_values: Vec::new(),
            content_sync: None,
        }
    }
}

/// A running slapd. Dropping it kills the process and removes its directory.
pub struct Slapd {
    dir: TempDir,
    suffix: String,
    ca: Option<TestCa>,
    port: u16,
    tls_port: Option<u16>,
    child: Option<Child>,
}

impl Slapd {
    /// Writes the configuration, starts slapd, waits until it accepts connections and adds
    /// the suffix entry and `options.ldif`. Panics with a clear message on any failure.
    pub fn start(options: SlapdOptions) -> Slapd {
        assert!(
            Path::new(SLAPD).exists(),
            "{SLAPD} not found: {INSTALL_HINT}"
        );
        let dir = tempfile::Builder::new()
            .prefix("tessera-slapd-")
            .tempdir()
            .expect("create slapd temp dir");
        fs::create_dir(dir.path().join("db")).expect("create slapd db dir");
        let ca = options.tls.then(|| TestCa::write(dir.path()));
        let mut slapd = Slapd {
            dir,
            suffix: options.suffix.clone(),
            ca,
            port: 0,
            tls_port: None,
            child: None,
        };
        slapd.write_config(&options);
        slapd.start_on_free_ports();
        slapd.seed(&suffix_ldif(&options.suffix));
        if let Some(ldif) = &options.ldif {
            slapd.seed(ldif);
        }
        slapd
    }

    /// `ldap://127.0.0.1:<port>` (plain, StartTLS-capable when started with `tls`).
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }

    /// `ldaps://127.0.0.1:<port>`, when started with `tls`.
    pub fn ldaps_url(&self) -> Option<String> {
        self.tls_port
            .map(|port| format!("ldaps://127.0.0.1:{port}"))
    }

    /// The plain LDAP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database's root DN, `cn=admin,<suffix>`, which bypasses all access control.
    pub fn root_dn(&self) -> String {
        config::root_dn(&self.suffix)
    }

    /// The root DN's password.
    pub fn root_password(&self) -> &str {
        ROOT_PASSWORD
    }

    /// The database suffix.
    pub fn suffix(&self) -> &str {
        &self.suffix
    }

    /// The test CA's certificate, when started with `tls`.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca.as_ref().map(|ca| ca.ca_file.as_path())
    }

    /// The temporary directory holding configuration, data and `slapd.log`.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Adds entries from LDIF as the root DN (`ldapadd`). Panics if any is refused.
    pub fn seed(&self, ldif: &str) {
        let file = self.dir.path().join("seed.ldif");
        fs::write(&file, ldif).expect("write seed LDIF");
        let output = self.client("ldapadd").arg("-f").arg(&file).output();
        check_client("ldapadd", output);
    }

    /// Deletes one entry as the root DN (`ldapdelete`), as an administrator would behind
    /// Tessera's back. Panics if it is refused.
    pub fn delete(&self, dn: &str) {
        let output = self.client("ldapdelete").arg(dn).output();
        check_client("ldapdelete", output);
    }

    /// Adds `ou=<ou>,<suffix>` and `count` inetOrgPerson entries `uid=user00000` … below it,
    /// each with `cn`, `sn`, `mail` and `employeeNumber` (the index). Returns the ou's DN.
    pub fn add_people(&self, ou: &str, count: usize) -> String {
        let parent = format!("ou={ou},{}", self.suffix);
        let mut ldif = format!("dn: {parent}\nobjectClass: organizationalUnit\nou: {ou}\n\n");
        for i in 0..count {
            let _ = write!(
                ldif,
                "dn: uid=user{i:05},{parent}\nobjectClass: inetOrgPerson\nuid: user{i:05}\n\
                 cn: User {i}\nsn: {i}\nmail: user{i:05}@example.org\nemployeeNumber: {i}\n\n"
            );
        }
        self.seed(&ldif);
        parent
    }

    /// Runs `ldapsearch` as the root DN and returns its LDIF output (no line wrapping).
    /// `scope` is `base`, `one` or `sub`. A missing base gives an empty string.
    pub fn search(&self, base: &str, scope: &str, filter: &str, attributes: &[&str]) -> String {
        crate::ldap_tools::search_ldif(self.ldapsearch(base, scope, filter, attributes))
    }

    /// Whether an entry with this DN exists, read as the root DN.
    pub fn exists(&self, dn: &str) -> bool {
        !self
            .search(dn, "base", "(objectClass=*)", &["1.1"])
            .is_empty()
    }

    /// How many entries match, read as the root DN.
    pub fn count(&self, base: &str, scope: &str, filter: &str) -> usize {
        let ldif = self.search(base, scope, filter, &["1.1"]);
        ldif.lines().filter(|line| line.starts_with("dn:")).count()
    }

    /// Stops slapd and starts it again on the same ports with the same data. Connections that
    /// clients held are closed by the restart.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn_and_wait()
            .unwrap_or_else(|e| panic!("restarting slapd: {e}"));
    }

    /// Kills slapd; [`Slapd::restart`] brings it back.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Killing cannot fail for a child we have not waited for yet; wait reaps it so
            // the ports are free for a restart.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn write_config(&self, options: &SlapdOptions) {
        let text = config::slapd_conf(self.dir.path(), options, self.ca.as_ref());
        fs::write(self.dir.path().join("slapd.conf"), text).expect("write slapd.conf");
    }

    fn start_on_free_ports(&mut self) {
        let mut last_error = String::new();
        for _ in 0..START_ATTEMPTS {
            self.port = free_port();
            self.tls_port = self.ca.as_ref().map(|_| free_port());
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(e) => last_error = e,
            }
        }
        panic!("slapd did not start after {START_ATTEMPTS} attempts: {last_error}");
    }

    /// Starts slapd in the foreground (`-d 0`), so the child is slapd itself and can be
    /// killed by its pid, then waits until the plain port accepts connections.
    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let dir = self.dir.path();
        let log = File::create(dir.join("slapd.log")).expect("create slapd.log");
        let mut listeners = self.url();
        if let Some(ldaps) = self.ldaps_url() {
            listeners = format!("{listeners} {ldaps}");
        }
        let child = Command::new(SLAPD)
            .args(["-d", "0", "-f"])
            .arg(dir.join("slapd.conf"))
            .args(["-h", &listeners])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run {SLAPD} ({INSTALL_HINT}): {e}"))?;
        self.child = Some(child);
        self.wait_until_ready()
    }

    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_LIMIT;
        while Instant::now() < deadline {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(format!("slapd exited with {status}: {}", self.log()));
            }
            if crate::port::listening(self.port) {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.stop();
        Err(format!(
            "slapd did not accept connections within {START_LIMIT:?}: {}",
            self.log()
        ))
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("slapd.log")).unwrap_or_default()
    }

    fn client(&self, tool: &str) -> Command {
        let mut command = Command::new(tool);
        command
            .args([
                "-x",
                "-H",
                &self.url(),
                "-D",
                &self.root_dn(),
                "-w",
                ROOT_PASSWORD,
            ])
            .stdin(Stdio::null());
        command
    }

    fn ldapsearch(&self, base: &str, scope: &str, filter: &str, attributes: &[&str]) -> Output {
        let output = self
            .client("ldapsearch")
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
            .output();
        output.unwrap_or_else(|e| panic!("cannot run ldapsearch ({INSTALL_HINT}): {e}"))
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn check_client(tool: &str, output: std::io::Result<Output>) {
    crate::ldap_tools::checked(tool, output, INSTALL_HINT);
}

/// A port the kernel just handed out; slapd may lose a race for it, hence the retries.
/// A port no other slapd of this process was given: tests start many at once, and one that
/// lost a port to another would see the other answer and take it for itself.
fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    loop {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind an ephemeral port");
        let port = listener
            .local_addr()
            .expect("ephemeral port address")
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}
