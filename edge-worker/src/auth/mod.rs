//! Who is asking: every token's one path ([`verify`]), the JWS format ([`jws`]) and its keys
//! ([`jwk`], checked by [`webcrypto`]), Earshot's own tokens and their claims ([`identity`]), the
//! contact centre's OpenID provider ([`oidc`]: its keys and [`key_cache`], its configuration and
//! [`claims`] mapping), and the dev-only token endpoint.

pub mod base64url;
pub mod claims;
#[cfg(feature = "dev-mint")]
pub mod dev_tokens;
pub mod identity;
pub mod json_member;
pub mod jwk;
pub mod jws;
pub mod key_cache;
pub mod oidc;
pub mod oidc_config;
pub mod token_error;
pub mod verify;
pub mod webcrypto;
