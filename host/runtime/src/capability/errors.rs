//! `tessera:host/errors`: the error types every other interface returns. Always linked; it has
//! no functions and grants nothing.

use wasmtime::component::{HasSelf, Linker};

use super::{Capability, ConfigureContext};
use crate::bindings::{WitVersion, v0_1, v0_2};
use crate::host_state::HostState;

pub(crate) struct ErrorsCap;

impl Capability for ErrorsCap {
    const INTERFACE: &'static str = "errors";

    fn configure(_: &ConfigureContext<'_>, _: &mut Vec<String>) -> Option<Self> {
        Some(Self)
    }

    fn add_to_linker(linker: &mut Linker<HostState>, wit: WitVersion) -> wasmtime::Result<()> {
        match wit {
            WitVersion::V0_1 => v0_1::host::errors::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
            WitVersion::V0_2 => v0_2::host::errors::add_to_linker::<_, HasSelf<_>>(linker, |s| s),
        }
    }
}

impl crate::bindings::host::errors::Host for HostState {}
