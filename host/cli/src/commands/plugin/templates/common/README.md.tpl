# {{name}}

A Tessera {{kind}} plugin, made by `tessera plugin new`. {{what}}

## Build and test

```sh
rustup target add wasm32-wasip2                       # once
cargo test                                            # mapping and plugin, in the SDK's mock host
cargo build --release --target wasm32-wasip2          # the component
tessera plugin inspect target/wasm32-wasip2/release/{{crate}}.wasm
```

`mock.json` is a page as the far system answers it; change it to what your system really
sends. The tests in `src/map.rs` say what the plugin makes of it; those in `src/lib.rs` run
the plugin natively in the SDK's mock host, with scripted answers and the host's denials.

## Run the connector contract

The built component, in a real Tessera host, against `examples/far_system.rs` (a mock of the
far system: the API this plugin speaks, in memory, seeded with `mock.json`):

```sh
cargo run --example far_system &                      # listens on 127.0.0.1:8089
tessera --config contract.toml plugin test target/wasm32-wasip2/release/{{crate}}.wasm --system {{name}}{{case_flag}}
kill %1
```

Each step prints `ok  STEP`; a step that breaks prints `BROKEN STEP: why` and the command
fails. As the far system's API grows, grow the mock with it: the contract then checks the
plugin against what the system really does.

## Sign and install

```sh
tessera plugin keygen vendor                          # once: vendor.key and vendor.pub
tessera plugin sign target/wasm32-wasip2/release/{{crate}}.wasm --key vendor.key
tessera plugin install target/wasm32-wasip2/release/{{crate}}.wasm \
    --signature target/wasm32-wasip2/release/{{crate}}.wasm.minisig
```

To ship it, push it (the signature beside it goes along) and install it by tag or digest:

```sh
tessera plugin push target/wasm32-wasip2/release/{{crate}}.wasm oci://registry.example.org/vendor/{{name}}:0.1.0
tessera plugin install oci://registry.example.org/vendor/{{name}}:0.1.0
```

An operator then gives it a system in `tessera.toml`:

```toml
[systems.{{system}}]
plugin = "{{name}}"
[systems.{{system}}.config]
base_url = "https://{{system}}.example.org"
[systems.{{system}}.grants]
http = ["https://{{system}}.example.org"]
```

`tessera.toml` beside this README is the plugin's manifest: its configuration schema and the
capabilities it asks for. See the SDK's README for everything else a plugin can do.
