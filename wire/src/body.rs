//! Reading a request both workers receive: its JSON body, read with serde_json as everything else is
//! (`Request::json` would bring a second deserializer, serde-wasm-bindgen, into the bundle for every
//! body type), and the runtime's clock.

use serde::de::DeserializeOwned;
use worker::Request;

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The runtime could not read the body (the caller's side maps this to an internal error).
    Unreadable(worker::Error),
    /// The body is not the expected JSON: the sender's error, with serde's reason.
    Malformed(serde_json::Error),
}

/// A request's JSON body.
pub async fn json_body<T: DeserializeOwned>(req: &mut Request) -> Result<T, BodyError> {
    let text = req.text().await.map_err(BodyError::Unreadable)?;
    serde_json::from_str(&text).map_err(BodyError::Malformed)
}

/// Milliseconds since the epoch, from the runtime's clock.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}
