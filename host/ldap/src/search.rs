//! Paged searches (RFC 2696) handed out in batches.

use ldap3::adapters::PagedResults;
use ldap3::asn1::StructureTag;
use ldap3::{Ldap, ResultEntry};

use crate::Error;
use crate::pool::Pool;

/// Entries per page when the caller leaves the choice to the host.
pub const DEFAULT_PAGE_SIZE: u32 = 500;
/// The largest page the host asks for, whatever the caller wants: one batch is held in memory.
pub const MAX_PAGE_SIZE: u32 = 5_000;
/// Referrals and intermediate responses skipped per batch before the batch is cut short, so a
/// misbehaving server cannot keep a call busy forever.
const MAX_SKIPPED: usize = 1_000;

/// How far below the base a search reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The base entry only.
    Base,
    /// The base entry's direct children.
    OneLevel,
    /// The base entry and everything below it.
    Subtree,
}

/// A search under the connection's base DN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchRequest {
    /// Where to search; must lie under the connection's base DN.
    pub base: String,
    /// How far below `base`.
    pub scope: Scope,
    /// An RFC 4515 filter, e.g. `(&(objectClass=person)(uid=jdoe))`.
    pub filter: String,
    /// The attributes to return; empty means all user attributes.
    pub attributes: Vec<String>,
    /// Entries per batch; 0 means [`DEFAULT_PAGE_SIZE`], and at most [`MAX_PAGE_SIZE`].
    pub page_size: u32,
}

/// One entry of a search result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The entry's DN as the server wrote it.
    pub dn: String,
    /// Attributes whose values are all UTF-8, in the server's order.
    pub attributes: Vec<(String, Vec<String>)>,
    /// Attributes with at least one value that is not UTF-8 (objectGUID, photos).
    pub binary_attributes: Vec<(String, Vec<Vec<u8>>)>,
}

impl Entry {
    /// The text values of `attribute`, matched case-insensitively; empty if absent.
    pub fn values(&self, attribute: &str) -> &[String] {
        self.attributes
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
            .map_or(&[], |(_, values)| values.as_slice())
    }

    /// The first text value of `attribute`.
    pub fn first(&self, attribute: &str) -> Option<&str> {
        self.values(attribute).first().map(String::as_str)
    }
}

type Stream = ldap3::SearchStream<'static, String, Vec<String>>;

/// A running search. Dropping it early is fine: no further page is requested.
pub struct SearchStream {
    /// `None` once the server reported the end of the search.
    stream: Option<Stream>,
    /// An entry read ahead while starting the search.
    pending: Option<Entry>,
    /// An error to report after handing out the entries that came before it.
    deferred: Option<Error>,
    page_size: usize,
}

impl Pool {
    /// Starts a paged search. Fails early for a bad base DN or filter and when the server
    /// rejects the search (e.g. `noSuchObject` for a missing base).
    pub async fn search(&self, req: SearchRequest) -> Result<SearchStream, Error> {
        let base = self.check_dn(&req.base)?.to_string();
        if ldap3::parse_filter(&req.filter).is_err() {
            return Err(Error::InvalidFilter {
                filter: req.filter,
                message: "not a valid RFC 4515 filter".into(),
            });
        }
        let page_size = match req.page_size {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        };
        let start = Start {
            base,
            req: &req,
            page_size,
            timeout: self.spec.timeout,
        };
        self.read(|ldap| start.run(ldap)).await
    }
}

struct Start<'a> {
    base: String,
    req: &'a SearchRequest,
    page_size: u32,
    timeout: std::time::Duration,
}

impl Start<'_> {
    /// Sends the search and reads its first reply, so that a dead connection shows here,
    /// where the read can still be retried, rather than in the first batch.
    async fn run(&self, mut ldap: Ldap) -> Result<SearchStream, Error> {
        let scope = match self.req.scope {
            Scope::Base => ldap3::Scope::Base,
            Scope::OneLevel => ldap3::Scope::OneLevel,
            Scope::Subtree => ldap3::Scope::Subtree,
        };
        let paging = PagedResults::new(i32::try_from(self.page_size).unwrap_or(i32::MAX));
        let attributes = self.req.attributes.clone();
        let stream = ldap
            .with_timeout(self.timeout)
            .streaming_search_with(paging, &self.base, scope, &self.req.filter, attributes)
            .await
            .map_err(Error::from_ldap)?;
        let mut search = SearchStream {
            stream: Some(stream),
            pending: None,
            deferred: None,
            page_size: self.page_size as usize,
        };
        search.pending = search.pull().await?;
        Ok(search)
    }
}

