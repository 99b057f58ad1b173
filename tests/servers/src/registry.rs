//! A real OCI registry (Debian's `docker-registry`, the CNCF Distribution registry) on
//! loopback with its storage in a temporary directory, for one test.
//!
//! A missing binary fails the test with the install command rather than skipping it.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

const REGISTRY: &str = "/usr/bin/docker-registry";
const INSTALL_HINT: &str = "install Debian's docker-registry: apt-get install docker-registry";
/// How long the registry may take to accept connections; it usually needs well under a second.
const START_LIMIT: Duration = Duration::from_secs(15);

/// A running registry; stopped and removed on drop.
pub struct Registry {
    dir: TempDir,
    port: u16,
    child: Child,
}

impl Registry {
    /// Starts a registry on a free loopback port, anonymous and over plain HTTP, as a
    /// registry inside a hospital's network may be; Tessera allows plain HTTP to loopback only.
    pub fn start() -> Self {
        assert!(
            Path::new(REGISTRY).exists(),
            "{REGISTRY} not found: {INSTALL_HINT}"
        );
        let dir = tempfile::Builder::new()
            .prefix("tessera-registry-")
            .tempdir()
            .expect("registry temp dir");
        let port = free_port();
        let config = dir.path().join("config.yml");
        let storage = dir.path().join("storage");
        let yaml = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  \
             delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            storage.display()
        );
        std::fs::write(&config, yaml).expect("registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("registry log");
        let child = Command::new(REGISTRY)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let registry = Self { dir, port, child };
        registry.wait_until_listening();
        registry
    }

    fn wait_until_listening(&self) {
        let started = Instant::now();
        while !crate::port::listening(self.port) {
            assert!(
                started.elapsed() < START_LIMIT,
                "docker-registry did not listen on port {} within {START_LIMIT:?}; see {}",
                self.port,
                self.dir.path().join("registry.log").display()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// `127.0.0.1:<port>`, the registry part of an image reference.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Where the registry keeps its blobs, to tamper with them in tests.
    pub fn storage(&self) -> std::path::PathBuf {
        self.dir.path().join("storage")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("an ephemeral port")
}
