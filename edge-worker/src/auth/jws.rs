//! Compact JWS (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037): the one token format Earshot
//! accepts, and the only algorithm.
//!
//! Deliberately narrow, which is also what keeps it safe: the protected header must say
//! `"alg":"EdDSA"` and name no critical extension, so `none`, HMAC (the classic confusion of a public
//! key used as a shared secret) and every other algorithm are refused before the key is touched.
//! What the payload means is the caller's business ([`crate::auth::identity`]).

#[cfg(any(test, feature = "dev-mint"))]
use ed25519_compact::SecretKey;
use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::auth::base64url;
use crate::auth::ed25519::VerifyingKey;

/// Why a compact JWS was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwsError {
    /// Not three base64url parts, a header that is not a JSON object, a signature of the wrong size.
    Malformed,
    /// Signed with anything but EdDSA, or demanding an extension this code does not implement.
    Algorithm,
    /// Another key signed it, or something was altered.
    BadSignature,
}

/// The protected header: the algorithm, and `crit`, whose mere presence is refused.
#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    crit: Option<IgnoredAny>,
}

/// The header Earshot's own signer writes.
#[cfg(any(test, feature = "dev-mint"))]
const HEADER: &str = r#"{"alg":"EdDSA","typ":"JWT"}"#;

/// Checks `token`'s header and signature against `key`; returns the payload bytes, still unread.
pub async fn verify(token: &str, key: &VerifyingKey) -> Result<Vec<u8>, JwsError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwsError::Malformed);
    };
    let header_json = base64url::decode(header).ok_or(JwsError::Malformed)?;
    let header_json = std::str::from_utf8(&header_json).map_err(|_| JwsError::Malformed)?;
    let parsed: Header = serde_json::from_str(header_json).map_err(|_| JwsError::Malformed)?;
    if parsed.alg != "EdDSA" || parsed.crit.is_some() {
        return Err(JwsError::Algorithm);
    }
    let signature = base64url::decode(signature).ok_or(JwsError::Malformed)?;
    let signature: [u8; 64] = signature.try_into().map_err(|_| JwsError::Malformed)?;
    let decoded = base64url::decode(payload).ok_or(JwsError::Malformed)?;
    // The signing input is the first two parts exactly as sent, dot included.
    let signed = &token[..header.len() + 1 + payload.len()];
    if !key.verifies(signed.as_bytes(), &signature).await {
        return Err(JwsError::BadSignature);
    }
    Ok(decoded)
}

/// Signs `payload` (the dev minting endpoint and tests only; a deployed worker holds no secret key).
#[cfg(any(test, feature = "dev-mint"))]
pub fn sign(payload: &[u8], key: &SecretKey) -> String {
    let input = format!("{}.{}", base64url::encode(HEADER.as_bytes()), base64url::encode(payload));
    let signature = key.sign(input.as_bytes(), None);
    format!("{input}.{}", base64url::encode(signature.as_ref()))
}

#[cfg(test)]
mod tests {
    use ed25519_compact::{KeyPair, PublicKey, Seed};

    use super::*;
    use crate::auth::ed25519::ready;

    fn keys(seed: u8) -> KeyPair {
        KeyPair::from_seed(Seed::new([seed; 32]))
    }

    /// Checks `token` against `key` (on the host the check completes at once).
    fn verify(token: &str, key: &PublicKey) -> Result<Vec<u8>, JwsError> {
        ready(super::verify(token, &VerifyingKey::from_slice(key.as_ref()).unwrap()))
    }

    /// A token with any header, signed by `key` as an attacker with that key would.
    fn signed_with_header(header: &str, payload: &str, key: &SecretKey) -> String {
        let input =
            format!("{}.{}", base64url::encode(header.as_bytes()), base64url::encode(payload.as_bytes()));
        format!("{input}.{}", base64url::encode(key.sign(input.as_bytes(), None).as_ref()))
    }

    #[test]
    fn a_signed_payload_verifies_and_comes_back_untouched() {
        let pair = keys(1);
        let token = sign(br#"{"sub":"a"}"#, &pair.sk);
        assert_eq!(verify(&token, &pair.pk), Ok(br#"{"sub":"a"}"#.to_vec()));
        assert_eq!(verify(&token, &keys(2).pk), Err(JwsError::BadSignature));
    }

    #[test]
    fn every_other_algorithm_is_refused_before_the_key_is_used() {
        let pair = keys(1);
        let payload = base64url::encode(br#"{"sub":"a"}"#);
        let unsigned = format!("{}.{payload}.", base64url::encode(br#"{"alg":"none"}"#));
        assert_eq!(verify(&unsigned, &pair.pk), Err(JwsError::Algorithm), "alg none");
        // HS256 keyed with the public key: the textbook confusion attack. Its MAC never gets checked.
        let hs256 =
            format!("{}.{payload}.{}", base64url::encode(br#"{"alg":"HS256"}"#), base64url::encode(&[7; 32]));
        assert_eq!(verify(&hs256, &pair.pk), Err(JwsError::Algorithm), "HS256");
        for header in [r#"{"alg":"ES256"}"#, r#"{"alg":"eddsa"}"#, r#"{"typ":"JWT"}"#, r#"{"alg":null}"#] {
            let token = signed_with_header(header, "{}", &pair.sk);
            let expected =
                if header.contains("alg\":\"") { JwsError::Algorithm } else { JwsError::Malformed };
            assert_eq!(verify(&token, &pair.pk), Err(expected), "{header}");
        }
        let critical = signed_with_header(r#"{"alg":"EdDSA","crit":["b64"],"b64":false}"#, "{}", &pair.sk);
        assert_eq!(verify(&critical, &pair.pk), Err(JwsError::Algorithm), "crit");
        let extra_fields = signed_with_header(r#"{"alg":"EdDSA","kid":"k1"}"#, "{}", &pair.sk);
        assert!(verify(&extra_fields, &pair.pk).is_ok(), "unknown non-critical header fields are fine");
    }

    #[test]
    fn altered_parts_break_the_signature() {
        let pair = keys(1);
        let token = sign(br#"{"role":"agent"}"#, &pair.sk);
        let parts: Vec<&str> = token.split('.').collect();
        let forged_payload = base64url::encode(br#"{"role":"supervisor"}"#);
        let forged = [parts[0], &forged_payload, parts[2]].join(".");
        assert_eq!(verify(&forged, &pair.pk), Err(JwsError::BadSignature));
        let other_header = base64url::encode(br#"{"alg":"EdDSA"}"#);
        let swapped = [&other_header, parts[1], parts[2]].join(".");
        assert_eq!(verify(&swapped, &pair.pk), Err(JwsError::BadSignature));
    }

    #[test]
    fn malformed_tokens_are_refused_as_such() {
        let pair = keys(1);
        let token = sign(b"{}", &pair.sk);
        let parts: Vec<&str> = token.split('.').collect();
        let cases = [
            String::new(),
            "a.b".into(),
            format!("{token}.extra"),
            format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
            format!("{}.{}.{}", parts[0], parts[1], &parts[2][..20]),
            format!("{}.{}.{}", base64url::encode(b"not json"), parts[1], parts[2]),
            format!("{}.{}.{}", parts[0], "*", parts[2]),
        ];
        for case in cases {
            assert_eq!(verify(&case, &pair.pk), Err(JwsError::Malformed), "{case}");
        }
    }
}
