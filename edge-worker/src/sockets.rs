//! WebSocket plumbing shared by both Durable Objects: the subprotocol handshake, typed sends, and
//! refusing an upgrade with a close code a browser can read.

use serde::Serialize;
use worker::{Headers, Response, Result, WebSocket, WebSocketPair};

use crate::error::EdgeError;

/// The subprotocol every Earshot socket speaks; the server echoes it on a successful upgrade.
pub const PROTOCOL: &str = "earshot.v1";
/// Prefix of the subprotocol entry that carries the token: `bearer.<JWT>`.
pub const TOKEN_PREFIX: &str = "bearer.";

/// Sends one event; a socket that is already closing is not an error worth failing a handler for.
pub fn send<T: Serialize>(ws: &WebSocket, event: &T) {
    if let Ok(text) = serde_json::to_string(event) {
        let _ = ws.send_with_str(text);
    }
}

/// Sends pre-serialized text (one serialization for many recipients).
pub fn send_text(ws: &WebSocket, text: &str) {
    let _ = ws.send_with_str(text);
}

pub fn close(ws: &WebSocket, code: u16, reason: &str) {
    // Close reasons are limited to 123 bytes by RFC 6455.
    let reason: String = reason.chars().take(100).collect();
    let _ = ws.close(Some(code), Some(reason));
}

/// The 101 response for an accepted socket, echoing the subprotocol.
pub fn upgrade_response(client: WebSocket) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Sec-WebSocket-Protocol", PROTOCOL)?;
    Ok(Response::from_websocket(client)?.with_headers(headers))
}

/// Completes the upgrade only to close it at once with the error's close code and reason, so a
/// browser (which cannot read an HTTP status of a failed upgrade) learns why.
pub fn refuse_upgrade(error: &EdgeError) -> Result<Response> {
    let pair = WebSocketPair::new()?;
    pair.server.accept()?;
    send(
        &pair.server,
        &serde_json::json!({ "type": "error", "code": error.code(), "message": error.to_string() }),
    );
    close(&pair.server, error.close_code(), &error.to_string());
    upgrade_response(pair.client)
}

/// An alarm time from milliseconds since the epoch (`ScheduledTime::from(i64)` is an offset).
pub fn at(epoch_ms: u64) -> worker::ScheduledTime {
    worker::ScheduledTime::new(worker::js_sys::Date::new(&(epoch_ms as f64).into()))
}

/// Reads a value stored as JSON text under `key`.
pub async fn stored_json<T: serde::de::DeserializeOwned>(
    state: &worker::State,
    key: &str,
) -> Result<Option<T>> {
    match state.storage().get::<String>(key).await? {
        Some(text) => Ok(Some(serde_json::from_str(&text)?)),
        None => Ok(None),
    }
}
