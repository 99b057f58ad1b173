[package]
name = "{{name}}"
version = "0.1.0"
description = "{{description}}"
edition = "2024"

[lib]
crate-type = ["cdylib"]

[dependencies]
tessera-sdk = { path = "{{sdk}}" }
serde_json = "1"

[dev-dependencies]
# The mock far system of examples/far_system.rs, for `tessera plugin test`.
tiny_http = "0.12"

[profile.release]
strip = true
opt-level = "s"

# Its own workspace: a plugin is built on its own for wasm32-wasip2.
[workspace]
