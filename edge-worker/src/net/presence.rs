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
//!
//! A socket the object closed (rate-limit abuse, replacement, silence, a frame that was not UTF-8)
//! stays in the book, marked closed, until the runtime reports it gone: the runtime goes on
//! delivering whatever the peer had already sent, and each such frame is dropped unread. Forgetting
//! the socket at the close instead gave every later frame a fresh bucket, so a flood closed with
//! 4429 kept taking effect for seconds (issue 16).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use wasm_bindgen::{prelude::wasm_bindgen, JsCast};
use worker::{js_sys, web_sys, State, WebSocket};

use crate::net::rate_limit::{RateLimiter, Verdict};

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
    /// The object closed this socket; its later frames are dropped unread.
    closed: bool,
}

/// Per-connection liveness, keyed by the connection number in each socket's attachment.
#[derive(Default)]
pub struct SocketBook {
    sockets: RefCell<HashMap<u64, Liveness>>,
    /// The sockets the object closed, by the runtime's own socket object: a frame from one is
    /// dropped before its attachment is read. Measured against `wrangler dev` (trace store off):
    /// reading and parsing the attachment doubled the cost of each frame a closed flood still
    /// delivers, ~30 µs against the runtime's own ~13 µs. Created at the first close, so host
    /// tests, which cannot call into JavaScript, never make one.
    closed_sockets: OnceCell<js_sys::WeakSet>,
}

impl SocketBook {
    fn with<R>(&self, conn: u64, now: u64, f: impl FnOnce(&mut Liveness) -> R) -> R {
        let mut sockets = self.sockets.borrow_mut();
        let entry = sockets.entry(conn).or_insert_with(|| Liveness {
            last_seen: now,
            limiter: RateLimiter::new(now as f64),
            closed: false,
        });
        f(entry)
    }

    /// A socket was opened: it starts with a full bucket and counts as alive now.
    pub fn opened(&self, conn: u64, now: u64) {
        self.with(conn, now, |_| ());
    }

    /// A frame arrived: `None` when the object already closed the socket (drop the frame unread),
    /// else whether it may be processed. A [`Verdict::Close`] marks the socket closed.
    pub fn frame(&self, conn: u64, now: u64) -> Option<Verdict> {
        self.with(conn, now, |live| {
            if live.closed {
                return None;
            }
            live.last_seen = now;
            let verdict = live.limiter.check(now as f64);
            live.closed = verdict == Verdict::Close;
            Some(verdict)
        })
    }

    /// The frame just accepted is a change of state and costs more ([`RateLimiter::charge_change`]).
    /// A [`Verdict::Close`] marks the socket closed.
    pub fn change(&self, conn: u64, now: u64) -> Verdict {
        self.with(conn, now, |live| {
            let verdict = live.limiter.charge_change(now as f64);
            live.closed |= verdict == Verdict::Close;
            verdict
        })
    }

    /// The object closed (or is closing) the socket: nothing it still sends is read.
    pub fn closed(&self, conn: u64) {
        if let Some(live) = self.sockets.borrow_mut().get_mut(&conn) {
            live.closed = true;
        }
    }

    /// Remembers `ws` itself as closed, for [`SocketBook::is_closed`].
    pub fn closed_socket(&self, ws: &WebSocket) {
        self.closed_sockets.get_or_init(js_sys::WeakSet::new).add(ws.as_ref());
    }

    /// Whether the object closed `ws`: checked before anything else is read of a frame.
    pub fn is_closed(&self, ws: &WebSocket) -> bool {
        self.closed_sockets.get().is_some_and(|set| set.has(ws.as_ref()))
    }

    /// Milliseconds since the socket last sent anything: a frame we handled, or a heartbeat the
    /// runtime answered at `heartbeat`.
    pub fn silent_for(&self, conn: u64, now: u64, heartbeat: Option<u64>) -> u64 {
        self.with(conn, now, |live| now.saturating_sub(live.last_seen.max(heartbeat.unwrap_or(0))))
    }

    /// The runtime reported the socket closed or failed: nothing more will arrive from it.
    pub fn forget(&self, conn: u64) {
        self.sockets.borrow_mut().remove(&conn);
    }

    /// Drops the entries of sockets the runtime no longer has (closed while the object was busy
    /// elsewhere, or without a close event), so the book never outgrows the live sockets.
    pub fn keep_only(&self, live: &[u64]) {
        self.sockets.borrow_mut().retain(|conn, _| live.contains(conn));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_answers_heartbeats_with_the_objects_own_bytes() {
        use crate::protocol::{parse_request, CallEvent, CallRequest};
        use crate::team::protocol::TeamEvent;
        assert_eq!(parse_request(HEARTBEAT).unwrap().body, CallRequest::Ping);
        assert_eq!(serde_json::to_string(&CallEvent::Pong).unwrap(), HEARTBEAT_REPLY);
        assert_eq!(serde_json::to_string(&TeamEvent::Pong).unwrap(), HEARTBEAT_REPLY);
    }

    #[test]
    fn silence_is_measured_from_the_last_frame_or_first_sight() {
        let book = SocketBook::default();
        assert_eq!(book.silent_for(1, 1_000, None), 0, "first sight counts as a sign of life");
        assert_eq!(book.silent_for(1, 4_000, None), 3_000);
        assert_eq!(book.frame(1, 5_000), Some(Verdict::Accept));
        assert_eq!(book.silent_for(1, 5_500, None), 500);
        assert_eq!(book.silent_for(1, 5_500, Some(5_400)), 100, "a runtime-answered heartbeat");
        assert_eq!(book.silent_for(1, 5_500, Some(2_000)), 500, "the later of the two counts");
        book.forget(1);
        assert_eq!(book.silent_for(1, 9_000, None), 0);
    }

    #[test]
    fn a_socket_closed_for_abuse_stays_closed_until_the_runtime_reports_it_gone() {
        let book = SocketBook::default();
        book.opened(7, 0);
        let verdicts: Vec<_> = (0..10_000).map(|_| book.frame(7, 0)).collect();
        let accepted = verdicts.iter().filter(|v| **v == Some(Verdict::Accept)).count();
        let closes = verdicts.iter().filter(|v| **v == Some(Verdict::Close)).count();
        assert_eq!((accepted, closes), (crate::net::rate_limit::BURST as usize, 1));
        let after_close = verdicts.iter().skip_while(|v| **v != Some(Verdict::Close)).skip(1);
        assert!(after_close.clone().all(Option::is_none), "frames after the close are dropped unread");
        assert!(after_close.count() > 9_000);
        assert_eq!(book.frame(7, 60_000), None, "a refilled bucket does not reopen it");
        book.forget(7);
        assert_eq!(
            book.frame(7, 60_000),
            Some(Verdict::Accept),
            "a new socket with the number starts afresh"
        );
    }

    #[test]
    fn closing_marks_and_pruning_keeps_only_live_sockets() {
        let book = SocketBook::default();
        book.opened(1, 0);
        book.opened(2, 0);
        book.closed(1);
        assert_eq!(book.frame(1, 10), None);
        book.keep_only(&[2]);
        assert_eq!(book.sockets.borrow().len(), 1);
        assert_eq!(book.frame(2, 10), Some(Verdict::Accept));
    }
}
