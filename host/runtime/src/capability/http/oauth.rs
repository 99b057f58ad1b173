//! OAuth2 client credentials (RFC 6749 §4.4), as Entra ID and most SaaS APIs use it. The
//! token endpoint goes through the same allowlist and address guard as any request.

use std::time::{Duration, Instant};

use serde::Deserialize;
use tessera_config::OAuth2Auth;
use url::Url;
use zeroize::Zeroizing;

use super::{Hop, HttpCap};
use crate::bindings::host::errors::HostError;
use crate::capability::Caller;
use tessera_manifest::Origin;

/// A token endpoint answer is small; anything bigger is not one.
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// A valid access token for credential entry `index`, fetched when the cache has none.
pub(super) async fn token(
    cap: &HttpCap,
    caller: &Caller,
    client: &reqwest::Client,
    index: usize,
    o: &OAuth2Auth,
    deadline: Instant,
) -> Result<Zeroizing<String>, HostError> {
    if let Some(t) = cap.credentials.cached_token(caller, index).await {
        return Ok(t);
    }
    let url = Url::parse(&o.token_url)
        .map_err(|e| HostError::Invalid(format!("oauth2 token_url: {e}")))?;
    cap.admit(caller, &url, "OAuth2 token request to")?;
    let secret = caller.host_secret(&o.secret, &format!("the OAuth2 client {}", o.client_id))?;
    let body = Zeroizing::new(form_body(o, secret.as_str()));
    let remaining = deadline.saturating_duration_since(Instant::now());
    let response = client
        .post(url.clone())
        .timeout(remaining)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body.as_bytes().to_vec())
        .send()
        .await
        .map_err(|e| super::transport_error(caller, e))?;
    let status = response.status();
    let bytes = super::client::read_capped(response, MAX_TOKEN_RESPONSE)
        .await
        .map_err(|_| HostError::Unavailable("reading the OAuth2 token response".into()))?;
    if !status.is_success() {
        // The endpoint's error text is about the request, not the secret; keep it short.
        let text = String::from_utf8_lossy(&bytes);
        return Err(HostError::Unavailable(format!(
            "OAuth2 token endpoint {} answered {status}: {}",
            url.path(),
            text.chars().take(200).collect::<String>()
        )));
    }
    let parsed: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
        HostError::Unavailable(format!(
            "OAuth2 token response is not JSON with access_token: {e}"
        ))
    })?;
    let token = Zeroizing::new(parsed.access_token);
    let ttl = Duration::from_secs(parsed.expires_in.unwrap_or(300));
    cap.credentials
        .store_token(caller, index, token.clone(), ttl)
        .await;
    Ok(token)
}

/// The form, built outside any await: the serializer is not `Send`.
fn form_body(o: &OAuth2Auth, secret: &str) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials")
        .append_pair("client_id", &o.client_id)
        .append_pair("client_secret", secret);
    if let Some(scope) = &o.scope {
        form.append_pair("scope", scope);
    }
    for (name, value) in &o.params {
        form.append_pair(name, value);
    }
    form.finish()
}

impl HttpCap {
    /// One request and its response head; when the far side refuses a cached OAuth2 token
    /// (revoked, or expired sooner than `expires_in` said), the token is dropped and the
    /// request sent once more with a fresh one.
    pub(super) async fn exchange_fresh(
        &self,
        caller: &Caller,
        origin: &Origin,
        url: &Url,
        hop: &Hop,
        deadline: Instant,
    ) -> Result<reqwest::Response, HostError> {
        let response = self.exchange(caller, origin, url, hop, deadline).await?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        match self.credentials.find(origin) {
            Some((index, auth)) if auth.oauth2.is_some() => {
                self.credentials.forget_token(caller, index).await;
                self.exchange(caller, origin, url, hop, deadline).await
            }
            _ => Ok(response),
        }
    }
}
