//! Per-socket rate limiting: a token bucket, plus a strike count that turns persistent flooding into
//! a close instead of an endless stream of `rate_limited` errors.
//!
//! Strikes (refused frames) fade with time instead of being forgiven by the next accepted frame:
//! when refusing a frame took the object as long as a refill (a loaded machine, 50 ms for 50
//! refusals), every refill reset the count, so a 10,000-frame flood was never closed and kept
//! taking effect 20 times a second for as long as it lasted (issue 16).

/// Burst a socket may send at once (ICE trickle sends a dozen candidates in a few milliseconds).
pub const BURST: f64 = 40.0;
/// Sustained frames per second.
pub const PER_SECOND: f64 = 20.0;
/// What a request that changes state costs on top of its frame (whose one token the frame already
/// took): a mode switch, a consent or a team setting writes storage, audits and tells everyone, about
/// 1 ms of the object's time, where a relayed ICE candidate costs a few µs. A burst then holds at most
/// 13 changes (the object's work for one flood is bounded) and a sender sustains almost seven a
/// second, more than anybody clicks; ICE trickle keeps the whole burst.
pub const CHANGE_COST: f64 = 2.0;
/// Refused frames, net of fading, before the socket is closed.
pub const STRIKES_BEFORE_CLOSE: f64 = 50.0;
/// Strikes that fade per second: a sender a little over the rate (refused up to 10 frames a second)
/// is limited forever and never closed; a burst far over it is closed within 50 refusals.
pub const STRIKES_FADE_PER_SECOND: f64 = 10.0;

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
    strikes: f64,
}

impl RateLimiter {
    pub fn new(now_ms: f64) -> RateLimiter {
        RateLimiter { tokens: BURST, last_ms: now_ms, strikes: 0.0 }
    }

    /// A frame arrived: it takes one token.
    pub fn check(&mut self, now_ms: f64) -> Verdict {
        self.take(now_ms, 1.0)
    }

    /// The frame just accepted turned out to be a change of state: it takes [`CHANGE_COST`] more.
    pub fn charge_change(&mut self, now_ms: f64) -> Verdict {
        self.take(now_ms, CHANGE_COST)
    }

    fn take(&mut self, now_ms: f64, cost: f64) -> Verdict {
        let elapsed = (now_ms - self.last_ms).max(0.0) / 1000.0;
        self.tokens = (self.tokens + elapsed * PER_SECOND).min(BURST);
        self.strikes = (self.strikes - elapsed * STRIKES_FADE_PER_SECOND).max(0.0);
        self.last_ms = now_ms;
        if self.tokens >= cost {
            self.tokens -= cost;
            Verdict::Accept
        } else {
            self.strikes += 1.0;
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
    fn a_burst_holds_ten_changes_and_ice_trickle_keeps_its_burst() {
        let mut limiter = RateLimiter::new(0.0);
        let changes = (0..100)
            .take_while(|_| {
                limiter.check(0.0) == Verdict::Accept && limiter.charge_change(0.0) == Verdict::Accept
            })
            .count();
        assert_eq!(changes, (BURST / (1.0 + CHANGE_COST)) as usize);
        let mut trickle = RateLimiter::new(0.0);
        assert!((0..BURST as usize).all(|_| trickle.check(0.0) == Verdict::Accept));
    }

    #[test]
    fn strikes_fade_with_time() {
        let mut limiter = RateLimiter::new(0.0);
        (0..BURST as usize + 10).for_each(|_| {
            limiter.check(0.0);
        });
        assert_eq!(limiter.strikes, 10.0);
        assert_eq!(limiter.check(1000.0), Verdict::Accept);
        assert_eq!(limiter.strikes, 0.0, "a quiet second forgives ten strikes");
    }

    /// The flood issue 16 found: refusing frames slowly (here one every 2 ms, so a token refills
    /// every 25 refusals) must not keep the socket open.
    #[test]
    fn a_flood_refused_slowly_is_still_closed_soon() {
        let mut limiter = RateLimiter::new(0.0);
        let verdicts: Vec<Verdict> = (0..10_000).map(|i| limiter.check(f64::from(i) * 2.0)).collect();
        let closed_at = verdicts.iter().position(|v| *v == Verdict::Close).expect("closed");
        let accepted = verdicts[..closed_at].iter().filter(|v| **v == Verdict::Accept).count();
        assert!(closed_at < 120, "closed after {closed_at} frames");
        assert!(accepted <= BURST as usize + 4, "{accepted} frames took effect");
    }

    #[test]
    fn a_sender_a_little_over_the_rate_is_limited_but_not_closed() {
        let mut limiter = RateLimiter::new(0.0);
        let interval = 1000.0 / (PER_SECOND + 5.0);
        let verdicts: Vec<Verdict> = (0..10_000).map(|i| limiter.check(f64::from(i) * interval)).collect();
        assert!(verdicts.contains(&Verdict::Drop));
        assert!(!verdicts.contains(&Verdict::Close));
    }
}
