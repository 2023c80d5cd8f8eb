//! Who is asking: signed tokens and their claims ([`identity`]), the JWS format and its keys, the
//! contact centre's OpenID provider ([`oidc`]: its keys, [`claims`] mapping, [`key_cache`]), and the
//! dev-only token endpoint. The provider's part is the `oidc` feature (dev and test builds until it
//! fits the production bundle's budget).

pub mod base64url;
#[cfg(feature = "oidc")]
pub mod claims;
#[cfg(feature = "dev-mint")]
pub mod dev_tokens;
pub mod ed25519;
pub mod identity;
pub mod json_member;
pub mod jwk;
pub mod jws;
#[cfg(feature = "oidc")]
pub mod key_cache;
#[cfg(feature = "oidc")]
pub mod oidc;
#[cfg(feature = "oidc")]
pub mod oidc_config;
pub mod webcrypto;
