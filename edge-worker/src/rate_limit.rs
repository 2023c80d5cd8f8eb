//! Per-socket rate limiting: a token bucket, plus a strike count that turns persistent flooding into
//! a close instead of an endless stream of `rate_limited` errors.

/// Burst a socket may send at once (ICE trickle sends a dozen candidates in a few milliseconds).
pub const BURST: f64 = 40.0;
/// Sustained frames per second.
pub const PER_SECOND: f64 = 20.0;
/// Frames refused in a row, without the bucket refilling, before the socket is closed.
pub const STRIKES_BEFORE_CLOSE: u32 = 50;

/// What to do with one incoming frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    /// Drop this frame and tell the sender.
    Drop,
    /// Drop it and close the socket.
    Close,
}

/// One socket's bucket; `now_ms` is any monotonic millisecond clock.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    tokens: f64,
    last_ms: f64,
    strikes: u32,
}

impl RateLimiter {
    pub fn new(now_ms: f64) -> RateLimiter {
        RateLimiter { tokens: BURST, last_ms: now_ms, strikes: 0 }
    }

    pub fn check(&mut self, now_ms: f64) -> Verdict {
        let elapsed = (now_ms - self.last_ms).max(0.0) / 1000.0;
        self.tokens = (self.tokens + elapsed * PER_SECOND).min(BURST);
        self.last_ms = now_ms;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.strikes = 0;
            Verdict::Accept
        } else {
            self.strikes += 1;
            if self.strikes >= STRIKES_BEFORE_CLOSE {
                Verdict::Close
            } else {
                Verdict::Drop
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_frames_drop_then_the_socket_closes() {
        let mut limiter = RateLimiter::new(0.0);
        let verdicts: Vec<Verdict> = (0..200).map(|_| limiter.check(0.0)).collect();
        assert!(verdicts[..BURST as usize].iter().all(|v| *v == Verdict::Accept));
        let drops = verdicts.iter().filter(|v| **v == Verdict::Drop).count();
        assert_eq!(drops, STRIKES_BEFORE_CLOSE as usize - 1);
        assert_eq!(verdicts[BURST as usize + STRIKES_BEFORE_CLOSE as usize - 1], Verdict::Close);
    }

    #[test]
    fn a_steady_sender_under_the_rate_is_never_limited() {
        let mut limiter = RateLimiter::new(0.0);
        let interval = 1000.0 / PER_SECOND;
        assert!((0..10_000).all(|i| limiter.check(i as f64 * interval) == Verdict::Accept));
    }

    #[test]
    fn refilling_forgives_strikes() {
        let mut limiter = RateLimiter::new(0.0);
        (0..BURST as usize + 10).for_each(|_| {
            limiter.check(0.0);
        });
        assert_eq!(limiter.check(1000.0), Verdict::Accept);
        assert_eq!(limiter.strikes, 0);
    }
}
