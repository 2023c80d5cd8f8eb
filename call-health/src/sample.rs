//! The health sample: what the hub reports of the last second of a call, and its validation (the
//! call object receives it from a browser, so it is untrusted input).

use serde::{Deserialize, Serialize};

/// Longest window a sample may cover; a hub that was throttled reports at most this much at once.
pub const MAX_WINDOW_MS: u32 = 5_000;
/// Levels are dBFS; anything outside this range is not a measurement.
pub const LEVEL_RANGE_DB: std::ops::RangeInclusive<f32> = -200.0..=20.0;

/// One window (about a second) of a call as the hub's meters saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HealthSample {
    /// Audio time this sample covers, in milliseconds.
    pub window_ms: u32,
    /// How long the agent spoke within the window.
    pub agent_talk_ms: u32,
    /// How long the customer spoke within the window.
    pub customer_talk_ms: u32,
    /// How long both spoke at once within the window.
    pub overtalk_ms: u32,
    /// How long nobody (agent or customer) has spoken, as of the window's end; it keeps growing across
    /// windows until somebody speaks.
    pub silence_ms: u32,
    /// The customer's speech level within the window in dBFS; `None` when they did not speak.
    pub customer_db: Option<f32>,
    /// The customer's usual speech level in dBFS (a slow running baseline); `None` until the hub has
    /// heard enough of them to know.
    pub customer_baseline_db: Option<f32>,
    /// Talk time since the call started, per party, in milliseconds.
    pub agent_talk_total_ms: u64,
    pub customer_talk_total_ms: u64,
}

/// Why a sample was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleError(pub String);

impl std::fmt::Display for SampleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SampleError {}

impl HealthSample {
    /// The agent's share of all talk so far (0–1); `None` before anybody spoke.
    pub fn agent_talk_ratio(&self) -> Option<f32> {
        let total = self.agent_talk_total_ms + self.customer_talk_total_ms;
        (total > 0).then(|| self.agent_talk_total_ms as f32 / total as f32)
    }

    /// Checks that the sample describes something that can happen.
    pub fn validate(&self) -> Result<(), SampleError> {
        let fail = |what: String| Err(SampleError(what));
        if self.window_ms == 0 || self.window_ms > MAX_WINDOW_MS {
            return fail(format!("window_ms must be 1-{MAX_WINDOW_MS}"));
        }
        for (name, value) in [
            ("agent_talk_ms", self.agent_talk_ms),
            ("customer_talk_ms", self.customer_talk_ms),
            ("overtalk_ms", self.overtalk_ms),
        ] {
            if value > self.window_ms {
                return fail(format!("{name} exceeds window_ms"));
            }
        }
        if self.overtalk_ms > self.agent_talk_ms.min(self.customer_talk_ms) {
            return fail("overtalk_ms exceeds a party's talk time".into());
        }
        for (name, level) in
            [("customer_db", self.customer_db), ("customer_baseline_db", self.customer_baseline_db)]
        {
            if level.is_some_and(|db| !LEVEL_RANGE_DB.contains(&db)) {
                return fail(format!("{name} must be a level in dBFS (-200 to 20)"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet_second() -> HealthSample {
        HealthSample {
            window_ms: 1000,
            agent_talk_ms: 0,
            customer_talk_ms: 0,
            overtalk_ms: 0,
            silence_ms: 1000,
            customer_db: None,
            customer_baseline_db: None,
            agent_talk_total_ms: 0,
            customer_talk_total_ms: 0,
        }
    }

    #[test]
    fn impossible_samples_are_refused_with_the_reason() {
        assert!(quiet_second().validate().is_ok());
        let bad = [
            HealthSample { window_ms: 0, ..quiet_second() },
            HealthSample { window_ms: MAX_WINDOW_MS + 1, ..quiet_second() },
            HealthSample { agent_talk_ms: 1001, ..quiet_second() },
            HealthSample { agent_talk_ms: 100, customer_talk_ms: 50, overtalk_ms: 80, ..quiet_second() },
            HealthSample { customer_db: Some(f32::NAN), ..quiet_second() },
            HealthSample { customer_baseline_db: Some(f32::INFINITY), ..quiet_second() },
            HealthSample { customer_db: Some(40.0), ..quiet_second() },
        ];
        for sample in bad {
            let error = sample.validate().expect_err("must be refused");
            assert!(!error.0.is_empty(), "{sample:?}");
        }
    }

    #[test]
    fn the_talk_ratio_is_the_agents_share_of_all_talk() {
        assert_eq!(quiet_second().agent_talk_ratio(), None);
        let sample =
            HealthSample { agent_talk_total_ms: 3000, customer_talk_total_ms: 1000, ..quiet_second() };
        assert_eq!(sample.agent_talk_ratio(), Some(0.75));
    }

    #[test]
    fn the_wire_form_is_flat_json() {
        let json = serde_json::to_value(quiet_second()).unwrap();
        assert_eq!(json["window_ms"], 1000);
        assert!(json["customer_db"].is_null());
        let back: HealthSample = serde_json::from_value(json).unwrap();
        assert_eq!(back, quiet_second());
    }
}
