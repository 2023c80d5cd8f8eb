//! Compact JWS (RFC 7515) as every token arrives: the one reader of its three parts, for Earshot's
//! own tokens and the identity provider's alike.
//!
//! It checks what needs no key: the shape, a header that names an algorithm Earshot verifies
//! ([`Algorithm`]: never `none`, never HMAC), no critical extension, and no key or key location in
//! the header (a token never says which key to trust). Which key checks the signature, and what
//! the claims mean, is [`crate::auth::verify`]'s business.

#[cfg(any(test, feature = "dev-mint"))]
use ed25519_compact::SecretKey;
use serde_json::Value;

use crate::auth::base64url;
use crate::auth::json_member::{member, text};
use crate::auth::jwk::Algorithm;
use crate::auth::token_error::{TokenError, MAX_TOKEN_LEN};

/// Header members that carry a key or say where to get one: a token with any of them is refused.
const KEY_MEMBERS: [&str; 4] = ["jwk", "jku", "x5c", "x5u"];

/// A token read but not yet verified.
#[derive(Debug)]
pub struct Jws<'t> {
    pub alg: Algorithm,
    pub kid: Option<String>,
    /// The claims as text (Earshot's own claims are read from it into their struct) and parsed.
    pub payload: String,
    pub claims: Value,
    /// What the signature covers: the first two parts exactly as sent, dot included.
    pub signed: &'t str,
    pub signature: Vec<u8>,
}

/// A base64url part holding a JSON object, as text and parsed.
fn json_part(part: &str) -> Option<(String, Value)> {
    let text = String::from_utf8(base64url::decode(part)?).ok()?;
    let value = serde_json::from_str::<Value>(&text).ok().filter(Value::is_object)?;
    Some((text, value))
}

/// Reads `token`, refusing what no key could make acceptable.
pub fn read(token: &str) -> Result<Jws<'_>, TokenError> {
    if token.is_empty() {
        return Err(TokenError::Missing);
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::TooLong);
    }
    let mut parts = token.split('.');
    let (Some(header_part), Some(payload_part), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let (_, header) = json_part(header_part).ok_or(TokenError::Malformed)?;
    if KEY_MEMBERS.iter().any(|name| member(&header, name).is_some()) {
        return Err(TokenError::KeyInHeader);
    }
    let alg = text(&header, "alg").ok_or(TokenError::Malformed)?;
    let alg = Algorithm::from_header(alg)
        .filter(|_| member(&header, "crit").is_none())
        .ok_or(TokenError::WrongAlgorithm)?;
    let signature = base64url::decode(signature).ok_or(TokenError::Malformed)?;
    let (payload, claims) = json_part(payload_part).ok_or(TokenError::Malformed)?;
    Ok(Jws {
        alg,
        kid: text(&header, "kid").map(str::to_owned),
        payload,
        claims,
        signed: &token[..header_part.len() + 1 + payload_part.len()],
        signature,
    })
}

/// The header Earshot's own signer writes.
#[cfg(any(test, feature = "dev-mint"))]
const HEADER: &str = r#"{"alg":"EdDSA","typ":"JWT"}"#;

/// Signs `payload` (the dev minting endpoint and tests only; a deployed worker holds no secret key).
#[cfg(any(test, feature = "dev-mint"))]
pub fn sign(payload: &[u8], key: &SecretKey) -> String {
    let input = format!("{}.{}", base64url::encode(HEADER.as_bytes()), base64url::encode(payload));
    let signature = key.sign(input.as_bytes(), None);
    format!("{input}.{}", base64url::encode(signature.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, claims: &str, signature: &[u8]) -> String {
        let (h, c) = (base64url::encode(header.as_bytes()), base64url::encode(claims.as_bytes()));
        format!("{h}.{c}.{}", base64url::encode(signature))
    }

    #[test]
    fn a_token_is_read_into_its_parts() {
        let jws_text = token(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#, r#"{"sub":"a"}"#, &[9; 256]);
        let jws = read(&jws_text).unwrap();
        assert_eq!(
            (jws.alg, jws.kid.as_deref(), jws.payload.as_str()),
            (Algorithm::Rs256, Some("k1"), r#"{"sub":"a"}"#)
        );
        assert_eq!(jws.claims["sub"], "a");
        assert_eq!(jws.signature, vec![9; 256]);
        assert_eq!(jws.signed, &jws_text[..jws_text.rfind('.').unwrap()]);
    }

    #[test]
    fn algorithms_without_a_key_type_and_critical_extensions_are_refused() {
        for header in [r#"{"alg":"none"}"#, r#"{"alg":"HS256"}"#, r#"{"alg":"eddsa"}"#, r#"{"alg":"PS256"}"#]
        {
            assert_eq!(
                read(&token(header, "{}", &[1; 64])).unwrap_err(),
                TokenError::WrongAlgorithm,
                "{header}"
            );
        }
        let critical = token(r#"{"alg":"EdDSA","crit":["b64"],"b64":false}"#, "{}", &[1; 64]);
        assert_eq!(read(&critical).unwrap_err(), TokenError::WrongAlgorithm);
        for header in [r#"{"typ":"JWT"}"#, r#"{"alg":null}"#, "[]"] {
            assert_eq!(read(&token(header, "{}", &[1; 64])).unwrap_err(), TokenError::Malformed, "{header}");
        }
    }

    #[test]
    fn a_key_or_key_location_in_the_header_is_refused() {
        for member in ["jwk", "jku", "x5c", "x5u"] {
            let header = format!(r#"{{"alg":"EdDSA","{member}":"x"}}"#);
            assert_eq!(
                read(&token(&header, "{}", &[1; 64])).unwrap_err(),
                TokenError::KeyInHeader,
                "{member}"
            );
        }
    }

    #[test]
    fn malformed_and_oversized_tokens_are_refused_as_such() {
        let good = token(r#"{"alg":"EdDSA"}"#, "{}", &[1; 64]);
        let parts: Vec<&str> = good.split('.').collect();
        let cases = [
            "a.b".to_owned(),
            format!("{good}.extra"),
            format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
            format!("{}.{}.{}", base64url::encode(b"not json"), parts[1], parts[2]),
            format!("{}.{}.{}", parts[0], "*", parts[2]),
            format!("{}.{}.{}", parts[0], base64url::encode(b"[1,2]"), parts[2]),
            format!("{}.{}.*", parts[0], parts[1]),
        ];
        for case in cases {
            assert_eq!(read(&case).unwrap_err(), TokenError::Malformed, "{case}");
        }
        assert_eq!(read("").unwrap_err(), TokenError::Missing);
        let padding = "x".repeat(MAX_TOKEN_LEN - good.len());
        let longest = format!("{}.{}{padding}.{}", parts[0], parts[1], parts[2]);
        assert_eq!(longest.len(), MAX_TOKEN_LEN);
        assert_eq!(
            read(&longest).unwrap_err(),
            TokenError::Malformed,
            "at the limit it is read (and not base64url)"
        );
        assert_eq!(read(&format!("{longest}x")).unwrap_err(), TokenError::TooLong);
    }
}
