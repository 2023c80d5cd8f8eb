//! A team's settings for the calls it starts: the early-barge guard, the call-health thresholds and
//! recording (whether whisper is recorded, how long recordings are kept).
//! Supervisors change them on the team socket; each new call takes a copy in its [`crate::call::record::CallInit`],
//! so a change applies from the next call on and a running call never changes rules under its people.

use earshot_health::HealthThresholds;
use serde::{Deserialize, Serialize};

/// Retention a team gets unless it chooses another (days).
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// The longest retention a team may choose (days): ten years.
pub const MAX_RETENTION_DAYS: u32 = 3_650;

/// How long a secure pause lasts unless the agent ends it sooner, unless a team sets another (s).
pub const DEFAULT_SECURE_PAUSE_LIMIT_S: u32 = 180;
/// The range a team may set the secure pause's limit in (s): long enough to read out a card, never
/// so long that a forgotten pause silences supervision and the recording for most of a call.
pub const SECURE_PAUSE_LIMIT_RANGE_S: std::ops::RangeInclusive<u32> = 2..=900;

/// The longest early-barge guard a team may set, in minutes.
pub const MAX_EARLY_BARGE_MINUTES: u32 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct TeamSettings {
    /// A barge or takeover within a call's first this-many minutes asks the supervisor to confirm;
    /// 0 turns the guard off.
    pub early_barge_minutes: u32,
    /// When the call-health flags are raised and cleared.
    pub health: HealthThresholds,
    /// Whether recordings carry supervisors' whisper (on the agent's channel only, never the
    /// customer's). Off unless the team turns it on.
    pub record_whisper: bool,
    /// How many days recordings are kept before the retention sweep deletes them (1-3650). A change
    /// applies to the team's existing recordings too.
    pub retention_days: u32,
    /// A secure pause ends by itself after this many seconds (2-900), if the agent has not ended it.
    pub secure_pause_limit_s: u32,
    /// A phone caller consents to being listened to by pressing 1 after the disclosure (true), or
    /// by staying on the line past it (false, the default: what callers expect of "this call may be
    /// monitored"). Web customers always click.
    pub phone_press_one: bool,
}

impl Default for TeamSettings {
    fn default() -> Self {
        TeamSettings {
            early_barge_minutes: 3,
            health: HealthThresholds::default(),
            record_whisper: false,
            retention_days: DEFAULT_RETENTION_DAYS,
            secure_pause_limit_s: DEFAULT_SECURE_PAUSE_LIMIT_S,
            phone_press_one: false,
        }
    }
}

impl TeamSettings {
    /// Checks settings a supervisor sent; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        if self.early_barge_minutes > MAX_EARLY_BARGE_MINUTES {
            return Err(format!("early_barge_minutes must be 0-{MAX_EARLY_BARGE_MINUTES}"));
        }
        if !(1..=MAX_RETENTION_DAYS).contains(&self.retention_days) {
            return Err(format!("retention_days must be 1-{MAX_RETENTION_DAYS}"));
        }
        if !SECURE_PAUSE_LIMIT_RANGE_S.contains(&self.secure_pause_limit_s) {
            let (low, high) = SECURE_PAUSE_LIMIT_RANGE_S.into_inner();
            return Err(format!("secure_pause_limit_s must be {low}-{high}"));
        }
        self.health.validate().map_err(|why| format!("health.{why}"))
    }

    /// The guard's length in milliseconds.
    pub fn early_barge_ms(&self) -> u64 {
        earshot_wire::call_end::early_barge_ms(self.early_barge_minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_their_defaults_and_bad_ones_are_named() {
        let settings: TeamSettings = serde_json::from_str(r#"{"health":{"dead_air_s":4}}"#).unwrap();
        assert_eq!(settings.early_barge_minutes, 3);
        assert_eq!(settings.health.dead_air_s, 4);
        assert_eq!(settings.early_barge_ms(), 180_000);
        let bad = TeamSettings { early_barge_minutes: 61, ..Default::default() };
        assert_eq!(bad.validate().unwrap_err(), "early_barge_minutes must be 0-60");
        let bad: TeamSettings = serde_json::from_str(r#"{"health":{"loud_db":1}}"#).unwrap();
        assert_eq!(bad.validate().unwrap_err(), "health.loud_db must be 3-40");
        assert_eq!((settings.record_whisper, settings.retention_days), (false, 90), "recording defaults");
        let bad = TeamSettings { retention_days: 0, ..Default::default() };
        assert_eq!(bad.validate().unwrap_err(), "retention_days must be 1-3650");
        assert_eq!(settings.secure_pause_limit_s, 180, "a secure pause ends after 3 minutes by default");
        let bad = TeamSettings { secure_pause_limit_s: 901, ..Default::default() };
        assert_eq!(bad.validate().unwrap_err(), "secure_pause_limit_s must be 2-900");
    }
}
