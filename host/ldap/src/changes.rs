//! Change feeds: what changed under the base DN since a cookie, by one of the two protocols
//! directories speak.
//!
//! - **DirSync** (Active Directory, Samba): works only from the root of a naming context, so
//!   the host searches from the root of the one holding the base and keeps what lies under the
//!   base; a deleted object (a tombstone, now under `CN=Deleted Objects`) counts when its
//!   `lastKnownParent` does. The DC returns only the attributes that changed, and with
//!   `INCREMENTAL_VALUES` the values added to and removed from a linked attribute as
//!   `member;range=1-1` and `member;range=0-0`. It needs the "get changes" right on the
//!   naming context.
//! - **RFC 4533 content synchronisation**, in refreshOnly mode (OpenLDAP with `syncprov`):
//!   entries added or changed come whole; deletions come as entryUUIDs when the provider's
//!   session log reaches back to the cookie, and otherwise not at all (`deletes_complete`
//!   false): only a full read finds them then.
//!
//! Either way one call returns every change since the cookie, up to [`MAX_CHANGES`]; beyond
//! that, or for a cookie the server no longer honours, the error says a full read is needed.

mod ber;

use ldap3::controls::{Control, RawControl, RefreshMode, SyncRequest};
use ldap3::{Ldap, LdapResult, ResultEntry, Scope};

use crate::Error;
use crate::dn::Dn;
use crate::pool::Pool;
use crate::search::{Entry, convert};
use ber::EntryState;

/// The most changed entries one call returns; more means a full read is cheaper.
pub const MAX_CHANGES: usize = 100_000;
/// The result code (RFC 4533 `e-syncRefreshRequired`) for a feed that cannot go on from the
/// cookie: too many changes, or a cookie the server refused.
pub const REFRESH_REQUIRED: u32 = 4096;
/// `LDAP_DIRSYNC_INCREMENTAL_VALUES` (0x80000000) as the signed 32-bit INTEGER DCs expect.
const INCREMENTAL_VALUES: i64 = -0x8000_0000;
/// What DirSync's MaxBytes asks for; Samba ignores it and returns every change at once.
const DIRSYNC_MAX_BYTES: i64 = 1 << 20;
/// A filter nothing matches: starting a feed wants a cookie for now, not every entry.
const NOTHING: &str = "(&(objectClass=*)(!(objectClass=*)))";
/// Referrals and intermediate responses skipped before the feed is cut short.
const MAX_SKIPPED: usize = 100_000;

/// Which change-feed protocol to speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    /// Active Directory's DirSync control.
    DirSync,
    /// RFC 4533 content synchronisation, refreshOnly.
    ContentSync,
}

/// A change-feed search under the connection's base DN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRequest {
    /// The protocol.
    pub feed: Feed,
    /// Where the changes of interest lie; must lie under the connection's base DN.
    pub base: String,
    /// An RFC 4515 filter the changed entries match.
    pub filter: String,
    /// The attributes to return; empty means all user attributes.
    pub attributes: Vec<String>,
    /// Where the last call ended; `None` starts a feed: a cookie for now and no changes.
    pub cookie: Option<Vec<u8>>,
}

/// What changed since the cookie.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Entries added or changed under the base.
    pub entries: Vec<Entry>,
    /// Stable ids of entries removed: objectGUIDs (DirSync), entryUUIDs (content sync). An
    /// entry is gone, so a server may not be able to tell where it was: slapd lists every
    /// deletion its session log holds, those outside the base too.
    pub deleted: Vec<Vec<u8>>,
    /// Whether `deleted` is every deletion since the cookie.
    pub deletes_complete: bool,
    /// Where the next call continues.
    pub cookie: Vec<u8>,
    /// More changes wait: call again with `cookie`.
    pub more: bool,
}

impl Pool {
    /// Reads the changes since `req.cookie`.
    pub async fn search_changes(&self, req: ChangeRequest) -> Result<Changes, Error> {
        let base = self.check_dn(&req.base)?;
        if ldap3::parse_filter(&req.filter).is_err() {
            return Err(Error::InvalidFilter {
                filter: req.filter,
                message: "not a valid RFC 4515 filter".into(),
            });
        }
        let timeout = self.spec.timeout;
        let feed = Search {
            req: &req,
            base: &base,
            timeout,
        };
        match req.feed {
            Feed::DirSync => self.read(|ldap| feed.dirsync(ldap)).await,
            Feed::ContentSync => self.read(|ldap| feed.content_sync(ldap)).await,
        }
    }
}

