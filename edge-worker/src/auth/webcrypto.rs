//! Signature checks with a pinned JWK ([`PinnedKey`]) through the runtime's WebCrypto: RS256, ES256
//! and EdDSA, native in workerd, so the bundle carries no RSA or elliptic-curve code.
//!
//! The key is imported as a JWK with the algorithm it was pinned to, never the token's say-so.
//! JWS signatures are the raw forms WebCrypto takes as they are: PKCS#1 v1.5 bytes for RS256, `r‖s`
//! (64 bytes) for ES256, 64 bytes for Ed25519. On the host (unit tests) only EdDSA is checked, with
//! ed25519-compact (the same library the dev-only signer uses); the RSA and ECDSA paths are exercised by the worker tests against real
//! `wrangler dev` and tokens from a real OpenID provider (tests/worker/oidc.test.mjs).

use crate::auth::jwk::PinnedKey;

/// Whether `signature` is `key`'s signature over `message`.
pub async fn verifies(key: &PinnedKey, message: &[u8], signature: &[u8]) -> bool {
    imp::verifies(key, message, signature).await
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use std::cell::RefCell;

    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;
    use worker::js_sys::{Array, Promise, JSON};
    use worker::wasm_bindgen_futures::JsFuture;

    use crate::auth::jwk::{Algorithm, PinnedKey};

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = importKey)]
        fn import_key(
            format: &str,
            key: &JsValue,
            algorithm: &JsValue,
            extractable: bool,
            usages: &Array,
        ) -> Result<Promise, JsValue>;

        #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = verify)]
        fn verify(
            algorithm: &JsValue,
            key: &JsValue,
            signature: &[u8],
            data: &[u8],
        ) -> Result<Promise, JsValue>;
    }

    /// Imported keys kept per isolate, by their JWK: a provider publishes a handful.
    const MAX_IMPORTED: usize = 16;

    thread_local! {
        static IMPORTED: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
    }

    /// WebCrypto's parameters for importing, then for verifying, with `alg`.
    fn parameters(alg: Algorithm) -> (&'static str, &'static str) {
        match alg {
            Algorithm::Rs256 => {
                (r#"{"name":"RSASSA-PKCS1-v1_5","hash":"SHA-256"}"#, r#"{"name":"RSASSA-PKCS1-v1_5"}"#)
            }
            Algorithm::Es256 => {
                (r#"{"name":"ECDSA","namedCurve":"P-256"}"#, r#"{"name":"ECDSA","hash":"SHA-256"}"#)
            }
            Algorithm::EdDsa => (r#"{"name":"Ed25519"}"#, r#"{"name":"Ed25519"}"#),
        }
    }

    async fn imported(key: &PinnedKey) -> Result<JsValue, JsValue> {
        let held = IMPORTED.with_borrow(|keys| {
            keys.iter().find(|(jwk, _)| *jwk == key.public_jwk).map(|(_, imported)| imported.clone())
        });
        if let Some(imported) = held {
            return Ok(imported);
        }
        let usages = Array::of1(&JsValue::from_str("verify"));
        let algorithm = JSON::parse(parameters(key.alg).0)?;
        let jwk = JSON::parse(&key.public_jwk)?;
        let imported = JsFuture::from(import_key("jwk", &jwk, &algorithm, false, &usages)?).await?;
        IMPORTED.with_borrow_mut(|keys| {
            if keys.len() >= MAX_IMPORTED {
                keys.clear();
            }
            keys.push((key.public_jwk.clone(), imported.clone()));
        });
        Ok(imported)
    }

    pub async fn verifies(key: &PinnedKey, message: &[u8], signature: &[u8]) -> bool {
        // WebCrypto copies the byte views synchronously, before the promise is returned.
        let outcome = async {
            let algorithm = JSON::parse(parameters(key.alg).1)?;
            JsFuture::from(verify(&algorithm, &imported(key).await?, signature, message)?).await
        };
        match outcome.await {
            Ok(verdict) => verdict.as_bool() == Some(true),
            Err(err) => {
                worker::console_error!("{} signature check failed to run: {err:?}", key.alg.name());
                false
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use ed25519_compact::{PublicKey, Signature};

    use crate::auth::base64url;
    use crate::auth::jwk::{Algorithm, PinnedKey};

    pub async fn verifies(key: &PinnedKey, message: &[u8], signature: &[u8]) -> bool {
        if key.alg != Algorithm::EdDsa {
            return false;
        }
        let jwk: serde_json::Value = serde_json::from_str(&key.public_jwk).unwrap_or_default();
        let raw = jwk["x"].as_str().and_then(base64url::decode).and_then(|x| <[u8; 32]>::try_from(x).ok());
        let signature = <[u8; 64]>::try_from(signature).ok();
        match (raw, signature) {
            (Some(raw), Some(signature)) => {
                PublicKey::new(raw).verify(message, &Signature::new(signature)).is_ok()
            }
            _ => false,
        }
    }
}

/// The output of a future that completes at once, as the host's checks do (for tests and the
/// fuzzer, which run on the host).
#[cfg(any(test, not(target_arch = "wasm32")))]
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    match std::pin::pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a host signature check never waits"),
    }
}
