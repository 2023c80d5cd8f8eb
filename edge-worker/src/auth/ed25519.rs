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

/// In the worker, the one WebCrypto path the provider's keys use too ([`crate::auth::webcrypto`]),
/// with this key as a JWK (imported once per isolate there).
#[cfg(target_arch = "wasm32")]
mod imp {
    use crate::auth::base64url;
    use crate::auth::jwk::{Algorithm, PinnedKey};
    use crate::auth::webcrypto;

    pub async fn verifies(raw: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
        let public_jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, base64url::encode(raw));
        webcrypto::verifies(&PinnedKey { kid: None, alg: Algorithm::EdDsa, public_jwk }, message, signature)
            .await
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
