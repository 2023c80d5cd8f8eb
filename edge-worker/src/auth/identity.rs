//! Identity: the claims Earshot's own signed tokens carry (EdDSA with the key in
//! `EARSHOT_TOKEN_PUBLIC_KEY`), their shape rules, and why any token is refused ([`TokenError`]).
//!
//! Pure: the caller supplies the public key, the expected audience and the current time, so the same
//! code runs in the worker and in host unit tests. Tokens themselves are never logged or echoed; errors
//! say what was wrong with a token, never what it contained. The signature is checked on the one path
//! every token takes ([`crate::auth::verify`]).

use earshot_policy::{ModeSet, Role};
#[cfg(any(test, feature = "dev-mint"))]
use ed25519_compact::{KeyPair, SecretKey, Seed};
use serde_json::Value;

use crate::auth::base64url;
use crate::auth::json_member::member;
use crate::auth::jwk::PinnedKey;
#[cfg(any(test, feature = "dev-mint"))]
use crate::auth::jws;
use crate::auth::jws::Jws;
use crate::auth::token_error::TokenError;
#[cfg(test)]
use crate::auth::token_error::MAX_TOKEN_LEN;
/// Clock skew tolerated between the token issuer and the worker.
pub(crate) const LEEWAY_SECONDS: i64 = 30;

/// Checks `exp` (required) and `nbf` (when present), with 30 s of skew either way
/// (`LEEWAY_SECONDS`): the same rule for every token, Earshot's own and a provider's.
pub fn check_times(claims: &Value, now: i64) -> Result<(), TokenError> {
    // NumericDate: whole seconds; a fraction or a string is not read as a time.
    let time = |name: &str| match member(claims, name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value.as_i64().map(Some).ok_or(TokenError::Malformed),
    };
    let (exp, nbf) = (time("exp")?, time("nbf")?);
    let exp = exp.ok_or(TokenError::NoExpiry)?;
    if now > exp.saturating_add(LEEWAY_SECONDS) {
        return Err(TokenError::Expired);
    }
    // The same skew both ways: an issuer's clock a little ahead must not lock people out.
    if nbf.is_some_and(|nbf| now < nbf.saturating_sub(LEEWAY_SECONDS)) {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}

/// The verified identity, as it travels in the identity header: defined once in the wire contract.
pub use earshot_wire::identity::Identity;

/// Checks the claims the signature cannot: lengths and characters of ids, role-specific fields.
pub fn check_shape(identity: &Identity) -> Result<(), TokenError> {
    if !id_ok(&identity.sub) || !id_ok(&identity.team) || identity.call.as_deref().is_some_and(|c| !id_ok(c))
    {
        return Err(TokenError::BadClaims("sub, team and call must be 1-64 of [A-Za-z0-9-_.@]"));
    }
    if identity.name.is_empty() || identity.name.chars().count() > 64 {
        return Err(TokenError::BadClaims("name must be 1-64 characters"));
    }
    if identity.role != Role::Supervisor && identity.capabilities != ModeSet::EMPTY {
        return Err(TokenError::BadClaims("only supervisors carry capabilities"));
    }
    if identity.role != Role::Agent && identity.exemptions != ModeSet::EMPTY {
        return Err(TokenError::BadClaims("only agents carry exemptions"));
    }
    if identity.role != Role::Customer && identity.call.is_some() {
        return Err(TokenError::BadClaims("only customers carry a call id"));
    }
    Ok(())
}

/// Whether `s` may be a participant, team or call id: 1-64 of `[A-Za-z0-9-_.@]`.
pub fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

/// Earshot's own key source: the Ed25519 public key its tokens are signed with, and the audience they
/// must name (the worker never holds the private key, except the dev-only minting endpoint).
pub struct TokenVerifier {
    key: PinnedKey,
    audience: String,
}

impl TokenVerifier {
    /// `public_key` is the raw 32-byte key, base64url-encoded (a JWK's `x`).
    pub fn new(public_key_b64url: &str, audience: &str) -> Result<TokenVerifier, String> {
        let raw = decode_key(public_key_b64url).ok_or("public key is not base64url")?;
        if raw.len() != 32 {
            return Err("public key must be 32 bytes".into());
        }
        Ok(TokenVerifier { key: PinnedKey::ed25519(&base64url::encode(&raw)), audience: audience.to_owned() })
    }

    /// The key its tokens' signatures are checked with.
    pub fn key(&self) -> &PinnedKey {
        &self.key
    }

    /// The identity a token signed with this key names: expiry, audience and claim shapes checked;
    /// `now` in seconds since the epoch. The caller has checked the signature.
    pub fn identity(&self, jws: &Jws<'_>, now: i64) -> Result<Identity, TokenError> {
        check_times(&jws.claims, now)?;
        let identity: Identity = serde_json::from_str(&jws.payload).map_err(|_| TokenError::Malformed)?;
        if identity.aud != self.audience {
            return Err(TokenError::WrongAudience);
        }
        check_shape(&identity)?;
        Ok(identity)
    }

    /// The whole check of a token against this key alone, for tests and the fuzzer (on the host).
    #[cfg(any(test, not(target_arch = "wasm32")))]
    pub async fn verify(&self, token: &str, now: i64) -> Result<Identity, TokenError> {
        match crate::auth::verify::verify(token, Some(self), None, now as u64 * 1000).await {
            Ok(identity) => Ok(identity),
            Err(crate::error::EdgeError::Unauthenticated(why)) => Err(why),
            Err(other) => panic!("only token errors come from one key: {other}"),
        }
    }
}

/// Signs tokens; used only by the dev minting endpoint and by tests.
#[cfg(any(test, feature = "dev-mint"))]
pub struct TokenSigner {
    key: SecretKey,
}

#[cfg(any(test, feature = "dev-mint"))]
impl TokenSigner {
    /// `seed_b64url` is the 32-byte Ed25519 seed, base64url-encoded (a JWK's `d`).
    pub fn new(seed_b64url: &str) -> Result<TokenSigner, String> {
        let seed = decode_key(seed_b64url).ok_or("signing key is not base64url")?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| "signing key must be a 32-byte seed")?;
        Ok(TokenSigner { key: KeyPair::from_seed(Seed::new(seed)).sk })
    }

    /// A token for `identity`, issued at `now`, valid for `ttl` (both in seconds).
    pub fn sign(&self, identity: &Identity, now: i64, ttl: i64) -> Result<String, String> {
        let claims = serde_json::to_string(identity).map_err(|e| e.to_string())?;
        // `identity` is a JSON object: add the two registered claims before its closing brace.
        let claims = format!("{},\"iat\":{now},\"exp\":{}}}", claims.trim_end_matches('}'), now + ttl);
        Ok(jws::sign(claims.as_bytes(), &self.key))
    }
}

