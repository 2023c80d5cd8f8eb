//! Liveness and rate limiting of a Durable Object's sockets.
//!
//! Plain heartbeats never reach our code: the runtime answers the exact frame [`HEARTBEAT`] with
//! [`HEARTBEAT_REPLY`] itself and remembers when, per socket, through hibernation. A heartbeat is
//! most of a quiet call's traffic (three sockets every couple of seconds), and waking the object,
//! crossing into wasm and parsing the frame for each cost a measurable share of the worker's
//! thread (docs/bench/worker.md). Every other frame goes through the [`SocketBook`], in memory on
//! purpose: both rate and last frame are about the last few seconds. After hibernation or eviction
//! a socket without runtime heartbeats is first seen "now" (so nobody is dropped for the time the
//! object slept) and starts with a full bucket.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::{prelude::wasm_bindgen, JsCast};
use worker::{js_sys, web_sys, State, WebSocket};

use crate::rate_limit::{RateLimiter, Verdict};

/// The heartbeat clients send, byte for byte (`JSON.stringify({ type: 'ping' })`). A ping with a
/// `ref` differs, so it reaches the object and is acknowledged like any request.
pub const HEARTBEAT: &str = r#"{"type":"ping"}"#;
/// The runtime's answer: the same bytes as the object's own `pong` event.
pub const HEARTBEAT_REPLY: &str = r#"{"type":"pong"}"#;

#[wasm_bindgen]
extern "C" {
    /// The object's state, seen for the one method the worker crate does not wrap.
    type HeartbeatClock;
    #[wasm_bindgen(method, js_name = getWebSocketAutoResponseTimestamp)]
    fn auto_response_timestamp(this: &HeartbeatClock, ws: &web_sys::WebSocket) -> Option<js_sys::Date>;
}

/// Has the runtime answer plain heartbeats on every socket of the object (called when it starts).
pub fn answer_heartbeats(state: &State) {
    if let Ok(pair) = worker::worker_sys::WebSocketRequestResponsePair::new(HEARTBEAT, HEARTBEAT_REPLY) {
        // Only fails where the runtime lacks the API; objects then answer heartbeats themselves.
        let _ = state.as_raw().set_websocket_auto_response(&pair);
    }
}

/// When the runtime last answered a heartbeat on `ws`, in ms since the epoch.
pub fn last_heartbeat(state: &State, ws: &WebSocket) -> Option<u64> {
    let clock: &HeartbeatClock = state.as_raw().unchecked_ref();
    let at = clock.auto_response_timestamp(ws.as_ref())?;
    Some(at.get_time() as u64)
}

struct Liveness {
    last_seen: u64,
    limiter: RateLimiter,
}

/// Per-connection liveness, keyed by the connection number in each socket's attachment.
#[derive(Default)]
pub struct SocketBook {
    sockets: RefCell<HashMap<u64, Liveness>>,
}

impl SocketBook {
    fn with<R>(&self, conn: u64, now: u64, f: impl FnOnce(&mut Liveness) -> R) -> R {
        let mut sockets = self.sockets.borrow_mut();
        let entry = sockets
            .entry(conn)
            .or_insert_with(|| Liveness { last_seen: now, limiter: RateLimiter::new(now as f64) });
        f(entry)
    }

    /// A frame arrived: the socket is alive; may it be processed?
    pub fn frame(&self, conn: u64, now: u64) -> Verdict {
        self.with(conn, now, |live| {
            live.last_seen = now;
            live.limiter.check(now as f64)
        })
    }

    /// Milliseconds since the socket last sent anything: a frame we handled, or a heartbeat the
    /// runtime answered at `heartbeat`.
    pub fn silent_for(&self, conn: u64, now: u64, heartbeat: Option<u64>) -> u64 {
        self.with(conn, now, |live| now.saturating_sub(live.last_seen.max(heartbeat.unwrap_or(0))))
    }

    pub fn forget(&self, conn: u64) {
        self.sockets.borrow_mut().remove(&conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_answers_heartbeats_with_the_objects_own_bytes() {
        use crate::protocol::{parse_request, CallEvent, CallRequest};
        use crate::team_protocol::TeamEvent;
        assert_eq!(parse_request(HEARTBEAT).unwrap().body, CallRequest::Ping);
        assert_eq!(serde_json::to_string(&CallEvent::Pong).unwrap(), HEARTBEAT_REPLY);
        assert_eq!(serde_json::to_string(&TeamEvent::Pong).unwrap(), HEARTBEAT_REPLY);
    }

    #[test]
    fn silence_is_measured_from_the_last_frame_or_first_sight() {
        let book = SocketBook::default();
        assert_eq!(book.silent_for(1, 1_000, None), 0, "first sight counts as a sign of life");
        assert_eq!(book.silent_for(1, 4_000, None), 3_000);
        assert_eq!(book.frame(1, 5_000), Verdict::Accept);
        assert_eq!(book.silent_for(1, 5_500, None), 500);
        assert_eq!(book.silent_for(1, 5_500, Some(5_400)), 100, "a runtime-answered heartbeat");
        assert_eq!(book.silent_for(1, 5_500, Some(2_000)), 500, "the later of the two counts");
        book.forget(1);
        assert_eq!(book.silent_for(1, 9_000, None), 0);
    }
}
