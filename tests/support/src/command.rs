//! One way to run a Tessera binary (`tessera`, `tessera-demo`) in a test or benchmark: with
//! the environment under control (no inherited configuration, day, log filter, user or vault
//! key) and its output checked in one place.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A binary and how to run it.
#[derive(Debug, Clone)]
pub struct Tessera {
    bin: PathBuf,
    config: Option<PathBuf>,
    dir: Option<PathBuf>,
    env: Vec<(String, String)>,
}

impl Tessera {
    /// The binary at `bin` (`env!("CARGO_BIN_EXE_tessera")`).
    pub fn new(bin: impl AsRef<Path>) -> Self {
        Self {
            bin: bin.as_ref().to_owned(),
            config: None,
            dir: None,
            env: Vec::new(),
        }
    }

    /// Runs with `--config FILE`.
    pub fn config(mut self, file: impl AsRef<Path>) -> Self {
        self.config = Some(file.as_ref().to_owned());
        self
    }

    /// Runs as of a simulated day (`TESSERA_TODAY`).
    pub fn today(self, day: &str) -> Self {
        self.env("TESSERA_TODAY", day)
    }

    /// Runs in `dir`.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The command for `args`, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        for name in [
            "TESSERA_CONFIG",
            "TESSERA_TODAY",
            "TESSERA_LOG",
            "TESSERA_LOG_FORMAT",
            "TESSERA_VAULT_KEY",
            "USER",
        ] {
            cmd.env_remove(name);
        }
        if let Some(config) = &self.config {
            cmd.arg("--config").arg(config);
        }
        cmd.args(args);
        if let Some(dir) = &self.dir {
            cmd.current_dir(dir);
        }
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        cmd
    }

    /// Runs `args` to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the binary runs")
    }

    /// Runs `args` with `input` on standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input.as_bytes()).expect("write stdin");
        drop(stdin);
        child.wait_with_output().expect("the binary finishes")
    }

    /// Runs `args`, checks the exit code, and returns standard output.
    pub fn expect(&self, code: i32, args: &[&str]) -> String {
        check(code, args, &self.run(args))
    }

    /// Runs `args`, checks the exit code, and parses standard output as JSON.
    pub fn json(&self, code: i32, args: &[&str]) -> Value {
        let stdout = self.expect(code, args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }
}

/// Checks the exit code of a run of `args`; returns its standard output.
pub fn check(code: i32, args: &[&str], out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "tessera {}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
