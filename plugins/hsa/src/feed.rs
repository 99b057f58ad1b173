//! The change feed: RFC 4533 content synchronisation (refreshOnly) from the directory's
//! syncprov, through the host's `search-changes`.
//!
//! - Changed persons come whole and are reported as accounts.
//! - A changed commission reports its members as granted; the engine ignores those it holds.
//!   A member someone else removed is not seen until the next full reconciliation: without
//!   the commission's previous members the entry cannot say who left.
//! - Deletions come as entryUUIDs. Tessera's own deletes are named: `delete` notes the
//!   person's entryUUID in the plugin state, and the feed turns it back into the HSA-id. Any
//!   other deletion, or a refresh whose deletions the directory could not list (its session
//!   log does not reach back to the cursor), is `cursor-invalid`: the engine reads in full.
//! - The cursor is `contentsync:` and the directory's cookie.

use tessera_sdk::ConnectorError;
use tessera_sdk::host::ldap::{ChangeFeed, Entry};
use tessera_sdk::host::vault;
use tessera_sdk::types::{EntitlementRef, Membership, TargetChanges};

use crate::Hsa;
use crate::commissions::{self, KIND};
use crate::directory::{self as dir, code, first, values};

const TAG: &[u8] = b"contentsync:";
const FILTER: &str =
    "(|(&(objectClass=inetOrgPerson)(objectClass=HSAPersonExtension))(objectClass=hsaCommission))";
/// Results that mean the cookie cannot be followed: protocolError, unwillingToPerform and
/// RFC 4533's e-syncRefreshRequired (also what the host says for too many changes).
const RESTART: [u32; 3] = [2, 53, 4096];

impl Hsa {
    /// Changes since `cursor`; with none, a cursor for now.
    pub(crate) fn changes(&self, cursor: Option<Vec<u8>>) -> Result<TargetChanges, ConnectorError> {
        let cookie = match &cursor {
            None => None,
            Some(c) => match c.strip_prefix(TAG) {
                Some(cookie) if !cookie.is_empty() => Some(cookie.to_vec()),
                _ => return Err(invalid("not a content-sync cursor of this plugin")),
            },
        };
        let mut names = self.read_names();
        names.extend(
            [
                "objectClass",
                "cn",
                "hsaCommissionMember",
                "hsaCommissionPurpose",
                "hsaCommissionRight",
            ]
            .map(str::to_owned),
        );
        let feed = ChangeFeed::ContentSync(cookie);
        let changes = match dir::DIR.changes(&self.base, FILTER, &names, &feed) {
            Ok(changes) => changes,
            Err(e) if cursor.is_some() && code(&e).is_some_and(|c| RESTART.contains(&c)) => {
                return Err(invalid(&format!("the directory will not go on: {e:?}")));
            }
            Err(e) => return Err(e.into()),
        };
        let mut out = TargetChanges {
            cursor: [TAG, &changes.cookie].concat(),
            more: changes.more,
            ..TargetChanges::default()
        };
        if cursor.is_none() {
            return Ok(out);
        }
        if !changes.deletes_complete {
            return Err(invalid(
                "the directory's session log does not reach back to the cursor",
            ));
        }
        for entry in &changes.entries {
            self.sort(entry, &mut out);
        }
        for uuid in &changes.deleted {
            out.removed.push(own_delete(uuid)?);
        }
        Ok(out)
    }

    fn sort(&self, entry: &Entry, out: &mut TargetChanges) {
        let commission = values(entry, "objectClass")
            .iter()
            .any(|c| c.eq_ignore_ascii_case("hsaCommission"));
        if !commission {
            out.accounts.extend(self.account(entry));
            return;
        }
        let Some(key) = first(entry, "hsaIdentity") else {
            return;
        };
        out.entitlements.extend(commissions::entitlement(entry));
        out.granted.extend(
            values(entry, "hsaCommissionMember")
                .iter()
                .map(|m| Membership {
                    account: m.clone(),
                    entitlement: EntitlementRef {
                        kind: KIND.to_owned(),
                        key: key.to_owned(),
                    },
                }),
        );
    }
}

fn invalid(why: &str) -> ConnectorError {
    ConnectorError::CursorInvalid(why.to_owned())
}

fn state_key(uuid_hex: &str) -> String {
    format!("deleted:{uuid_hex}")
}

/// Notes that Tessera deleted the person with this entryUUID (text form), so the feed can
/// name the deletion. Without `grants.state` nothing is noted, and the feed reads in full.
pub(crate) fn note_delete(entry_uuid: &str, key: &str) {
    let hex: String = entry_uuid
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_lowercase();
    let _ = vault::state_set(&state_key(&hex), key.as_bytes());
}

/// The HSA-id of a person Tessera deleted, or `cursor-invalid` for a deletion by someone else.
fn own_delete(uuid: &[u8]) -> Result<String, ConnectorError> {
    let hex: String = uuid.iter().map(|b| format!("{b:02x}")).collect();
    let key = state_key(&hex);
    match vault::state_get(&key) {
        Ok(Some(id)) => {
            let _ = vault::state_delete(&key);
            String::from_utf8(id).map_err(|_| invalid("a damaged note of a deletion"))
        }
        _ => Err(invalid(
            "an entry was deleted by someone else; only a full read can tell which",
        )),
    }
}