impl SearchStream {
    /// The next batch of up to `page_size` entries; `None` when the search is done.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Entry>>, Error> {
        if let Some(err) = self.deferred.take() {
            return Err(err);
        }
        let mut batch: Vec<Entry> = self.pending.take().into_iter().collect();
        while batch.len() < self.page_size {
            match self.pull().await {
                Ok(Some(entry)) => batch.push(entry),
                Ok(None) => break,
                Err(err) if batch.is_empty() => return Err(err),
                Err(err) => {
                    self.deferred = Some(err);
                    break;
                }
            }
        }
        Ok(if batch.is_empty() { None } else { Some(batch) })
    }

    /// The next entry, skipping referrals and intermediate responses.
    async fn pull(&mut self) -> Result<Option<Entry>, Error> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(None);
        };
        for _ in 0..MAX_SKIPPED {
            let next = stream.next().await;
            match next {
                Ok(Some(found)) if found.is_ref() || found.is_intermediate() => continue,
                Ok(Some(found)) => return convert(found).map(Some),
                Ok(None) => return self.finish().await.map(|()| None),
                Err(err) => {
                    self.stream = None;
                    return Err(Error::from_ldap(err));
                }
            }
        }
        Ok(None)
    }

    async fn finish(&mut self) -> Result<(), Error> {
        let Some(mut stream) = self.stream.take() else {
            return Ok(());
        };
        let result = stream.finish().await;
        match result.rc {
            0 => Ok(()),
            code => Err(Error::from_code(code, result.matched, result.text)),
        }
    }
}

fn malformed() -> Error {
    Error::from_code(
        2,
        String::new(),
        "malformed search entry from the server".into(),
    )
}

/// Decodes a SearchResultEntry (RFC 4511 §4.5.2) without ldap3's panicking `construct`.
pub(crate) fn convert(found: ResultEntry) -> Result<Entry, Error> {
    let mut parts = found
        .0
        .match_id(4)
        .and_then(StructureTag::expect_constructed)
        .ok_or_else(malformed)?
        .into_iter();
    let dn = parts
        .next()
        .and_then(StructureTag::expect_primitive)
        .ok_or_else(malformed)?;
    let dn = String::from_utf8(dn).map_err(|_| malformed())?;
    let list = parts
        .next()
        .and_then(StructureTag::expect_constructed)
        .ok_or_else(malformed)?;
    let mut entry = Entry {
        dn,
        attributes: Vec::new(),
        binary_attributes: Vec::new(),
    };
    for attribute in list {
        let (name, values) = attribute_values(attribute).ok_or_else(malformed)?;
        let text: Result<Vec<String>, _> = values.iter().cloned().map(String::from_utf8).collect();
        match text {
            Ok(text) => entry.attributes.push((name, text)),
            Err(_) => entry.binary_attributes.push((name, values)),
        }
    }
    Ok(entry)
}

fn attribute_values(attribute: StructureTag) -> Option<(String, Vec<Vec<u8>>)> {
    let mut parts = attribute.expect_constructed()?.into_iter();
    let name = String::from_utf8(parts.next()?.expect_primitive()?).ok()?;
    let values = parts.next()?.expect_constructed()?;
    let values: Option<Vec<Vec<u8>>> = values
        .into_iter()
        .map(StructureTag::expect_primitive)
        .collect();
    Some((name, values?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}
    fn assert_send_future<F: std::future::Future + Send>(_: F) {}

    #[test]
    fn search_stream_can_live_in_a_resource_table() {
        assert_send::<SearchStream>();
        assert_send::<Pool>();
    }

    /// wasmtime's async host functions need `Send` futures.
    #[test]
    fn every_operation_future_is_send() {
        let spec = crate::ConnectionSpec {
            name: "hr".into(),
            url: "ldap://127.0.0.1:1".into(),
            bind_dn: None,
            base_dn: "dc=x".into(),
            tls: crate::Tls::None,
            ca_file: None,
            timeout: std::time::Duration::from_secs(1),
            pool_size: 1,
        };
        let Ok(pool) = Pool::new(spec, None) else {
            panic!("valid spec")
        };
        let req = SearchRequest {
            base: "dc=x".into(),
            scope: Scope::Subtree,
            filter: "(cn=*)".into(),
            attributes: vec![],
            page_size: 0,
        };
        assert_send_future(pool.search(req));
        assert_send_future(pool.add("cn=a,dc=x", vec![]));
        assert_send_future(pool.modify("cn=a,dc=x", vec![]));
        assert_send_future(pool.delete("cn=a,dc=x"));
        assert_send_future(pool.modify_dn("cn=a,dc=x", "cn=b", true, None));
        assert_send_future(pool.compare("cn=a,dc=x", "cn", b"a"));
        let mut stream = SearchStream {
            stream: None,
            pending: None,
            deferred: None,
            page_size: 1,
        };
        assert_send_future(stream.next_batch());
    }

    #[test]
    fn entry_lookup_ignores_attribute_case() {
        let entry = Entry {
            dn: "uid=a,dc=x".into(),
            attributes: vec![("mail".into(), vec!["a@x".into(), "b@x".into()])],
            binary_attributes: vec![],
        };
        assert_eq!(entry.first("MAIL"), Some("a@x"));
        assert_eq!(entry.values("cn"), &[] as &[String]);
    }
}
