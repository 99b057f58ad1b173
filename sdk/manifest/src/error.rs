/// Why a component or its manifest was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The bytes are not WebAssembly at all.
    #[error("not a WebAssembly file (it starts with {0:02x?})")]
    NotWasm(Vec<u8>),
    /// A core module, not a component.
    #[error(
        "a core WebAssembly module, not a component; build the plugin for wasm32-wasip2 with the tessera SDK"
    )]
    CoreModule,
    /// The binary is damaged or cut short.
    #[error("malformed component: {0}")]
    Malformed(String),
    /// No manifest section: not built with the SDK.
    #[error("no `{section}` section: the component was not built with the tessera SDK", section = crate::SECTION)]
    MissingManifest,
    /// The manifest section cannot be read.
    #[error("unreadable manifest: {0}")]
    BadManifest(String),
    /// The manifest reads but says something impossible.
    #[error("invalid manifest: {0}")]
    InvalidManifest(String),
    /// Built for a WIT version this host does not speak.
    #[error(
        "built for tessera WIT {found}; this host supports {supported} (semver-compatible versions only)"
    )]
    UnsupportedWit {
        /// The version the plugin targets.
        found: String,
        /// What the host supports.
        supported: String,
    },
    /// The component imports something its manifest does not request.
    #[error("imports beyond its manifest: {}", .0.join("; "))]
    UndeclaredImports(Vec<String>),
    /// The component exports neither world, or the other world than its manifest says.
    #[error("exports do not match a {kind} plugin: expected `{expected}`, found [{}]", .found.join(", "))]
    WrongExports {
        /// Kind in the manifest.
        kind: String,
        /// The interface it should export.
        expected: String,
        /// What it exports.
        found: Vec<String>,
    },
}
