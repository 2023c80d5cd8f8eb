//! The contact centre's identity provider's keys: found for a token's `kid` in its key set, which is
//! fetched (from `jwks_uri`, or the one its discovery document names) and cached per isolate with
//! the policy of [`KeyCache`].
//!
//! A provider that cannot be reached is logged (its URL and the failure, never a token) and fails
//! closed for keys not already held.

use std::cell::RefCell;

use serde_json::Value;

use crate::auth::json_member::text;
use crate::auth::jwk::{self, Algorithm, PinnedKey};
use crate::auth::key_cache::{KeyCache, Lookup};
use crate::auth::oidc_config::OidcConfig;
use crate::auth::token_error::TokenError;

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

/// The held key for `kid`, fetching the provider's set when the cache says to (at most twice: once
/// for an expired set, once more is never allowed within the interval).
pub async fn key_for(
    kid: Option<&str>,
    alg: Algorithm,
    config: &OidcConfig,
    now_ms: u64,
) -> Result<PinnedKey, TokenError> {
    loop {
        if let Some(key) = held_key(kid, alg, config, now_ms)? {
            return Ok(key);
        }
        // The attempt is recorded, so the next lookup answers from what is held.
        record_fetch(config, fetch_keys(config).await, now_ms);
    }
}

/// The cache's answer for `kid`: the key, `None` to fetch first (the attempt is recorded), or why
/// there is none. Synchronous and out of line: the async caller's state machine stays small.
#[inline(never)]
fn held_key(
    kid: Option<&str>,
    alg: Algorithm,
    config: &OidcConfig,
    now_ms: u64,
) -> Result<Option<PinnedKey>, TokenError> {
    let (ttl_ms, min_refetch_ms) = config.cache_policy_ms();
    PROVIDER.with_borrow_mut(|held| {
        let provider = match held {
            Some(p) if p.issuer == config.issuer && p.cache.has_policy(ttl_ms, min_refetch_ms) => p,
            _ => held.insert(Provider {
                issuer: config.issuer.clone(),
                jwks_uri: None,
                cache: KeyCache::new(ttl_ms, min_refetch_ms),
                last_fetch_failed: false,
            }),
        };
        match provider.cache.lookup(kid, alg, now_ms) {
            Lookup::Key(key) => Ok(Some(key.clone())),
            Lookup::Fetch => {
                provider.cache.attempt(now_ms);
                Ok(None)
            }
            Lookup::Unknown if provider.last_fetch_failed => Err(TokenError::KeysUnreachable),
            Lookup::Unknown => Err(TokenError::UnknownKey),
        }
    })
}

/// Keeps what a fetch brought, or logs why it brought nothing (the keys held stay).
#[inline(never)]
fn record_fetch(config: &OidcConfig, fetched: Result<(String, Vec<PinnedKey>), String>, now_ms: u64) {
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
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let doc: Value = serde_json::from_str(&get(&url).await?).map_err(|e| format!("{url}: {e}"))?;
    let field = |name: &str| text(&doc, name);
    if field("issuer") != Some(issuer) {
        return Err(format!("{url} names another issuer than the configured one"));
    }
    field("jwks_uri").map(str::to_owned).ok_or(format!("{url} has no jwks_uri"))
}

/// The body of a GET that answered 200.
async fn get(url: &str) -> Result<String, String> {
    imp::get(url).await.map_err(|why| format!("{url}: {why}"))
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::{JsCast, JsValue};
    use worker::js_sys::Promise;
    use worker::wasm_bindgen_futures::JsFuture;
    use worker::web_sys::Response;

    #[wasm_bindgen]
    extern "C" {
        /// The runtime's `fetch`, called directly: `worker::Fetch` reads bodies through its stream
        /// adapters and a `Url`, which the bundle otherwise does without.
        #[wasm_bindgen(catch, js_name = fetch)]
        fn fetch_url(url: &str) -> Result<Promise, JsValue>;
    }

    pub async fn get(url: &str) -> Result<String, String> {
        let outcome = async {
            let response: Response = JsFuture::from(fetch_url(url)?).await?.unchecked_into();
            if response.status() != 200 {
                return Ok(Err(format!("answered {}", response.status())));
            }
            let text = JsFuture::from(response.text()?).await?;
            Ok::<_, JsValue>(Ok(text.as_string().unwrap_or_default()))
        };
        // The runtime's error in one line (its message), not the whole JsValue with its stack.
        outcome.await.unwrap_or_else(|err| {
            let message = worker::js_sys::Reflect::get(&err, &JsValue::from_str("message")).ok();
            Err(message.and_then(|m| m.as_string()).unwrap_or_else(|| "the request failed".into()))
        })
    }
}

/// Host builds (unit tests) reach no provider.
#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub async fn get(_url: &str) -> Result<String, String> {
        Err("no fetch on the host".into())
    }
}
