//! Ed25519 signature checks: the runtime's WebCrypto in the worker, ed25519-compact on the host.
//!
//! The worker's bundle has a size budget (250 KiB gzipped), and the pure-Rust verifier took some
//! 12 KiB of it (its field arithmetic and tables); workerd, like Cloudflare's runtime, has Ed25519
//! in WebCrypto, native and faster. Host builds (unit tests) check with ed25519-compact, the same library the dev-only
//! signer uses; the worker tests against `wrangler dev` exercise the WebCrypto path with forged and
//! altered tokens.

/// An Ed25519 public key (32 raw bytes).
pub struct VerifyingKey {
    raw: [u8; 32],
}

impl VerifyingKey {
    /// `None` unless `raw` is 32 bytes.
    pub fn from_slice(raw: &[u8]) -> Option<VerifyingKey> {
        Some(VerifyingKey { raw: raw.try_into().ok()? })
    }

    /// Whether `signature` is this key's signature over `message`.
    pub async fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        imp::verifies(&self.raw, message, signature).await
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use std::cell::RefCell;

    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;
    use worker::js_sys::{Array, Promise};
    use worker::wasm_bindgen_futures::JsFuture;

    const ALGORITHM: &str = "Ed25519";

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = importKey)]
        fn import_key(
            format: &str,
            key: &[u8],
            algorithm: &str,
            extractable: bool,
            usages: &Array,
        ) -> Result<Promise, JsValue>;

        #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = verify)]
        fn verify(algorithm: &str, key: &JsValue, signature: &[u8], data: &[u8]) -> Result<Promise, JsValue>;
    }

    thread_local! {
        /// The last key imported, with its raw bytes: tokens are checked against one configured key,
        /// so it is imported once per isolate, not once per token.
        static IMPORTED: RefCell<Option<([u8; 32], JsValue)>> = const { RefCell::new(None) };
    }

    async fn imported(raw: &[u8; 32]) -> Result<JsValue, JsValue> {
        if let Some(key) =
            IMPORTED.with_borrow(|k| k.as_ref().filter(|(r, _)| r == raw).map(|(_, key)| key.clone()))
        {
            return Ok(key);
        }
        let usages = Array::of1(&JsValue::from_str("verify"));
        let key = JsFuture::from(import_key("raw", raw, ALGORITHM, false, &usages)?).await?;
        IMPORTED.set(Some((*raw, key.clone())));
        Ok(key)
    }

    pub async fn verifies(raw: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
        // WebCrypto copies the byte views synchronously, before the promise is returned.
        let outcome =
            async { JsFuture::from(verify(ALGORITHM, &imported(raw).await?, signature, message)?).await };
        match outcome.await {
            Ok(verdict) => verdict.as_bool() == Some(true),
            Err(err) => {
                worker::console_error!("signature check failed to run: {err:?}");
                false
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use ed25519_compact::{PublicKey, Signature};

    pub async fn verifies(raw: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
        PublicKey::new(*raw).verify(message, &Signature::new(*signature)).is_ok()
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
