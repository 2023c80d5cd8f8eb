//! Identity: the claims Earshot's signed tokens carry, and their verification (EdDSA compact JWS).
//!
//! Pure: the caller supplies the public key, the expected audience and the current time, so the same
//! code runs in the worker and in host unit tests. Tokens themselves are never logged or echoed; errors
//! say what was wrong with a token, never what it contained.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{DateTime, Duration, Utc};
use earshot_policy::{Actor, ModeSet, Role};
use jwt_compact::alg::Ed25519;
use jwt_compact::{AlgorithmExt, Claims, Header, TimeOptions, UntrustedToken, ValidationError};
use serde::{Deserialize, Serialize};

/// Tokens whose encoded form exceeds this are refused before any parsing.
pub const MAX_TOKEN_LEN: usize = 4096;
/// Clock skew tolerated between the token issuer and the worker.
const LEEWAY_SECONDS: i64 = 30;

/// The custom claims of an Earshot token (the standard `exp`/`iat` live in [`Claims`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Stable participant id (unique within the deployment).
    pub sub: String,
    /// Display name, shown to colleagues (and to a customer only while a supervisor is audible).
    pub name: String,
    pub role: Role,
    pub team: String,
    /// Supervisors: the listening modes their role may use.
    #[serde(default)]
    pub capabilities: ModeSet,
    /// Agents: the listening modes supervisors may not use on their calls.
    #[serde(default)]
    pub exemptions: ModeSet,
    /// Customers: the one call this token admits them to (absent for customers who queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The deployment this token is for; must equal the worker's configured audience.
    pub aud: String,
}

impl Identity {
    /// The policy's view of this participant.
    pub fn actor(&self) -> Actor<'_> {
        Actor { id: &self.sub, role: self.role, team: &self.team, capabilities: self.capabilities }
    }

    /// Checks the claims the signature cannot: lengths and characters of ids, role-specific fields.
    fn check_shape(&self) -> Result<(), TokenError> {
        let id_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
        };
        if !id_ok(&self.sub) || !id_ok(&self.team) || self.call.as_deref().is_some_and(|c| !id_ok(c)) {
            return Err(TokenError::BadClaims("sub, team and call must be 1-64 of [A-Za-z0-9-_.@]"));
        }
        if self.name.is_empty() || self.name.chars().count() > 64 {
            return Err(TokenError::BadClaims("name must be 1-64 characters"));
        }
        if self.role != Role::Supervisor && self.capabilities != ModeSet::EMPTY {
            return Err(TokenError::BadClaims("only supervisors carry capabilities"));
        }
        if self.role != Role::Agent && self.exemptions != ModeSet::EMPTY {
            return Err(TokenError::BadClaims("only agents carry exemptions"));
        }
        if self.role != Role::Customer && self.call.is_some() {
            return Err(TokenError::BadClaims("only customers carry a call id"));
        }
        Ok(())
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Missing,
    TooLong,
    Malformed,
    /// Signed with another key, or altered.
    BadSignature,
    /// The token has no `exp`: every token must expire.
    NoExpiry,
    Expired,
    WrongAudience,
    BadClaims(&'static str),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Missing => f.write_str("no token"),
            TokenError::TooLong => write!(f, "token longer than {MAX_TOKEN_LEN} bytes"),
            TokenError::Malformed => f.write_str("token is not a compact EdDSA JWS"),
            TokenError::BadSignature => f.write_str("token signature does not verify"),
            TokenError::NoExpiry => f.write_str("token has no expiry"),
            TokenError::Expired => f.write_str("token expired"),
            TokenError::WrongAudience => f.write_str("token is for another audience"),
            TokenError::BadClaims(why) => write!(f, "token claims invalid: {why}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// The Ed25519 public key tokens are verified against (the worker never holds the private key,
/// except the dev-only minting endpoint).
pub struct TokenVerifier {
    key: <Ed25519 as jwt_compact::Algorithm>::VerifyingKey,
    audience: String,
}

impl TokenVerifier {
    /// `public_key` is the raw 32-byte key, base64url-encoded (a JWK's `x`).
    pub fn new(public_key_b64url: &str, audience: &str) -> Result<TokenVerifier, String> {
        let raw = decode_b64url(public_key_b64url.trim()).ok_or("public key is not base64url")?;
        let key = <Ed25519 as jwt_compact::Algorithm>::VerifyingKey::from_slice(&raw)
            .map_err(|err| format!("public key: {err}"))?;
        Ok(TokenVerifier { key, audience: audience.to_owned() })
    }

    /// Verifies signature, expiry, audience and claim shapes; `now` is the worker's clock.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Identity, TokenError> {
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong);
        }
        let untrusted = UntrustedToken::new(token).map_err(|_| TokenError::Malformed)?;
        let verified =
            Ed25519.validator::<Identity>(&self.key).validate(&untrusted).map_err(|err| match err {
                ValidationError::InvalidSignature
                | ValidationError::MalformedSignature(_)
                | ValidationError::InvalidSignatureLen { .. }
                | ValidationError::AlgorithmMismatch { .. } => TokenError::BadSignature,
                _ => TokenError::Malformed,
            })?;
        let claims = verified.claims();
        let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || now);
        claims.validate_expiration(&options).map_err(|err| match err {
            ValidationError::NoClaim(_) => TokenError::NoExpiry,
            _ => TokenError::Expired,
        })?;
        if claims.custom.aud != self.audience {
            return Err(TokenError::WrongAudience);
        }
        claims.custom.check_shape()?;
        Ok(claims.custom.clone())
    }
}

