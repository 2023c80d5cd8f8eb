//! Pacing of a team's console feed: at most one push per [`FEED_INTERVAL_MS`], and the latest state
//! always goes out.
//!
//! Every mode switch changes a call's line on the feed, and a busy team switches many times a second;
//! rebuilding and sending the whole feed each time cost more than the switches themselves. So a change
//! inside the interval only marks the feed pending and asks for an alarm at the interval's end, when
//! the then-current feed is sent: changes are coalesced, never dropped. Pure: the caller passes the
//! time and does the sending and the scheduling.

/// The shortest time between two feed pushes to a team's supervisors.
pub const FEED_INTERVAL_MS: u64 = 250;

/// What to do about a feed change, or about an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Push the feed now.
    Now,
    /// A push is now pending: make sure an alarm fires at this time (ms since the epoch).
    At(u64),
    /// A push was already pending (its alarm is set): nothing to do.
    Pending,
}

/// When the feed was last pushed, and whether a change is waiting for its turn.
#[derive(Debug, Default)]
pub struct FeedPacer {
    last_sent: Option<u64>,
    pending: bool,
}

impl FeedPacer {
    /// The feed changed at `now`.
    pub fn changed(&mut self, now: u64) -> Pace {
        match self.last_sent {
            Some(_) if self.pending => Pace::Pending,
            Some(last) if now < last + FEED_INTERVAL_MS => {
                self.pending = true;
                Pace::At(last + FEED_INTERVAL_MS)
            }
            _ => Pace::Now,
        }
    }

    /// The feed was pushed at `now` (paced or not): whatever was pending went out with it.
    pub fn sent(&mut self, now: u64) {
        self.last_sent = Some(now);
        self.pending = false;
    }

    /// An alarm fired at `now`: `Some(Pace)` if a push is owed. An object that has never pushed
    /// (just started, perhaps after an eviction that forgot a pending change) owes one too.
    pub fn on_alarm(&self, now: u64) -> Option<Pace> {
        match self.last_sent {
            None => Some(Pace::Now),
            Some(last) if self.pending && now < last + FEED_INTERVAL_MS => {
                Some(Pace::At(last + FEED_INTERVAL_MS))
            }
            Some(_) if self.pending => Some(Pace::Now),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_changes_becomes_one_push_per_interval() {
        let mut pacer = FeedPacer::default();
        assert_eq!(pacer.changed(1_000), Pace::Now);
        pacer.sent(1_000);
        // Twenty changes within the next interval: the first asks for an alarm, all wait for it.
        assert_eq!(pacer.changed(1_010), Pace::At(1_250));
        for t in (1_022..1_250).step_by(12) {
            assert_eq!(pacer.changed(t), Pace::Pending, "at {t}");
        }
        assert_eq!(pacer.on_alarm(1_249), Some(Pace::At(1_250)), "an early alarm (a sweep) waits");
        assert_eq!(pacer.on_alarm(1_250), Some(Pace::Now), "the pending change is owed");
        pacer.sent(1_250);
        assert_eq!(pacer.on_alarm(1_300), None, "nothing pending, nothing sent");
        assert_eq!(pacer.changed(1_600), Pace::Now, "a change after a quiet interval goes at once");
    }

    #[test]
    fn an_immediate_push_carries_the_pending_change() {
        let mut pacer = FeedPacer::default();
        pacer.sent(0);
        assert_eq!(pacer.changed(100), Pace::At(250));
        pacer.sent(120); // e.g. an agent became available: everything was pushed at once
        assert_eq!(pacer.on_alarm(250), None);
        assert_eq!(pacer.changed(200), Pace::At(370), "the interval counts from the last push");
    }

    #[test]
    fn a_fresh_object_pushes_on_its_first_alarm() {
        assert_eq!(FeedPacer::default().on_alarm(5), Some(Pace::Now));
    }
}
