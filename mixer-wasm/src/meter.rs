//! Per-input meters: RMS and peak of each block, and a voice-activity flag with hangover.
//!
//! Readings are plain `Copy` values kept inside the mixer, so reading them never allocates. The
//! voice flag rises as soon as a block's RMS reaches the threshold and falls only after the input
//! has stayed below it for the hangover time, so pauses between words do not flicker it.

use dasp::Sample;

use crate::lanes::BlockStats;

/// What an input's meter saw in the most recent block.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MeterReading {
    /// Root mean square of the block (linear, 1.0 = full scale sine peak).
    pub rms: f32,
    /// Largest absolute sample of the block.
    pub peak: f32,
    /// Voice activity: the RMS reached the threshold within the hangover time.
    pub voice: bool,
    /// Samples replaced by sanitising since the mixer started (NaN, ±Inf, denormals, clamped).
    pub sanitized: u32,
}

/// One input's meter.
#[derive(Debug, Clone)]
pub struct Meter {
    reading: MeterReading,
    threshold: f32,
    hangover_frames: u32,
    hangover_left: u32,
}

impl Meter {
    /// A meter whose voice flag needs an RMS of at least `threshold` (linear) and holds for
    /// `hangover_frames` samples after the input drops below it.
    pub fn new(threshold: f32, hangover_frames: u32) -> Meter {
        Meter { reading: MeterReading::default(), threshold, hangover_frames, hangover_left: 0 }
    }

    /// The latest reading.
    pub fn reading(&self) -> MeterReading {
        self.reading
    }

    /// Takes in one sanitised block as [`crate::sanitize::sanitize`] measured it; `sanitized` is how
    /// many of its samples were replaced.
    pub fn update(&mut self, block: BlockStats, sanitized: u32) {
        self.update_after(block, sanitized, block.frames as u32);
    }

    /// [`Meter::update`] for a meter read only every `elapsed` frames: the block is the latest one,
    /// and the voice flag's hangover counts down all the frames since the previous reading.
    #[inline(never)] // called for inputs and outputs: one copy in the wasm
    pub fn update_after(&mut self, block: BlockStats, sanitized: u32, elapsed: u32) {
        let frames = block.frames;
        let rms = if frames == 0 { f32::EQUILIBRIUM } else { (block.sum_of_squares / frames as f32).sqrt() };
        self.hangover_left = if rms >= self.threshold {
            self.hangover_frames
        } else {
            self.hangover_left.saturating_sub(elapsed)
        };
        self.reading = MeterReading {
            rms,
            peak: block.peak,
            voice: self.hangover_left > 0,
            sanitized: self.reading.sanitized.saturating_add(sanitized),
        };
    }

    /// Forgets everything, as for an input that was just connected.
    pub fn reset(&mut self) {
        self.reading = MeterReading::default();
        self.hangover_left = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amplitude: f32, frames: usize) -> BlockStats {
        let block: Vec<f32> = (0..frames).map(|t| amplitude * (t as f32 * 0.1).sin()).collect();
        crate::lanes::stats(&block)
    }

    fn silence(frames: usize) -> BlockStats {
        BlockStats { frames, ..BlockStats::default() }
    }

    #[test]
    fn rms_and_peak_of_a_sine() {
        let mut meter = Meter::new(0.01, 100);
        meter.update(sine(0.5, 4096), 3);
        let reading = meter.reading();
        assert!((reading.rms - 0.5 / 2f32.sqrt()).abs() < 0.005, "{reading:?}");
        assert!((reading.peak - 0.5).abs() < 0.001, "{reading:?}");
        assert!(reading.voice);
        assert_eq!(reading.sanitized, 3);
    }

    #[test]
    fn voice_holds_for_the_hangover_then_falls() {
        let mut meter = Meter::new(0.01, 256);
        meter.update(sine(0.5, 128), 0);
        assert!(meter.reading().voice);
        meter.update(silence(128), 0);
        assert!(meter.reading().voice, "still within the hangover");
        meter.update(silence(128), 0);
        assert!(!meter.reading().voice, "hangover over");
        assert_eq!(meter.reading().rms, 0.0);
    }

    #[test]
    fn quiet_noise_is_not_voice_and_reset_clears() {
        let mut meter = Meter::new(0.01, 256);
        meter.update(sine(0.005, 128), 2);
        assert!(!meter.reading().voice);
        meter.reset();
        assert_eq!(meter.reading(), MeterReading::default());
    }
}
