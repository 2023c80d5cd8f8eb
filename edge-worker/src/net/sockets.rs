//! WebSocket plumbing shared by both Durable Objects: the subprotocol handshake, typed sends, and
//! refusing an upgrade with a close code a browser can read.

use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;
use worker::{
    web_sys, Headers, Request, Response, Result, WebSocket, WebSocketIncomingMessage, WebSocketPair,
};

use crate::auth::identity::Identity;
use crate::error::{close, EdgeError, ProtocolError};
use crate::net::presence::SocketBook;
use crate::net::rate_limit::Verdict;
use crate::protocol::CallEvent;

/// Header carrying the identity the worker verified, as JSON (the wire contract's). Never set by
/// clients: the worker builds every request to a Durable Object itself.
pub use earshot_wire::identity::IDENTITY_HEADER;

/// What each accepted socket carries through hibernation: who it is and its connection number.
/// Stored as JSON text, like the records: one serializer for everything keeps the bundle small.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    pub identity: Identity,
    pub conn: u64,
}

impl Attachment {
    pub fn attach(&self, ws: &WebSocket) -> Result<()> {
        ws.serialize_attachment(serde_json::to_string(self)?)
    }

    pub fn of(ws: &WebSocket) -> Option<Attachment> {
        let text: String = ws.deserialize_attachment().ok().flatten()?;
        serde_json::from_str(&text).ok()
    }
}

/// The identity the worker verified for a request to a Durable Object.
pub fn identity_of(req: &Request) -> std::result::Result<Identity, EdgeError> {
    let header = req.headers().get(IDENTITY_HEADER)?.ok_or(EdgeError::Internal("identity missing".into()))?;
    Ok(serde_json::from_str(&header)?)
}

/// Builds a request from the worker (or an object) to a Durable Object. Straight through `web_sys`:
/// worker's `RequestInit` carries the whole `cf` property conversion along, some 12 KB of wasm this
/// bundle never needs.
pub fn internal_request(
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<JsValue>,
) -> Result<Request> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if !headers.is_empty() {
        let header_map = Headers::new();
        for (name, value) in headers {
            header_map.set(name, value)?;
        }
        init.set_headers(&header_map.0);
    }
    if let Some(body) = body {
        init.set_body(&body);
    }
    Ok(web_sys::Request::new_with_str_and_init(url, &init)?.into())
}

/// Screens one incoming frame: dropped unread (`None`) if the object already closed its socket;
/// else rate limit, then text only, then valid UTF-8. `Some(Ok)` is the text to parse.
pub fn screen(
    book: &SocketBook,
    conn: u64,
    now: u64,
    message: WebSocketIncomingMessage,
) -> Option<std::result::Result<String, ProtocolError>> {
    let admitted = within_limit(book.frame(conn, now)?, None);
    Some(admitted.and_then(|()| match message {
        // The runtime decodes text frames itself and puts U+FFFD where the bytes were not
        // UTF-8 (seen in workerd: `ff fe` arrived as two replacement characters), so the raw
        // character is the only sign of a frame RFC 6455 says to close with 1007. Clients
        // escape a real U+FFFD in JSON (`\ufffd`), as the demo pages do.
        WebSocketIncomingMessage::String(text) if text.contains(char::REPLACEMENT_CHARACTER) => {
            Err(ProtocolError::InvalidUtf8)
        }
        WebSocketIncomingMessage::String(text) => Ok(text),
        WebSocketIncomingMessage::Binary(_) => Err(ProtocolError::Binary),
    }))
}

/// Charges a parsed request that changes state its extra cost (see [`crate::net::rate_limit::CHANGE_COST`]);
/// a refusal names the request's `reference`.
pub fn admit_change(
    book: &SocketBook,
    conn: u64,
    now: u64,
    reference: Option<u64>,
) -> std::result::Result<(), ProtocolError> {
    within_limit(book.change(conn, now), reference)
}

fn within_limit(verdict: Verdict, reference: Option<u64>) -> std::result::Result<(), ProtocolError> {
    match verdict {
        Verdict::Accept => Ok(()),
        Verdict::Drop => Err(ProtocolError::RateLimited { reference }),
        Verdict::Close => Err(ProtocolError::RateLimitAbuse),
    }
}

/// Answers a frame-level error with an `error` event (the same shape on call and team sockets);
/// returns whether the socket was closed for it (the book then drops whatever else it sends).
pub fn report(ws: &WebSocket, book: &SocketBook, conn: u64, error: &ProtocolError) -> bool {
    send(ws, &CallEvent::Error(error.into()));
    match error.close_code() {
        Some(code) => {
            close_tracked(ws, book, conn, code, &error.to_string());
            true
        }
        None => false,
    }
}

/// Closes a socket the book tracks: frames the runtime still delivers from it are dropped unread.
pub fn close_tracked(ws: &WebSocket, book: &SocketBook, conn: u64, code: u16, reason: &str) {
    book.closed(conn);
    book.closed_socket(ws);
    self::close(ws, code, reason);
}

/// Closes a socket whose attachment cannot be read (it cannot be attributed to anyone).
pub fn close_unattributed(ws: &WebSocket) {
    self::close(ws, close::INTERNAL, "socket lost its identity");
}

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
