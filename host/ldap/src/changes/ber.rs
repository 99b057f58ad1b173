//! The BER of the change-feed controls: the DirSync request and response (MS-ADTS
//! 3.1.1.3.4.1.3) and RFC 4533's Sync State, Sync Done and Sync Info. Decoding never panics: a
//! server that sends something else gets a `protocolError`-style error naming the control.

use bytes::BytesMut;
use ldap3::asn1::{
    ASNTag, Integer, OctetString, PL, Sequence, StructureTag, Tag, TagClass, Types, parse_tag,
    parse_uint, write,
};

use crate::Error;

/// The DirSync control's OID, for the request and the response.
pub(super) const DIRSYNC_OID: &str = "1.2.840.113556.1.4.841";
pub(super) const SYNC_STATE_OID: &str = "1.3.6.1.4.1.4203.1.9.1.2";
pub(super) const SYNC_DONE_OID: &str = "1.3.6.1.4.1.4203.1.9.1.3";

fn malformed(what: &str) -> Error {
    Error::from_code(
        2,
        String::new(),
        format!("malformed {what} from the server"),
    )
}

/// `DirSyncRequestValue ::= SEQUENCE { Flags INTEGER, MaxBytes INTEGER, Cookie OCTET STRING }`.
pub(super) fn dirsync_request(flags: i64, max_bytes: i64, cookie: &[u8]) -> Result<Vec<u8>, Error> {
    let value = Tag::Sequence(Sequence {
        inner: vec![
            Tag::Integer(Integer {
                inner: flags,
                ..Default::default()
            }),
            Tag::Integer(Integer {
                inner: max_bytes,
                ..Default::default()
            }),
            Tag::OctetString(OctetString {
                inner: cookie.to_vec(),
                ..Default::default()
            }),
        ],
        ..Default::default()
    });
    let mut buf = BytesMut::with_capacity(cookie.len() + 32);
    write::encode_into(&mut buf, value.into_structure())
        .map_err(|e| Error::InvalidRequest(format!("encoding the DirSync control: {e}")))?;
    Ok(buf.to_vec())
}

/// What a DirSync response control says: more changes wait, and the cookie to continue from.
pub(super) struct DirSyncResponse {
    pub(super) more: bool,
    pub(super) cookie: Vec<u8>,
}

/// `DirSyncResponseValue ::= SEQUENCE { MoreResults INTEGER, unused INTEGER, CookieServer
/// OCTET STRING }`.
pub(super) fn dirsync_response(value: &[u8]) -> Result<DirSyncResponse, Error> {
    let bad = || malformed("DirSync response control");
    let mut parts = sequence(value).ok_or_else(bad)?.into_iter();
    let more = parts.next().and_then(integer).ok_or_else(bad)?;
    let _unused = parts.next().ok_or_else(bad)?;
    let cookie = parts
        .next()
        .and_then(StructureTag::expect_primitive)
        .ok_or_else(bad)?;
    Ok(DirSyncResponse {
        more: more != 0,
        cookie,
    })
}

/// An entry's state in a content-sync refresh (RFC 4533 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntryState {
    Present,
    Add,
    Modify,
    Delete,
}

/// `syncStateValue ::= SEQUENCE { state ENUMERATED, entryUUID syncUUID, cookie syncCookie
/// OPTIONAL }`; the cookie is not needed in refreshOnly, where Sync Done carries the last.
pub(super) fn sync_state(value: &[u8]) -> Result<(EntryState, Vec<u8>), Error> {
    let bad = || malformed("Sync State control");
    let mut parts = sequence(value).ok_or_else(bad)?.into_iter();
    let state = match parts.next().and_then(integer).ok_or_else(bad)? {
        0 => EntryState::Present,
        1 => EntryState::Add,
        2 => EntryState::Modify,
        3 => EntryState::Delete,
        _ => return Err(bad()),
    };
    let uuid = parts
        .next()
        .and_then(StructureTag::expect_primitive)
        .ok_or_else(bad)?;
    Ok((state, uuid))
}

/// `syncDoneValue ::= SEQUENCE { cookie syncCookie OPTIONAL, refreshDeletes BOOLEAN DEFAULT
/// FALSE }`.
pub(super) fn sync_done(value: &[u8]) -> Result<(Option<Vec<u8>>, bool), Error> {
    let bad = || malformed("Sync Done control");
    let mut cookie = None;
    let mut refresh_deletes = false;
    for part in sequence(value).ok_or_else(bad)? {
        match part.id {
            id if id == Types::OctetString as u64 => {
                cookie = Some(part.expect_primitive().ok_or_else(bad)?);
            }
            id if id == Types::Boolean as u64 => refresh_deletes = boolean(part).ok_or_else(bad)?,
            _ => return Err(bad()),
        }
    }
    Ok((cookie, refresh_deletes))
}

