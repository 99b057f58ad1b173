//! Glue the export macros expand to; not part of the public API.
//!
//! [`SourceExport`] and [`TargetExport`] implement the generated `Guest` traits of the WIT
//! version the SDK is built for (one module each) by calling the plugin's [`crate::Source`] or
//! [`crate::Target`] and moving the answers into that version's records.

#[cfg(feature = "wit-0-1")]
mod v0_1;
#[cfg(not(feature = "wit-0-1"))]
mod v0_2;

use std::any::Any;
use std::cell::RefCell;
use std::marker::PhantomData;

use crate::ConnectorError;

/// The exports of a source plugin `T`.
pub struct SourceExport<T>(PhantomData<T>);

/// The exports of a target plugin `T`.
pub struct TargetExport<T>(PhantomData<T>);

std::thread_local! {
    /// The run's plugin value. A component exports one plugin, so one slot serves it.
    static INSTANCE: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Runs `f` on the run's plugin instance, building it with `new` on first use. The host gives
/// every run a fresh component instance, so this state lives exactly one run.
pub fn with<T: 'static, R>(
    new: fn() -> Result<T, ConnectorError>,
    f: impl FnOnce(&mut T) -> Result<R, ConnectorError>,
) -> Result<R, ConnectorError> {
    INSTANCE.with(|slot| {
        let mut slot = slot.borrow_mut();
        if !slot.as_ref().is_some_and(|p| p.is::<T>()) {
            *slot = Some(Box::new(new()?));
        }
        match slot.as_mut().and_then(|p| p.downcast_mut::<T>()) {
            Some(plugin) => f(plugin),
            None => Err(ConnectorError::Other(
                "the plugin instance went missing".into(),
            )),
        }
    })
}
