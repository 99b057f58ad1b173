//! The `tessera` binary; see the library for what it does.

fn main() -> std::process::ExitCode {
    tessera_cli::main_with(std::env::args_os())
}