struct Search<'a> {
    req: &'a ChangeRequest,
    base: &'a Dn,
    timeout: std::time::Duration,
}

impl Search<'_> {
    fn filter(&self) -> &str {
        match self.req.cookie {
            Some(_) => &self.req.filter,
            None => NOTHING,
        }
    }

    /// The attributes asked for plus those the feed itself needs.
    fn attributes(&self, needed: &[&str]) -> Vec<String> {
        let mut attributes = self.req.attributes.clone();
        if !attributes.is_empty() {
            attributes.extend(needed.iter().map(|a| (*a).to_string()));
        }
        attributes
    }

    async fn dirsync(&self, mut ldap: Ldap) -> Result<Changes, Error> {
        let root = naming_context(&mut ldap, self.base, self.timeout).await?;
        let cookie = self.req.cookie.as_deref().unwrap_or_default();
        let control = RawControl {
            ctype: ber::DIRSYNC_OID.into(),
            crit: true,
            val: Some(ber::dirsync_request(
                INCREMENTAL_VALUES,
                DIRSYNC_MAX_BYTES,
                cookie,
            )?),
        };
        let attributes = self.attributes(&["objectGUID", "isDeleted", "lastKnownParent"]);
        let (found, done) = self
            .run(&mut ldap, vec![control], &root, attributes)
            .await?;
        let mut changes = Changes {
            deletes_complete: true,
            ..Changes::default()
        };
        for item in found {
            if let Found::Entry(entry, _) = item {
                self.keep_dirsync(&mut changes, entry);
            }
        }
        let response = control_value(&done.ctrls, ber::DIRSYNC_OID)
            .ok_or_else(|| missing("DirSync response control"))?;
        let response = ber::dirsync_response(response)?;
        changes.cookie = response.cookie;
        changes.more = response.more;
        Ok(changes)
    }

    /// Keeps an entry under the base, or the objectGUID of a tombstone that was under it.
    fn keep_dirsync(&self, changes: &mut Changes, entry: Entry) {
        let deleted = entry
            .first("isDeleted")
            .is_some_and(|v| v.eq_ignore_ascii_case("TRUE"));
        let home = match deleted {
            true => entry.first("lastKnownParent").map(plain_dn),
            false => Some(plain_dn(&entry.dn)),
        };
        let under_base = home
            .and_then(|dn| Dn::parse(dn).ok())
            .is_some_and(|dn| dn.is_within(self.base));
        if !under_base {
            return;
        }
        if !deleted {
            changes.entries.push(entry);
            return;
        }
        let guid = entry
            .binary_attributes
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("objectGUID"))
            .and_then(|(_, values)| values.first());
        if let Some(guid) = guid {
            changes.deleted.push(guid.clone());
        }
    }

    async fn content_sync(&self, mut ldap: Ldap) -> Result<Changes, Error> {
        let control: RawControl = SyncRequest {
            mode: RefreshMode::RefreshOnly,
            cookie: self.req.cookie.clone(),
            reload_hint: false,
        }
        .into();
        let control = RawControl {
            crit: true,
            ..control
        };
        let base = self.base.to_string();
        let attributes = self.attributes(&["entryUUID"]);
        let (found, done) = self
            .run(&mut ldap, vec![control], &base, attributes)
            .await?;
        let mut changes = Changes {
            // Unchanged when nothing changed: the server need not send it again.
            cookie: self.req.cookie.clone().unwrap_or_default(),
            ..Changes::default()
        };
        let mut deletes_announced = false;
        for item in found {
            match item {
                Found::Entry(entry, ctrls) => {
                    let state = control_value(&ctrls, ber::SYNC_STATE_OID)
                        .ok_or_else(|| missing("Sync State control"))?;
                    match ber::sync_state(state)? {
                        (EntryState::Delete, uuid) => changes.deleted.push(uuid),
                        (EntryState::Add | EntryState::Modify, _) => changes.entries.push(entry),
                        (EntryState::Present, _) => {}
                    }
                }
                Found::Info(info) => {
                    if info.refresh_deletes {
                        deletes_announced = true;
                        changes.deleted.extend(info.uuids);
                    }
                    if let Some(cookie) = info.cookie {
                        changes.cookie = cookie;
                    }
                }
            }
        }
        let (cookie, refresh_deletes) = match control_value(&done.ctrls, ber::SYNC_DONE_OID) {
            Some(value) => ber::sync_done(value)?,
            None => (None, false),
        };
        if let Some(cookie) = cookie {
            changes.cookie = cookie;
        }
        // A delete phase lists what went; a present phase only what stayed (RFC 4533 §3.3).
        changes.deletes_complete =
            self.req.cookie.is_none() || refresh_deletes || deletes_announced;
        Ok(changes)
    }

    /// Runs the search and collects every entry and Sync Info message, then the result.
    async fn run(
        &self,
        ldap: &mut Ldap,
        controls: Vec<RawControl>,
        base: &str,
        attributes: Vec<String>,
    ) -> Result<(Vec<Found>, LdapResult), Error> {
        let mut stream = ldap
            .with_timeout(self.timeout)
            .with_controls(controls)
            .streaming_search(base, Scope::Subtree, self.filter(), attributes)
            .await
            .map_err(Error::from_ldap)?;
        let mut found = Vec::new();
        let mut skipped = 0;
        while let Some(item) = stream.next().await.map_err(Error::from_ldap)? {
            match classify(item)? {
                Some(f) => found.push(f),
                None => skipped += 1,
            }
            if found.len() > MAX_CHANGES || skipped > MAX_SKIPPED {
                drop(stream);
                return Err(Error::from_code(
                    REFRESH_REQUIRED,
                    String::new(),
                    format!("more than {MAX_CHANGES} changes since the cookie; read in full"),
                ));
            }
        }
        let done = stream.finish().await;
        match done.rc {
            0 => Ok((found, done)),
            code => Err(Error::from_code(code, done.matched, done.text)),
        }
    }
}