/// Signs tokens; used only by the dev minting endpoint and by tests.
pub struct TokenSigner {
    key: <Ed25519 as jwt_compact::Algorithm>::SigningKey,
}

impl TokenSigner {
    /// `seed_b64url` is the 32-byte Ed25519 seed, base64url-encoded (a JWK's `d`).
    pub fn new(seed_b64url: &str) -> Result<TokenSigner, String> {
        let seed = decode_b64url(seed_b64url.trim()).ok_or("signing key is not base64url")?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| "signing key must be a 32-byte seed")?;
        let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed));
        let key = <Ed25519 as jwt_compact::Algorithm>::SigningKey::from_slice(pair.sk.as_ref())
            .map_err(|err| format!("signing key: {err}"))?;
        Ok(TokenSigner { key })
    }

    /// A token for `identity`, issued at `now`, valid for `ttl`.
    pub fn sign(&self, identity: &Identity, now: DateTime<Utc>, ttl: Duration) -> Result<String, String> {
        let mut claims = Claims::new(identity.clone());
        claims.issued_at = Some(now);
        claims.expiration = Some(now + ttl);
        Ed25519.token(&Header::empty().with_token_type("JWT"), &claims, &self.key).map_err(|e| e.to_string())
    }
}

/// Decodes base64url (RFC 4648 §5), padded or not, as JWKs and `.dev.vars` carry keys.
fn decode_b64url(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8037 appendix A.1's Ed25519 test key.
    const SEED: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const PUBLIC: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const OTHER_SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn agent() -> Identity {
        Identity {
            sub: "agent-1".into(),
            name: "Ana".into(),
            role: Role::Agent,
            team: "blue".into(),
            capabilities: ModeSet::EMPTY,
            exemptions: ModeSet::of(&[earshot_policy::Mode::Barge]),
            call: None,
            aud: "earshot".into(),
        }
    }

    fn verifier() -> TokenVerifier {
        TokenVerifier::new(PUBLIC, "earshot").unwrap()
    }

    #[test]
    fn a_signed_token_round_trips() {
        let token = TokenSigner::new(SEED).unwrap().sign(&agent(), now(), Duration::minutes(5)).unwrap();
        assert_eq!(verifier().verify(&token, now()), Ok(agent()));
    }

    #[test]
    fn forged_expired_and_foreign_tokens_are_refused() {
        let forged =
            TokenSigner::new(OTHER_SEED).unwrap().sign(&agent(), now(), Duration::minutes(5)).unwrap();
        assert_eq!(verifier().verify(&forged, now()), Err(TokenError::BadSignature));

        let signer = TokenSigner::new(SEED).unwrap();
        let expired = signer.sign(&agent(), now() - Duration::hours(1), Duration::minutes(5)).unwrap();
        assert_eq!(verifier().verify(&expired, now()), Err(TokenError::Expired));

        let foreign =
            signer.sign(&Identity { aud: "elsewhere".into(), ..agent() }, now(), Duration::minutes(5));
        assert_eq!(verifier().verify(&foreign.unwrap(), now()), Err(TokenError::WrongAudience));
    }

    #[test]
    fn altered_and_garbage_tokens_are_refused() {
        let token = TokenSigner::new(SEED).unwrap().sign(&agent(), now(), Duration::minutes(5)).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let supervisor = Identity {
            role: Role::Supervisor,
            capabilities: ModeSet::ALL,
            exemptions: ModeSet::EMPTY,
            ..agent()
        };
        let payload = serde_json::to_vec(&Claims::new(supervisor)).unwrap();
        let forged_payload = Base64UrlUnpadded::encode_string(&payload);
        parts[1] = &forged_payload;
        assert_eq!(verifier().verify(&parts.join("."), now()), Err(TokenError::BadSignature));
        assert_eq!(verifier().verify("", now()), Err(TokenError::Missing));
        assert_eq!(verifier().verify("a.b", now()), Err(TokenError::Malformed));
        assert_eq!(verifier().verify(&"x".repeat(MAX_TOKEN_LEN + 1), now()), Err(TokenError::TooLong));
    }

    #[test]
    fn role_specific_claims_are_enforced() {
        let signer = TokenSigner::new(SEED).unwrap();
        let customer_with_caps = Identity {
            role: Role::Customer,
            exemptions: ModeSet::EMPTY,
            capabilities: ModeSet::ALL,
            ..agent()
        };
        let token = signer.sign(&customer_with_caps, now(), Duration::minutes(5)).unwrap();
        assert!(matches!(verifier().verify(&token, now()), Err(TokenError::BadClaims(_))));
        let bad_id = Identity { sub: "has space".into(), ..agent() };
        let token = signer.sign(&bad_id, now(), Duration::minutes(5)).unwrap();
        assert!(matches!(verifier().verify(&token, now()), Err(TokenError::BadClaims(_))));
    }

    #[test]
    fn keys_decode_padded_or_not_and_refuse_the_standard_alphabet() {
        assert_eq!(decode_b64url("Zm9vYg").unwrap(), b"foob");
        assert_eq!(decode_b64url("Zm9vYg==").unwrap(), b"foob");
        assert!(decode_b64url("Zm9v+g").is_none());
        assert!(TokenVerifier::new("not a key", "earshot").is_err());
        assert!(TokenSigner::new(PUBLIC).is_ok() && TokenSigner::new("AAAA").is_err());
    }
}
