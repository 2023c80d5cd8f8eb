//! Liveness and rate limiting of a Durable Object's sockets, kept in memory.
//!
//! In memory on purpose: both are about the last few seconds. After hibernation or eviction a
//! socket is first seen "now" (so nobody is dropped for the time the object slept) and starts with
//! a full bucket; the periodic presence alarm keeps objects with sockets awake anyway.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::rate_limit::{RateLimiter, Verdict};

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

    /// Milliseconds since the socket last sent anything.
    pub fn silent_for(&self, conn: u64, now: u64) -> u64 {
        self.with(conn, now, |live| now.saturating_sub(live.last_seen))
    }

    pub fn forget(&self, conn: u64) {
        self.sockets.borrow_mut().remove(&conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_measured_from_the_last_frame_or_first_sight() {
        let book = SocketBook::default();
        assert_eq!(book.silent_for(1, 1_000), 0, "first sight counts as a sign of life");
        assert_eq!(book.silent_for(1, 4_000), 3_000);
        assert_eq!(book.frame(1, 5_000), Verdict::Accept);
        assert_eq!(book.silent_for(1, 5_500), 500);
        book.forget(1);
        assert_eq!(book.silent_for(1, 9_000), 0);
    }
}
