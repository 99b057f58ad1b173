//! The reader that install and `plugin inspect` run on a third party's `.wasm` before anything
//! else: the component's custom-section manifest, its imports and exports, and the manifest's
//! JSON on its own.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_manifest::{ComponentInfo, Manifest};

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = ComponentInfo::parse(data) {
        let _ = info.check_imports();
        let _ = info.manifest.validate();
    }
    if let Ok(manifest) = Manifest::from_json(data) {
        let _ = manifest.validate();
        let _ = manifest.check_wit();
        let again = Manifest::from_json(manifest.to_json().as_bytes());
        assert!(again.is_ok(), "a manifest's own JSON reads back");
    }
});
