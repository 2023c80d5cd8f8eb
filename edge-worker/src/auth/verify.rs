//! The one path every token takes: read ([`jws::read`]), its key found (Earshot's own Ed25519 key,
//! or the identity provider's key set through [`oidc::key_for`]), its signature checked by the
//! runtime's WebCrypto with the algorithm that key is pinned to, then its claims: Earshot's own read
//! as they are, a provider's checked and mapped onto an identity ([`claims`]).
//!
//! The provider's part is the edge's `oidc` feature (dev and test builds until it fits the production
//! bundle's budget); without it only Earshot's own key is a source.
//!
//! Refusals: a token that is not genuine, or not for Earshot, is unauthenticated (401 / 4401); a
//! genuine provider token whose groups give its holder no place is forbidden (403 / 4403).

#[cfg(feature = "oidc")]
use crate::auth::claims;
use crate::auth::identity::{Identity, TokenVerifier};
#[cfg(feature = "oidc")]
use crate::auth::json_member::member;
use crate::auth::jws;
#[cfg(feature = "oidc")]
use crate::auth::oidc;
use crate::auth::oidc_config::OidcConfig;
use crate::auth::token_error::TokenError;
use crate::auth::webcrypto;
use crate::error::EdgeError;

/// Where a token's key and the meaning of its claims come from.
enum Source<'a> {
    Own(&'a TokenVerifier),
    #[cfg(feature = "oidc")]
    Provider(&'a OidcConfig),
}

/// Verifies `token` against the configured sources; `now_ms` is the worker's clock. A provider's
/// tokens name their issuer (`iss`) and Earshot's own do not; with one source configured, every
/// token is taken to be that source's.
pub async fn verify(
    token: &str,
    own: Option<&TokenVerifier>,
    provider: Option<&OidcConfig>,
    now_ms: u64,
) -> Result<Identity, EdgeError> {
    let jws = jws::read(token)?;
    let source = match (own, provider) {
        #[cfg(feature = "oidc")]
        (None, Some(config)) => Source::Provider(config),
        #[cfg(feature = "oidc")]
        (Some(_), Some(config)) if member(&jws.claims, "iss").is_some() => Source::Provider(config),
        (Some(own), _) => Source::Own(own),
        (None, _) => {
            return Err(EdgeError::Internal(
                "no token key is configured: set EARSHOT_OIDC or EARSHOT_TOKEN_PUBLIC_KEY".into(),
            ))
        }
    };
    let key = match source {
        Source::Own(own) => own.key().clone(),
        #[cfg(feature = "oidc")]
        Source::Provider(config) => oidc::key_for(jws.kid.as_deref(), jws.alg, config, now_ms).await?,
    };
    if key.alg != jws.alg {
        // The key is pinned: an RSA key never checks an ES256 or HS256 signature.
        return Err(TokenError::WrongAlgorithm.into());
    }
    if !webcrypto::verifies(&key, jws.signed.as_bytes(), &jws.signature).await {
        return Err(TokenError::BadSignature.into());
    }
    let now = (now_ms / 1000) as i64;
    match source {
        Source::Own(own) => Ok(own.identity(&jws, now)?),
        #[cfg(feature = "oidc")]
        Source::Provider(config) => {
            claims::check_registered(&jws.claims, config, now)?;
            claims::map(&jws.claims, config).map_err(EdgeError::Forbidden)
        }
    }
}
