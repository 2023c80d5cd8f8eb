//! Who is asking: signed tokens and their claims ([`identity`]), the JWS format and its keys, and
//! the dev-only token endpoint.

pub mod base64url;
#[cfg(feature = "dev-mint")]
pub mod dev_tokens;
pub mod ed25519;
pub mod identity;
pub mod jws;
