//! Per-plugin key/value state, scoped to one plugin on one system and capped in size.
//!
//! State is not encrypted: plugins keep cursors and sync tokens here, not credentials, which
//! belong with the secrets where the operator sets them.

use crate::Result;

/// Plugin state.
pub trait PluginState {
    /// The value of `key` in the scope of `plugin` on `system`.
    fn state_get(&self, plugin: &str, system: &str, key: &str) -> Result<Option<Vec<u8>>>;

    /// Sets `key` to `value`, unless the scope's keys and values would then total more than
    /// `limit_bytes`, which fails with [`crate::Error::StateTooLarge`] and changes nothing.
    fn state_set(
        &self,
        plugin: &str,
        system: &str,
        key: &str,
        value: &[u8],
        limit_bytes: usize,
    ) -> Result<()>;

    /// Removes `key`; `false` when it was not set.
    fn state_delete(&self, plugin: &str, system: &str, key: &str) -> Result<bool>;
}
