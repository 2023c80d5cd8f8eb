//! An object's pending alarm, remembered, so that making sure one fires in time rarely asks storage.
//!
//! Both objects keep an alarm running for presence sweeps, paced feed pushes and queue assignment,
//! and check it on every such duty; a `getAlarm` round trip each time was a few per cent of a mode
//! switch's CPU. An object is the only writer of its alarm, so what it last set (or saw fire) stays
//! true until it sets another; a fresh instance knows nothing and asks once.

use std::cell::Cell;

use worker::{Result, Storage};

use crate::net::sockets;

/// The object's pending alarm as last known: `None` unknown, `Some(t)` with `t` in the past none
/// pending, else the time it fires (milliseconds since the epoch).
#[derive(Default)]
pub struct AlarmClock {
    known: Cell<Option<u64>>,
}

impl AlarmClock {
    /// Makes sure an alarm fires by `at`: an earlier one still to come is kept.
    pub async fn by(&self, storage: &Storage, at: u64, now: u64) -> Result<()> {
        let pending = match self.known.get() {
            Some(known) => Some(known),
            None => storage.get_alarm().await?.map(|ms| ms as u64),
        };
        if let Some(pending) = pending.filter(|&p| p <= at && p > now) {
            self.known.set(Some(pending));
            return Ok(());
        }
        storage.set_alarm(sockets::at(at)).await?;
        self.known.set(Some(at));
        Ok(())
    }

    /// The pending alarm fired at `now`, or was deleted: none is pending.
    pub fn none_since(&self, now: u64) {
        self.known.set(Some(now));
    }
}
