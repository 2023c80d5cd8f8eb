//! The mixer's configuration: capacity, sample rate, default ramp and meter settings.

use crate::MixerError;

/// How a [`crate::Mixer`] is built. Capacity (inputs and outputs) is fixed for the mixer's life, as
/// an `AudioWorkletNode`'s inputs and outputs are; the active size can shrink and grow within it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixerConfig {
    /// Frames per second.
    pub sample_rate: f32,
    /// Most inputs the mixer can take.
    pub inputs: usize,
    /// Most outputs it can feed.
    pub outputs: usize,
    /// Default glide time of a gain change in milliseconds (10 ms unless set).
    pub ramp_ms: f32,
    /// Block RMS (linear) at or above which an input counts as voice: 0.0056, −45 dBFS, unless set
    /// (`db_to_gain` converts).
    pub voice_threshold: f32,
    /// How long the voice flag holds after the level drops, in milliseconds (300 unless set).
    pub voice_hangover_ms: f32,
    /// Most control messages queued between two blocks, and most changes scheduled for a later
    /// frame at once (256 unless set).
    pub queue_capacity: usize,
    /// Most matrices scheduled for a later frame at once (4 unless set): each holds a staged copy of
    /// the full matrix, allocated with the mixer.
    pub scheduled_matrices: usize,
    /// Outputs are metered on the block that completes each this many frames (0, the default: every
    /// block). A host that reads meters at a rate (the worklet: 20 Hz) sets its interval, so the
    /// pass over every output is made only when someone reads it.
    pub output_meter_frames: u32,
}

/// Largest number of inputs or of outputs.
pub const MAX_CHANNELS: usize = 1024;
/// Longest ramp in milliseconds.
pub const MAX_RAMP_MS: f32 = 10_000.0;

impl MixerConfig {
    /// A mixer of `inputs` × `outputs` at `sample_rate` with default ramp and meters.
    pub fn new(sample_rate: f32, inputs: usize, outputs: usize) -> MixerConfig {
        MixerConfig {
            sample_rate,
            inputs,
            outputs,
            ramp_ms: 10.0,
            voice_threshold: 0.005_623_413, // −45 dBFS

            voice_hangover_ms: 300.0,
            queue_capacity: 256,
            scheduled_matrices: 4,
            output_meter_frames: 0,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), MixerError> {
        let check = |ok: bool, what| if ok { Ok(()) } else { Err(MixerError::InvalidConfig(what)) };
        check((1.0..=768_000.0).contains(&self.sample_rate), "sample_rate must be 1..=768000")?;
        check((1..=MAX_CHANNELS).contains(&self.inputs), "inputs must be 1..=1024")?;
        check((1..=MAX_CHANNELS).contains(&self.outputs), "outputs must be 1..=1024")?;
        check((0.0..=MAX_RAMP_MS).contains(&self.ramp_ms), "ramp_ms must be 0..=10000")?;
        check((0.0..=1.0).contains(&self.voice_threshold), "voice_threshold must be 0..=1")?;
        check((0.0..=60_000.0).contains(&self.voice_hangover_ms), "voice_hangover_ms must be 0..=60000")?;
        check((1..=65_536).contains(&self.queue_capacity), "queue_capacity must be 1..=65536")?;
        check(self.scheduled_matrices <= 64, "scheduled_matrices must be 0..=64")
    }

    /// Milliseconds as a whole number of frames at this sample rate.
    pub(crate) fn frames(&self, ms: f32) -> u32 {
        (ms * self.sample_rate / 1000.0).round() as u32
    }
}
