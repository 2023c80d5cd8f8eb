//! Who is asking: signed tokens and their claims ([`identity`]), the JWS format and its keys, the
//! contact centre's OpenID provider ([`oidc`]: its keys, [`claims`] mapping, [`key_cache`]), and the
//! dev-only token endpoint.

pub mod base64url;
pub mod claims;
#[cfg(feature = "dev-mint")]
pub mod dev_tokens;
pub mod ed25519;
pub mod identity;
pub mod json_member;
pub mod jwk;
pub mod jws;
pub mod key_cache;
pub mod oidc;
pub mod oidc_config;
pub mod webcrypto;
