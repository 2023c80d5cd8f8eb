//! Decibel helpers: the user-facing unit for gains, converted to the linear factors the mixer applies.

/// Levels at or below this many dB are treated as silence (gain 0), so `-inf` and "very quiet" mute.
pub const MUTE_DB: f32 = -120.0;

/// Linear gain for a level in dB relative to unity (0 dB = 1.0, −6 dB ≈ 0.5); `MUTE_DB` or less is 0.
pub fn db_to_gain(db: f32) -> f32 {
    if db <= MUTE_DB {
        0.0
    } else {
        10f32.powf(db / 20.0)
    }
}

/// Level in dB of a linear gain or amplitude; 0 (or less) maps to `f32::NEG_INFINITY`.
pub fn gain_to_db(gain: f32) -> f32 {
    if gain <= 0.0 {
        f32::NEG_INFINITY
    } else {
        20.0 * gain.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_mutes() {
        assert_eq!(db_to_gain(0.0), 1.0);
        assert!((db_to_gain(-6.0206) - 0.5).abs() < 1e-4);
        assert!((gain_to_db(db_to_gain(-17.5)) + 17.5).abs() < 1e-4);
        assert_eq!(db_to_gain(f32::NEG_INFINITY), 0.0);
        assert_eq!(db_to_gain(MUTE_DB), 0.0);
        assert_eq!(gain_to_db(0.0), f32::NEG_INFINITY);
    }
}
