//! Tokens from the contact centre's own OpenID provider: the header read, the key found in the
//! provider's key set (fetched and cached per isolate, see [`KeyCache`]), the signature checked
//! with that key's pinned algorithm, then the claims checked and mapped ([`claims`]).
//!
//! Refusals: a token that is not genuine, or not for Earshot, is unauthenticated (401 / 4401); a
//! genuine one whose groups give its holder no place is forbidden (403 / 4403). A provider that
//! cannot be reached is logged (its URL and the failure, never a token) and fails closed for keys
//! not already held.

use std::cell::RefCell;

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::base64url;
use crate::auth::claims::{self, OidcConfig};
use crate::auth::identity::{Identity, TokenError, MAX_TOKEN_LEN};
use crate::auth::jwk::{self, Algorithm, PinnedKey};
use crate::auth::key_cache::{KeyCache, Lookup};
use crate::auth::webcrypto;
use crate::error::EdgeError;

/// The protected header. Members that carry a key or say where to get one are read only to refuse
/// the token: the keys are the provider's published set, whatever a token claims.
#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<IgnoredAny>,
    jwk: Option<IgnoredAny>,
    jku: Option<IgnoredAny>,
    x5c: Option<IgnoredAny>,
    x5u: Option<IgnoredAny>,
}

/// The key cache of the configured provider, and where its keys are (once discovered).
struct Provider {
    issuer: String,
    jwks_uri: Option<String>,
    cache: KeyCache,
    /// Whether the last fetch failed: an unknown key is then "unreachable", not "unknown".
    last_fetch_failed: bool,
}

thread_local! {
    static PROVIDER: RefCell<Option<Provider>> = const { RefCell::new(None) };
}

/// Whether a token names an issuer (`iss`): Earshot's own tokens do not, a provider's always do.
pub fn names_an_issuer(token: &str) -> bool {
    let payload = token.split('.').nth(1).and_then(base64url::decode);
    payload
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
        .is_some_and(|claims| claims.get("iss").is_some())
}

/// Verifies a provider's token and maps it onto an identity; `now_ms` is the worker's clock.
pub async fn verify(token: &str, config: &OidcConfig, now_ms: u64) -> Result<Identity, EdgeError> {
    if token.is_empty() {
        return Err(TokenError::Missing.into());
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::TooLong.into());
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed.into());
    };
    let decoded_header = base64url::decode(header).ok_or(TokenError::Malformed)?;
    let parsed: Header = serde_json::from_slice(&decoded_header).map_err(|_| TokenError::Malformed)?;
    if parsed.jwk.is_some() || parsed.jku.is_some() || parsed.x5c.is_some() || parsed.x5u.is_some() {
        return Err(TokenError::KeyInHeader.into());
    }
    let alg = Algorithm::from_header(&parsed.alg)
        .filter(|_| parsed.crit.is_none())
        .ok_or(TokenError::WrongAlgorithm)?;
    let signature = base64url::decode(signature).ok_or(TokenError::Malformed)?;
    let claims: Value = base64url::decode(payload)
        .and_then(|p| serde_json::from_slice(&p).ok())
        .filter(Value::is_object)
        .ok_or(TokenError::Malformed)?;
    let key = key_for(parsed.kid.as_deref(), alg, config, now_ms).await?;
    if key.alg != alg {
        // The key is pinned: an RSA key never checks an ES256 or HS256 signature.
        return Err(TokenError::WrongAlgorithm.into());
    }
    // The signing input is the first two parts exactly as sent, dot included.
    let signed = &token[..header.len() + 1 + payload.len()];
    if !webcrypto::verifies(&key, signed.as_bytes(), &signature).await {
        return Err(TokenError::BadSignature.into());
    }
    claims::check_registered(&claims, config, (now_ms / 1000) as i64)?;
    claims::map(&claims, config).map_err(EdgeError::Forbidden)
}

/// The held key for `kid`, fetching the provider's set when the cache says to (at most twice: once
/// for an expired set, once more is never allowed within the interval).
async fn key_for(
    kid: Option<&str>,
    alg: Algorithm,
    config: &OidcConfig,
    now_ms: u64,
) -> Result<PinnedKey, TokenError> {
    let (ttl_ms, min_refetch_ms) = config.cache_policy_ms();
    loop {
        let lookup = PROVIDER.with_borrow_mut(|provider| {
            let stale = provider
                .as_ref()
                .is_none_or(|p| p.issuer != config.issuer || !p.cache.has_policy(ttl_ms, min_refetch_ms));
            if stale {
                *provider = Some(Provider {
                    issuer: config.issuer.clone(),
                    jwks_uri: None,
                    cache: KeyCache::new(ttl_ms, min_refetch_ms),
                    last_fetch_failed: false,
                });
            }
            let provider = provider.as_mut().expect("just set");
            match provider.cache.lookup(kid, alg, now_ms) {
                Lookup::Key(key) => Ok(Some(key.clone())),
                Lookup::Fetch => {
                    provider.cache.attempt(now_ms);
                    Ok(None)
                }
                Lookup::Unknown if provider.last_fetch_failed => Err(TokenError::KeysUnreachable),
                Lookup::Unknown => Err(TokenError::UnknownKey),
            }
        })?;
        if let Some(key) = lookup {
            return Ok(key);
        }
        let fetched = fetch_keys(config).await;
        PROVIDER.with_borrow_mut(|provider| {
            let Some(provider) = provider.as_mut() else { return };
            match fetched {
                Ok((uri, keys)) => {
                    provider.jwks_uri = Some(uri);
                    provider.cache.store(keys, now_ms);
                    provider.last_fetch_failed = false;
                }
                Err(why) => {
                    worker::console_error!("identity provider {}: keys not fetched: {why}", config.issuer);
                    provider.last_fetch_failed = true;
                }
            }
        });
        // The attempt is recorded, so the next lookup answers from what is held.
    }
}

/// The key set's URL (configured, else discovered) and its usable keys.
async fn fetch_keys(config: &OidcConfig) -> Result<(String, Vec<PinnedKey>), String> {
    let known = PROVIDER.with_borrow(|p| p.as_ref().and_then(|p| p.jwks_uri.clone()));
    let uri = match config.jwks_uri.clone().or(known) {
        Some(uri) => uri,
        None => discover(&config.issuer).await?,
    };
    let (keys, skipped) = jwk::pin_set(&get(&uri).await?).map_err(|e| format!("{uri}: {e}"))?;
    for line in skipped {
        worker::console_warn!("identity provider {}: {line}", config.issuer);
    }
    Ok((uri, keys))
}

/// `jwks_uri` from the issuer's discovery document, which must name the same issuer.
async fn discover(issuer: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Discovery {
        issuer: String,
        jwks_uri: String,
    }
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let doc: Discovery = serde_json::from_str(&get(&url).await?).map_err(|e| format!("{url}: {e}"))?;
    if doc.issuer != issuer {
        return Err(format!("{url} names the issuer {:?}, not the configured one", doc.issuer));
    }
    Ok(doc.jwks_uri)
}

/// The body of a GET that answered 200.
async fn get(url: &str) -> Result<String, String> {
    let parsed = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let mut response = worker::Fetch::Url(parsed).send().await.map_err(|e| format!("{url}: {e}"))?;
    if response.status_code() != 200 {
        return Err(format!("{url} answered {}", response.status_code()));
    }
    response.text().await.map_err(|e| format!("{url}: {e}"))
}