/// One item of a change-feed search.
enum Found {
    Entry(Entry, Vec<Control>),
    Info(ber::SyncInfo),
}

fn classify(item: ResultEntry) -> Result<Option<Found>, Error> {
    if item.is_ref() {
        return Ok(None);
    }
    if item.is_intermediate() {
        return ber::sync_info(item.0).map(|info| Some(Found::Info(info)));
    }
    let ctrls = item.1.clone();
    convert(item).map(|entry| Some(Found::Entry(entry, ctrls)))
}

fn control_value<'a>(ctrls: &'a [Control], oid: &str) -> Option<&'a [u8]> {
    ctrls
        .iter()
        .find(|c| c.1.ctype == oid)
        .and_then(|c| c.1.val.as_deref())
}

fn missing(what: &str) -> Error {
    Error::from_code(2, String::new(), format!("the server sent no {what}"))
}

/// A DN without the `<GUID=…>;<SID=…>;` prefixes of the extended form (MS-ADTS 3.1.1.3.4.1.5)
/// a DC may use.
fn plain_dn(dn: &str) -> &str {
    let mut rest = dn;
    while rest.starts_with('<') {
        match rest.find(">;") {
            Some(end) => rest = &rest[end + 2..],
            None => break,
        }
    }
    rest
}

/// The root of the naming context holding `base`, from the rootDSE's `namingContexts`.
async fn naming_context(
    ldap: &mut Ldap,
    base: &Dn,
    timeout: std::time::Duration,
) -> Result<String, Error> {
    let (entries, result) = ldap
        .with_timeout(timeout)
        .search("", Scope::Base, "(objectClass=*)", vec!["namingContexts"])
        .await
        .map_err(Error::from_ldap)?
        .success()
        .map_err(Error::from_ldap)?;
    drop(result);
    let roots = entries
        .into_iter()
        .filter_map(|e| convert(e).ok())
        .flat_map(|e| e.values("namingContexts").to_vec());
    roots
        .filter_map(|root| Dn::parse(&root).ok().map(|dn| (root, dn)))
        .filter(|(_, dn)| base.is_within(dn))
        .max_by_key(|(root, _)| root.len())
        .map(|(root, _)| root)
        .ok_or_else(|| missing("naming context holding the base DN"))
}

#[cfg(test)]
mod tests {
    use super::plain_dn;

    #[test]
    fn extended_dns_lose_their_guid_and_sid_prefixes() {
        assert_eq!(
            plain_dn("<GUID=ab>;<SID=S-1-5>;CN=x,DC=example,DC=org"),
            "CN=x,DC=example,DC=org"
        );
        assert_eq!(plain_dn("CN=x,DC=org"), "CN=x,DC=org");
        assert_eq!(plain_dn("<GUID=ab>"), "<GUID=ab>");
    }
}