/// What a Sync Info intermediate message says (RFC 4533 §2.5).
#[derive(Debug, Default)]
pub(super) struct SyncInfo {
    pub(super) cookie: Option<Vec<u8>>,
    /// From a `syncIdSet`: entries gone (`refresh_deletes`) or present.
    pub(super) uuids: Vec<Vec<u8>>,
    pub(super) refresh_deletes: bool,
}

/// Decodes an IntermediateResponse `[APPLICATION 25]` carrying a Sync Info value.
pub(super) fn sync_info(message: StructureTag) -> Result<SyncInfo, Error> {
    let bad = || malformed("Sync Info message");
    let parts = message
        .match_id(25)
        .and_then(StructureTag::expect_constructed)
        .ok_or_else(bad)?;
    let value = parts
        .into_iter()
        .find(|p| p.id == 1)
        .and_then(StructureTag::expect_primitive)
        .ok_or_else(bad)?;
    let (_, tag) = parse_tag(&value).map_err(|_| bad())?;
    if tag.class != TagClass::Context {
        return Err(bad());
    }
    let mut info = SyncInfo::default();
    match (tag.id, tag.payload) {
        (0, PL::P(cookie)) => info.cookie = Some(cookie),
        (1..=3, PL::C(parts)) => {
            let id_set = tag.id == 3;
            for part in parts {
                sync_info_part(&mut info, part, id_set).ok_or_else(bad)?;
            }
        }
        _ => return Err(bad()),
    }
    Ok(info)
}

fn sync_info_part(info: &mut SyncInfo, part: StructureTag, id_set: bool) -> Option<()> {
    match part.id {
        id if id == Types::OctetString as u64 => info.cookie = Some(part.expect_primitive()?),
        // `refreshDone` in refreshDelete/refreshPresent, `refreshDeletes` in syncIdSet.
        id if id == Types::Boolean as u64 => {
            let flag = boolean(part)?;
            if id_set {
                info.refresh_deletes = flag;
            }
        }
        id if id == Types::Set as u64 && id_set => {
            for uuid in part.expect_constructed()? {
                info.uuids.push(uuid.expect_primitive()?);
            }
        }
        _ => return None,
    }
    Some(())
}

fn sequence(value: &[u8]) -> Option<Vec<StructureTag>> {
    let (_, tag) = parse_tag(value).ok()?;
    tag.match_id(Types::Sequence as u64)?.expect_constructed()
}

fn integer(tag: StructureTag) -> Option<u64> {
    let bytes = tag.expect_primitive()?;
    parse_uint(&bytes).ok().map(|(_, n)| n)
}

fn boolean(tag: StructureTag) -> Option<bool> {
    tag.expect_primitive()?.first().map(|b| *b != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dirsync_request_is_the_sequence_ms_adts_names() {
        let value = dirsync_request(1, 0, b"ck").expect("encode");
        // SEQUENCE { INTEGER 1, INTEGER 0, OCTET STRING "ck" }
        assert_eq!(
            value,
            [
                0x30, 0x0a, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x04, 0x02, b'c', b'k'
            ]
        );
    }

    #[test]
    fn a_dirsync_response_gives_its_cookie_and_more_flag() {
        let value = [
            0x30, 0x0a, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x04, 0x02, b'x', b'y',
        ];
        let response = dirsync_response(&value).expect("decode");
        assert!(response.more);
        assert_eq!(response.cookie, b"xy");
    }

    #[test]
    fn garbage_controls_are_errors_not_panics() {
        for bytes in [
            &[][..],
            &[0x30, 0x05, 0x02],
            &[0x04, 0x01, 0x00],
            &[0x30, 0x00],
        ] {
            assert!(dirsync_response(bytes).is_err());
            assert!(sync_state(bytes).is_err());
        }
        assert!(sync_done(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
    }

    #[test]
    fn sync_state_and_done_decode() {
        // SEQUENCE { ENUMERATED 3, OCTET STRING 16 bytes }
        let mut state = vec![0x30, 0x15, 0x0a, 0x01, 0x03, 0x04, 0x10];
        state.extend([7u8; 16]);
        assert_eq!(
            sync_state(&state).expect("state"),
            (EntryState::Delete, vec![7u8; 16])
        );
        let done = [0x30, 0x07, 0x04, 0x02, b'c', b'k', 0x01, 0x01, 0xff];
        assert_eq!(
            sync_done(&done).expect("done"),
            (Some(b"ck".to_vec()), true)
        );
        assert_eq!(sync_done(&[0x30, 0x00]).expect("empty"), (None, false));
    }
}
