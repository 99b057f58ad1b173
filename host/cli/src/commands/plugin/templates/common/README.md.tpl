# {{name}}

A Tessera {{kind}} plugin, made by `tessera plugin new`. {{what}}

## Build and test

```sh
rustup target add wasm32-wasip2                       # once
cargo test                                            # the mapping against mock.json
cargo build --release --target wasm32-wasip2          # the component
tessera plugin inspect target/wasm32-wasip2/release/{{crate}}.wasm
```

`mock.json` is a page as the far system answers it; change it to what your system really
sends and let the tests in `src/map.rs` say what the plugin makes of it.

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
