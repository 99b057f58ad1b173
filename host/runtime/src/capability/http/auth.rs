//! Credentials the host adds per origin. Values come from the vault at the moment of use and
//! are marked sensitive, so they stay out of reqwest's Debug output; OAuth2 tokens are cached
//! until shortly before they expire.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use tessera_manifest::Origin;
use zeroize::Zeroizing;

use crate::HttpAuth;
use crate::bindings::host::errors::HostError;
use crate::capability::Caller;

/// Renew a token this long before the server says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

pub(crate) struct Credentials {
    pub entries: Vec<HttpAuth>,
    tokens: tokio::sync::Mutex<HashMap<usize, (Zeroizing<String>, Instant)>>,
}

/// What to add to one request.
pub(crate) enum Added {
    Nothing,
    Header(HeaderName, HeaderValue),
    /// reqwest encodes Basic and marks the header sensitive itself.
    Basic(String, Zeroizing<String>),
}

impl Credentials {
    pub(crate) fn new(entries: Vec<HttpAuth>) -> Self {
        Self {
            entries,
            tokens: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The entry for an origin, by index.
    pub(crate) fn find(&self, origin: &Origin) -> Option<(usize, &HttpAuth)> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, a)| a.origin.matches(origin))
    }

    /// Header names a plugin may not set for this origin: the host owns them.
    pub(crate) fn reserved(&self, origin: &Origin) -> Vec<HeaderName> {
        match self.find(origin) {
            Some((_, a)) => match &a.header {
                Some(h) => HeaderName::from_bytes(h.name.as_bytes())
                    .map(|n| vec![n, AUTHORIZATION])
                    .unwrap_or_else(|_| vec![AUTHORIZATION]),
                None => vec![AUTHORIZATION],
            },
            None => Vec::new(),
        }
    }

    /// A cached OAuth2 token for entry `index`, if still fresh: this run's, else one an
    /// earlier run kept.
    pub(crate) async fn cached_token(
        &self,
        caller: &Caller,
        index: usize,
    ) -> Option<Zeroizing<String>> {
        let mut tokens = self.tokens.lock().await;
        if let Some((t, until)) = tokens.get(&index)
            && Instant::now() < *until
        {
            return Some(t.clone());
        }
        let key = self.token_key(caller, index)?;
        let (token, until) = match caller.services.kept_token(&key) {
            Ok(Some(kept)) => kept,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(system = %caller.system, "reading a kept OAuth2 token: {e}");
                return None;
            }
        };
        let left = until.duration_since(SystemTime::now()).ok()?;
        tokens.insert(index, (token.clone(), Instant::now() + left));
        Some(token)
    }

    /// Caches a fresh token for this run and keeps it for later runs until shortly before
    /// it expires.
    pub(crate) async fn store_token(
        &self,
        caller: &Caller,
        index: usize,
        token: Zeroizing<String>,
        ttl: Duration,
    ) {
        let ttl = ttl.saturating_sub(TOKEN_MARGIN);
        if let Some(key) = self.token_key(caller, index)
            && let Err(e) = caller
                .services
                .keep_token(&key, &token, SystemTime::now() + ttl)
        {
            tracing::warn!(system = %caller.system, "keeping an OAuth2 token for later runs: {e}");
        }
        self.tokens
            .lock()
            .await
            .insert(index, (token, Instant::now() + ttl));
    }

    /// Drops the token of entry `index`, here and for later runs, so the next request fetches
    /// a new one.
    pub(crate) async fn forget_token(&self, caller: &Caller, index: usize) {
        self.tokens.lock().await.remove(&index);
        if let Some(key) = self.token_key(caller, index)
            && let Err(e) = caller.services.keep_token(&key, "", SystemTime::UNIX_EPOCH)
        {
            tracing::warn!(system = %caller.system, "forgetting a kept OAuth2 token: {e}");
        }
    }

    /// Where a token is kept: the system and a digest of what the token is for (origin, token
    /// endpoint, client, scope), so a token never reaches an origin it was not fetched for,
    /// even when the entries are reordered or changed.
    fn token_key(&self, caller: &Caller, index: usize) -> Option<String> {
        let entry = self.entries.get(index)?;
        let o = entry.oauth2.as_ref()?;
        let scope = o.scope.as_deref().unwrap_or_default();
        let what = format!(
            "{}\n{}\n{}\n{scope}",
            entry.origin, o.token_url, o.client_id
        );
        let digest = Sha256::digest(what.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Some(format!("{}.{hex}", caller.system))
    }

    /// The header for a static method (API key, Basic); OAuth2 and client certificates are
    /// handled by the caller.
    pub(crate) fn static_header(auth: &HttpAuth, caller: &Caller) -> Result<Added, HostError> {
        let purpose = format!("HTTP credentials for {}", auth.origin);
        if let Some(h) = &auth.header {
            let secret = caller.host_secret(&h.secret, &purpose)?;
            let value = zeroize::Zeroizing::new(h.value(&secret));
            let name = HeaderName::from_bytes(h.name.as_bytes())
                .map_err(|_| HostError::Invalid(format!("bad header name `{}`", h.name)))?;
            return Ok(Added::Header(name, sensitive(value.as_str())?));
        }
        if let Some(b) = &auth.basic {
            let password = caller.host_secret(&b.secret, &purpose)?;
            return Ok(Added::Basic(b.username.clone(), password));
        }
        Ok(Added::Nothing)
    }
}

/// A header value flagged sensitive; the error never quotes it.
pub(crate) fn sensitive(value: &str) -> Result<HeaderValue, HostError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        HostError::Invalid("a credential from the vault is not a valid header value".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}