/// Decodes a key as JWKs and `.dev.vars` carry it: base64url, padded or not.
fn decode_key(text: &str) -> Option<Vec<u8>> {
    base64url::decode(text.trim().trim_end_matches('='))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::webcrypto::ready;

    // RFC 8037 appendix A.1's Ed25519 test key.
    const SEED: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const PUBLIC: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const OTHER_SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    const NOW: i64 = 1_800_000_000;
    const FIVE_MINUTES: i64 = 300;

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

    /// Verifies with the trusted key (on the host the check completes at once).
    struct Verifier(TokenVerifier);

    impl Verifier {
        fn verify(&self, token: &str, now: i64) -> Result<Identity, TokenError> {
            ready(self.0.verify(token, now))
        }
    }

    fn verifier() -> Verifier {
        Verifier(TokenVerifier::new(PUBLIC, "earshot").unwrap())
    }

    fn signer() -> TokenSigner {
        TokenSigner::new(SEED).unwrap()
    }

    /// A token over any claims JSON, properly signed with the trusted key.
    fn signed_claims(json: &str) -> String {
        jws::sign(json.as_bytes(), &signer().key)
    }

    #[test]
    fn a_signed_token_round_trips() {
        let token = signer().sign(&agent(), NOW, FIVE_MINUTES).unwrap();
        assert_eq!(verifier().verify(&token, NOW), Ok(agent()));
    }

    #[test]
    fn the_signer_writes_the_rfc_8037_public_key_and_standard_claims() {
        let token = signer().sign(&agent(), NOW, FIVE_MINUTES).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let header: serde_json::Value =
            serde_json::from_slice(&base64url::decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, serde_json::json!({ "alg": "EdDSA", "typ": "JWT" }));
        let claims: serde_json::Value =
            serde_json::from_slice(&base64url::decode(parts[1]).unwrap()).unwrap();
        assert_eq!((claims["iat"].as_i64(), claims["exp"].as_i64()), (Some(NOW), Some(NOW + FIVE_MINUTES)));
        assert_eq!(claims["sub"], "agent-1");
    }

    #[test]
    fn forged_expired_and_foreign_tokens_are_refused() {
        let forged = TokenSigner::new(OTHER_SEED).unwrap().sign(&agent(), NOW, FIVE_MINUTES).unwrap();
        assert_eq!(verifier().verify(&forged, NOW), Err(TokenError::BadSignature));

        let expired = signer().sign(&agent(), NOW - 3600, FIVE_MINUTES).unwrap();
        assert_eq!(verifier().verify(&expired, NOW), Err(TokenError::Expired));

        let foreign = signer().sign(&Identity { aud: "elsewhere".into(), ..agent() }, NOW, FIVE_MINUTES);
        assert_eq!(verifier().verify(&foreign.unwrap(), NOW), Err(TokenError::WrongAudience));
    }

    #[test]
    fn expiry_is_required_and_allows_thirty_seconds_of_skew() {
        let token = signer().sign(&agent(), NOW - FIVE_MINUTES, FIVE_MINUTES).unwrap();
        assert!(verifier().verify(&token, NOW + LEEWAY_SECONDS).is_ok());
        assert_eq!(verifier().verify(&token, NOW + LEEWAY_SECONDS + 1), Err(TokenError::Expired));
        let claims = serde_json::to_string(&agent()).unwrap();
        assert_eq!(verifier().verify(&signed_claims(&claims), NOW), Err(TokenError::NoExpiry));
        let float_expiry = format!("{},\"exp\":1.8e9}}", claims.trim_end_matches('}'));
        assert_eq!(verifier().verify(&signed_claims(&float_expiry), NOW), Err(TokenError::Malformed));
    }

    #[test]
    fn not_before_is_honoured_with_the_same_skew() {
        let claims = serde_json::to_string(&agent()).unwrap();
        let with_nbf = |nbf: i64| {
            let claims = format!("{},\"nbf\":{nbf},\"exp\":{}}}", claims.trim_end_matches('}'), NOW + 7200);
            signed_claims(&claims)
        };
        assert_eq!(verifier().verify(&with_nbf(NOW + 3600), NOW), Err(TokenError::NotYetValid));
        assert_eq!(verifier().verify(&with_nbf(NOW + LEEWAY_SECONDS + 1), NOW), Err(TokenError::NotYetValid));
        assert!(verifier().verify(&with_nbf(NOW + LEEWAY_SECONDS), NOW).is_ok());
        assert!(verifier().verify(&with_nbf(NOW - 60), NOW).is_ok());
        let float_nbf = format!("{},\"nbf\":1.8e9,\"exp\":{}}}", claims.trim_end_matches('}'), NOW + 60);
        assert_eq!(verifier().verify(&signed_claims(&float_nbf), NOW), Err(TokenError::Malformed));
    }

    #[test]
    fn algorithm_confusion_is_refused() {
        let token = signer().sign(&agent(), NOW, FIVE_MINUTES).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let none = format!("{}.{payload}.", base64url::encode(br#"{"alg":"none","typ":"JWT"}"#));
        assert_eq!(verifier().verify(&none, NOW), Err(TokenError::WrongAlgorithm));
        let hs256 =
            format!("{}.{payload}.{}", base64url::encode(br#"{"alg":"HS256"}"#), base64url::encode(&[1; 32]));
        assert_eq!(verifier().verify(&hs256, NOW), Err(TokenError::WrongAlgorithm));
    }

    #[test]
    fn altered_and_garbage_tokens_are_refused() {
        let token = signer().sign(&agent(), NOW, FIVE_MINUTES).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let supervisor = Identity {
            role: Role::Supervisor,
            capabilities: ModeSet::ALL,
            exemptions: ModeSet::EMPTY,
            ..agent()
        };
        let forged_payload = base64url::encode(serde_json::to_string(&supervisor).unwrap().as_bytes());
        parts[1] = &forged_payload;
        assert_eq!(verifier().verify(&parts.join("."), NOW), Err(TokenError::BadSignature));
        assert_eq!(verifier().verify("", NOW), Err(TokenError::Missing));
        assert_eq!(verifier().verify("a.b", NOW), Err(TokenError::Malformed));
        assert_eq!(verifier().verify("not.a.token", NOW), Err(TokenError::Malformed));
        assert_eq!(verifier().verify(&"x".repeat(MAX_TOKEN_LEN + 1), NOW), Err(TokenError::TooLong));
        let claims_not_json = signed_claims("[1, 2]");
        assert_eq!(verifier().verify(&claims_not_json, NOW), Err(TokenError::Malformed));
        let unknown_role = serde_json::to_string(&agent()).unwrap().replace("\"agent\"", "\"boss\"");
        let unknown_role = format!("{},\"exp\":{}}}", unknown_role.trim_end_matches('}'), NOW + 60);
        assert_eq!(verifier().verify(&signed_claims(&unknown_role), NOW), Err(TokenError::Malformed));
    }

    #[test]
    fn role_specific_claims_are_enforced() {
        let customer_with_caps = Identity {
            role: Role::Customer,
            exemptions: ModeSet::EMPTY,
            capabilities: ModeSet::ALL,
            ..agent()
        };
        let token = signer().sign(&customer_with_caps, NOW, FIVE_MINUTES).unwrap();
        assert!(matches!(verifier().verify(&token, NOW), Err(TokenError::BadClaims(_))));
        let bad_id = Identity { sub: "has space".into(), ..agent() };
        let token = signer().sign(&bad_id, NOW, FIVE_MINUTES).unwrap();
        assert!(matches!(verifier().verify(&token, NOW), Err(TokenError::BadClaims(_))));
    }

    #[test]
    fn keys_decode_padded_or_not_and_refuse_the_standard_alphabet() {
        assert_eq!(decode_key("Zm9vYg").unwrap(), b"foob");
        assert_eq!(decode_key("Zm9vYg==").unwrap(), b"foob");
        assert!(decode_key("Zm9v+g").is_none());
        assert!(TokenVerifier::new("not a key", "earshot").is_err());
        assert!(TokenVerifier::new("Zm9vYg", "earshot").is_err(), "not 32 bytes");
        assert!(TokenSigner::new(PUBLIC).is_ok() && TokenSigner::new("AAAA").is_err());
    }
}
