# The configuration `tessera plugin test` runs the connector contract with: the plugin as the
# system {{name}}, pointed at the mock far system of examples/far_system.rs on loopback.
#
#   cargo run --example far_system &
#   tessera --config contract.toml plugin test target/wasm32-wasip2/release/{{crate}}.wasm --system {{name}}{{case_flag}}

[store]
path = "contract.db"   # the contract run's own store: secrets, state, audit

[systems.{{name}}]
plugin = "{{name}}"

[systems.{{name}}.config]
base_url = "http://127.0.0.1:8089"

[systems.{{name}}.grants]
http = ["http://127.0.0.1:8089"]
# The mock speaks plain HTTP on loopback; a real system gets neither grant.
http_insecure = ["http://127.0.0.1:8089"]
http_private = ["http://127.0.0.1:8089"]
