//! What Tessera gave each ONS user, kept in the plugin's state on this system: ONS cannot
//! read duties back (by design, one source cannot see another's), and it has no disabled
//! user, so the plugin records which users it disabled and which duties it gave.

use serde::{Deserialize, Serialize};
use tessera_sdk::ConnectorError;
use tessera_sdk::host::errors::HostError;
use tessera_sdk::host::vault;

/// One user's record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Disabled by Tessera: its duties are withdrawn in ONS and come back when enabled.
    #[serde(default)]
    pub disabled: bool,
    /// The names of the duties Tessera gave, in the order given.
    #[serde(default)]
    pub duties: Vec<String>,
}

fn key(uuid: &str) -> String {
    format!("user:{uuid}")
}

fn state_error(e: HostError) -> ConnectorError {
    ConnectorError::Other(format!("the plugin's state on this system: {e:?}"))
}

/// The record of the user with `uuid`; empty when there is none.
pub fn read(uuid: &str) -> Result<Record, ConnectorError> {
    match vault::state_get(&key(uuid)).map_err(state_error)? {
        None => Ok(Record::default()),
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            ConnectorError::Other(format!("the record of ONS user {uuid} is unreadable: {e}"))
        }),
    }
}

/// Stores the record; an empty one is removed.
pub fn write(uuid: &str, record: &Record) -> Result<(), ConnectorError> {
    if *record == Record::default() {
        return forget(uuid);
    }
    let bytes = serde_json::to_vec(record).map_err(|e| ConnectorError::Other(e.to_string()))?;
    vault::state_set(&key(uuid), &bytes).map_err(state_error)
}

/// Removes the record of a deleted user.
pub fn forget(uuid: &str) -> Result<(), ConnectorError> {
    vault::state_delete(&key(uuid)).map_err(state_error)
}
