//! Public keys from an identity provider's JWKS (RFC 7517), each pinned to the one algorithm its
//! type allows: RS256 for RSA, ES256 for P-256, EdDSA for Ed25519.
//!
//! Pinning is what stops algorithm confusion: a token's `alg` must equal its key's, so an RSA key
//! can never be used as an HMAC secret (HS256) and `none` names no key at all. A key whose `kty`,
//! `crv` and `alg` disagree, that is not for signatures, or whose type Earshot does not verify is
//! left out of the set (with its reason, for the log), never guessed at.

use serde_json::Value;

use crate::auth::base64url;
use crate::auth::json_member::{member, text};

/// The signature algorithms Earshot verifies (through the runtime's WebCrypto).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: what most identity providers sign with.
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519 (RFC 8037).
    EdDsa,
}

impl Algorithm {
    /// The algorithm a JWS header names, if it is one Earshot verifies (never HS*, never `none`).
    pub fn from_header(alg: &str) -> Option<Algorithm> {
        match alg {
            "RS256" => Some(Algorithm::Rs256),
            "ES256" => Some(Algorithm::Es256),
            "EdDSA" => Some(Algorithm::EdDsa),
            _ => None,
        }
    }

    /// The JWS name of the algorithm.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es256 => "ES256",
            Algorithm::EdDsa => "EdDSA",
        }
    }
}

/// A public key fit for verifying, with the algorithm it is pinned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedKey {
    /// The key's id in its set; tokens name it in their header.
    pub kid: Option<String>,
    pub alg: Algorithm,
    /// The key as a JWK with its public members only, as WebCrypto's `importKey("jwk", …)` takes it.
    pub public_jwk: String,
}

impl PinnedKey {
    /// An Ed25519 key from its `x` (base64url of the raw 32 bytes, checked by the caller).
    pub fn ed25519(x: &str) -> PinnedKey {
        PinnedKey {
            kid: None,
            alg: Algorithm::EdDsa,
            public_jwk: format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#),
        }
    }
}

