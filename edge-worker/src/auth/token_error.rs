//! Why a token was refused: one error for Earshot's own tokens and an identity provider's alike.

use std::fmt;

/// Tokens whose encoded form exceeds this are refused before any parsing. 16 KiB is twice the
/// largest ID tokens seen in practice (Microsoft Entra ID's reach 5-8 KB with many groups, and above
/// 200 groups Entra sends an overage reference instead of the list), so no real token is refused,
/// while a request cannot make the worker decode and parse much more than that.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Missing,
    TooLong,
    Malformed,
    /// Signed with another key, or altered.
    BadSignature,
    /// Not signed with EdDSA (e.g. `alg: none` or HS256), or demanding an unknown extension.
    WrongAlgorithm,
    /// The token has no `exp`: every token must expire.
    NoExpiry,
    Expired,
    /// The token's `nbf` (not before) is still ahead of the worker's clock, beyond the skew.
    NotYetValid,
    WrongAudience,
    /// An identity provider's token issued to another client (`azp`), or naming several audiences
    /// without saying which client it was issued to.
    WrongAuthorizedParty,
    /// An identity provider's token whose `iss` is not the configured issuer.
    WrongIssuer,
    /// The header carries a key or a key's location (`jwk`, `jku`, `x5c`, `x5u`): never trusted.
    KeyInHeader,
    /// The token's key (`kid`) is not in the provider's key set.
    UnknownKey,
    /// The token's key is not held and the provider's key set could not be fetched.
    KeysUnreachable,
    BadClaims(&'static str),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Missing => f.write_str("no token"),
            TokenError::TooLong => write!(f, "token longer than {MAX_TOKEN_LEN} bytes"),
            TokenError::Malformed => f.write_str("token is not a compact JWS"),
            TokenError::BadSignature => f.write_str("token signature does not verify"),
            TokenError::WrongAlgorithm => {
                f.write_str("token is not signed with an accepted algorithm for its key")
            }
            TokenError::NoExpiry => f.write_str("token has no expiry"),
            TokenError::Expired => f.write_str("token expired"),
            TokenError::NotYetValid => f.write_str("token is not valid yet (nbf is in the future)"),
            TokenError::WrongAudience => f.write_str("token is for another audience"),
            TokenError::WrongAuthorizedParty => {
                f.write_str("token was issued to another client (azp is not the configured audience)")
            }
            TokenError::WrongIssuer => {
                f.write_str("token is not from the configured identity provider (iss)")
            }
            TokenError::KeyInHeader => {
                f.write_str("token header carries a key or key URL, which is never trusted")
            }
            TokenError::UnknownKey => {
                f.write_str("token is signed with a key the identity provider does not publish")
            }
            TokenError::KeysUnreachable => f.write_str(
                "token's signing key is not known and the identity provider's keys cannot be fetched",
            ),
            TokenError::BadClaims(why) => write!(f, "token claims invalid: {why}"),
        }
    }
}

impl std::error::Error for TokenError {}