/// RSA moduli below 2048 bits are refused (NIST SP 800-131A).
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// Pins one JWK, or says in words why it cannot be used. Members are read from the `Value` by hand:
/// a derived struct would add its own deserializer to the size-budgeted bundle.
fn pin(jwk: &Value) -> Result<PinnedKey, String> {
    let field = |name: &str| text(jwk, name);
    let key_ops = member(jwk, "key_ops").and_then(Value::as_array);
    if field("use").is_some_and(|u| u != "sig") {
        return Err("its \"use\" is not \"sig\"".into());
    }
    if key_ops.is_some_and(|ops| !ops.iter().any(|op| op == "verify")) {
        return Err("its \"key_ops\" do not include \"verify\"".into());
    }
    // Each member is checked to be base64url, so it needs no escaping inside the JSON text below.
    let member = |name: &str| match field(name) {
        Some(text) if base64url::decode(text).is_some() => Ok(text.to_owned()),
        _ => Err(format!("\"{name}\" is missing or not base64url")),
    };
    let length = |text: &str| base64url::decode(text).map_or(0, |bytes| bytes.len());
    let (alg, public_jwk) = match (field("kty"), field("crv")) {
        (Some("RSA"), None) => {
            let (n, e) = (member("n")?, member("e")?);
            // A leading zero byte does not add bits.
            let modulus = base64url::decode(&n).unwrap_or_default();
            if modulus.iter().skip_while(|b| **b == 0).count() < MIN_RSA_MODULUS_BYTES {
                return Err("its RSA modulus is shorter than 2048 bits".into());
            }
            (Algorithm::Rs256, format!(r#"{{"kty":"RSA","n":"{n}","e":"{e}"}}"#))
        }
        (Some("EC"), Some("P-256")) => {
            let (x, y) = (member("x")?, member("y")?);
            if length(&x) != 32 || length(&y) != 32 {
                return Err("its P-256 coordinates are not 32 bytes".into());
            }
            (Algorithm::Es256, format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}"}}"#))
        }
        (Some("OKP"), Some("Ed25519")) => {
            let x = member("x")?;
            if length(&x) != 32 {
                return Err("its Ed25519 key is not 32 bytes".into());
            }
            (Algorithm::EdDsa, PinnedKey::ed25519(&x).public_jwk)
        }
        (kty, crv) => {
            return Err(format!(
                "key type {} / curve {} is not one Earshot verifies (RSA, EC P-256, OKP Ed25519)",
                kty.unwrap_or("(none)"),
                crv.unwrap_or("(none)")
            ))
        }
    };
    // A published `alg` must agree with the type; "Ed25519" is RFC 9864's name for EdDSA on it.
    if let Some(named) = field("alg") {
        let agrees = named == alg.name() || (alg == Algorithm::EdDsa && named == "Ed25519");
        if !agrees {
            return Err(format!("its \"alg\" {named} does not fit its key type (expected {})", alg.name()));
        }
    }
    Ok(PinnedKey { kid: field("kid").map(str::to_owned), alg, public_jwk })
}

/// The usable keys of a JWKS document, and a line for each key left out.
pub fn pin_set(jwks_json: &str) -> Result<(Vec<PinnedKey>, Vec<String>), String> {
    let set: Value = serde_json::from_str(jwks_json).map_err(|e| format!("not a JWKS: {e}"))?;
    let members = member(&set, "keys").and_then(Value::as_array).ok_or("not a JWKS: no \"keys\" list")?;
    let (mut keys, mut skipped) = (Vec::new(), Vec::new());
    for jwk in members {
        match pin(jwk) {
            Ok(key) => keys.push(key),
            Err(why) => {
                skipped.push(format!("key {} skipped: {why}", text(jwk, "kid").unwrap_or("(no kid)")))
            }
        }
    }
    Ok((keys, skipped))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn b64(len: usize) -> String {
        base64url::encode(&vec![0x5a; len])
    }

    fn rsa() -> serde_json::Value {
        json!({ "kty": "RSA", "kid": "r1", "n": b64(256), "e": "AQAB", "use": "sig", "alg": "RS256" })
    }

    fn ec() -> serde_json::Value {
        json!({ "kty": "EC", "kid": "e1", "crv": "P-256", "x": b64(32), "y": b64(32), "alg": "ES256" })
    }

    fn okp() -> serde_json::Value {
        json!({ "kty": "OKP", "kid": "o1", "crv": "Ed25519", "x": b64(32) })
    }

    #[test]
    fn each_key_type_is_pinned_to_its_one_algorithm() {
        assert_eq!(pin(&rsa()).unwrap().alg, Algorithm::Rs256);
        assert_eq!(pin(&ec()).unwrap().alg, Algorithm::Es256);
        let ed = pin(&okp()).unwrap();
        assert_eq!((ed.alg, ed.kid.as_deref()), (Algorithm::EdDsa, Some("o1")));
        let mut named = okp();
        named["alg"] = json!("Ed25519");
        assert_eq!(pin(&named).unwrap().alg, Algorithm::EdDsa);
    }

    #[test]
    fn only_public_members_are_kept() {
        let mut private = okp();
        private["d"] = json!(b64(32));
        let pinned: serde_json::Value = serde_json::from_str(&pin(&private).unwrap().public_jwk).unwrap();
        assert_eq!(pinned, json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(32) }));
    }

    #[test]
    fn keys_whose_members_disagree_are_refused() {
        let cases = [
            (json!({ "alg": "HS256" }), "alg"),
            (json!({ "alg": "ES256" }), "alg"),
            (json!({ "alg": "PS256" }), "alg"),
            (json!({ "use": "enc" }), "use"),
            (json!({ "key_ops": ["encrypt"] }), "key_ops"),
            (json!({ "n": b64(128) }), "2048"),
            (json!({ "crv": "P-256" }), "key type"),
        ];
        for (change, why) in cases {
            let mut key = rsa();
            key.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
            let err = pin(&key).unwrap_err();
            assert!(err.contains(why), "{change}: {err}");
        }
        let mut wrong_curve = ec();
        wrong_curve["crv"] = json!("P-384");
        assert!(pin(&wrong_curve).unwrap_err().contains("P-384"));
        let mut short = okp();
        short["x"] = json!(b64(31));
        assert!(pin(&short).is_err());
        assert!(pin(&json!({ "kty": "oct", "k": b64(32) })).unwrap_err().contains("oct"));
        let mut okp_as_es = okp();
        okp_as_es["alg"] = json!("ES256");
        assert!(pin(&okp_as_es).is_err());
    }

    #[test]
    fn a_set_keeps_its_usable_keys_and_names_the_rest() {
        let doc = json!({ "keys": [rsa(), { "kty": "oct", "kid": "h1", "k": "AAAA" }, ec(), okp()] });
        let (keys, skipped) = pin_set(&doc.to_string()).unwrap();
        let kids: Vec<_> = keys.iter().map(|k| k.kid.as_deref().unwrap()).collect();
        assert_eq!(kids, ["r1", "e1", "o1"]);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].starts_with("key h1 skipped"));
        assert!(pin_set("{}").is_err());
        assert!(pin_set("not json").is_err());
    }
}
