//! The mixer: an N × M matrix of ramped gains with sanitising, meters, a tone and limiters.
//!
//! Control methods (`set_matrix`, `set_gain`, `play_tone`, …) only validate and queue; `process`
//! applies the queue at the start of the block and renders it. `process` never allocates, locks or
//! panics: every buffer it touches was allocated by `new`, and it walks slices with iterators.
//!
//! Audio is planar: channel `c` of a buffer is `buffer[c * frames..(c + 1) * frames]`, for the full
//! capacity, whatever the active size (inactive outputs are written as silence).

use dasp::Sample;

use crate::config::{MixerConfig, MAX_RAMP_MS};
use crate::control::{Command, ControlQueue};
use crate::db::db_to_gain;
use crate::limiter::Limiter;
use crate::meter::{Meter, MeterReading};
use crate::ramp::{mix_row, Ramp};
use crate::sanitize::sanitize;
use crate::tone::{Tone, ToneSpec};
use crate::MixerError;

/// Largest gain a cell accepts: +24 dB.
pub const MAX_GAIN: f32 = 16.0;
/// Tones can be routed to the first this many outputs (their routes are a bitmask).
pub const MAX_TONE_OUTPUTS: usize = 64;
/// The tone is rendered through a stack buffer of this many frames, whatever the block size.
const TONE_CHUNK: usize = 128;

/// The gain-matrix mixer. See the crate documentation for an example.
#[derive(Debug)]
pub struct Mixer {
    config: MixerConfig,
    /// Active size, as the render side sees it.
    inputs: usize,
    outputs: usize,
    /// Active size once everything queued has been applied: what control calls are checked against.
    queued_inputs: usize,
    queued_outputs: usize,
    /// `cells[o * config.inputs + i]`: gain of input `i` in output `o`.
    cells: Vec<Ramp>,
    /// The matrix `SetMatrix` applies, same layout as `cells`, and its size.
    staged: Vec<f32>,
    staged_size: (usize, usize),
    ramp_frames: u32,
    queue: ControlQueue,
    meters: Vec<Meter>,
    tone: Tone,
    /// One look-ahead limiter per output (capacity).
    limiters: Vec<Limiter>,
}

impl Mixer {
    /// A mixer at full capacity with every cell muted.
    pub fn new(config: MixerConfig) -> Result<Mixer, MixerError> {
        config.validate()?;
        let cells = config.inputs * config.outputs;
        let meter = Meter::new(config.voice_threshold, config.frames(config.voice_hangover_ms));
        Ok(Mixer {
            inputs: config.inputs,
            outputs: config.outputs,
            queued_inputs: config.inputs,
            queued_outputs: config.outputs,
            cells: vec![Ramp::MUTED; cells],
            staged: vec![0.0; cells],
            staged_size: (config.outputs, config.inputs),
            ramp_frames: config.frames(config.ramp_ms),
            queue: ControlQueue::new(config.queue_capacity),
            meters: vec![meter; config.inputs],
            tone: Tone::new(config.sample_rate),
            limiters: (0..config.outputs).map(|_| Limiter::new(config.sample_rate)).collect(),
            config,
        })
    }

    /// The configuration the mixer was built with.
    pub fn config(&self) -> &MixerConfig {
        &self.config
    }

    /// Active inputs, as of the last processed block.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Active outputs, as of the last processed block.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The linear gain input `input` currently has in output `output` (mid-glide: the latest one).
    pub fn gain(&self, output: usize, input: usize) -> Option<f32> {
        self.cell(output, input).map(Ramp::current)
    }

    /// The gain that cell is gliding to.
    pub fn target_gain(&self, output: usize, input: usize) -> Option<f32> {
        self.cell(output, input).map(Ramp::target)
    }

    fn cell(&self, output: usize, input: usize) -> Option<&Ramp> {
        if output < self.outputs && input < self.inputs {
            self.cells.get(output * self.config.inputs + input)
        } else {
            None
        }
    }

    /// How many frames late every output sample comes out: the limiters' look-ahead (1.5 ms,
    /// 72 frames at 48 kHz). Below the ceiling an output is its mix delayed by exactly this much.
    pub fn latency_frames(&self) -> usize {
        self.limiters.first().map_or(0, Limiter::latency)
    }

    /// The gain the limiter of output `output` applied to its latest sample (1.0 when not limiting).
    pub fn limiter_gain(&self, output: usize) -> Option<f32> {
        self.limiters.get(..self.outputs)?.get(output).map(Limiter::gain)
    }

    /// The latest meter reading of input `input`.
    pub fn meter(&self, input: usize) -> Option<MeterReading> {
        self.meters.get(input).map(Meter::reading)
    }

    /// The latest meter readings of all inputs (capacity, inactive ones read zero).
    pub fn meters(&self) -> impl ExactSizeIterator<Item = MeterReading> + '_ {
        self.meters.iter().map(Meter::reading)
    }

    // ----- control side: validate, stage, queue -----

    /// Replaces the whole matrix: `gains[o * inputs + i]` is the linear gain of input `i` in output
    /// `o` (row-major, outputs × inputs, as earshot-policy's `GainMatrix::gains` flattened). The
    /// matrix's size becomes the active size. Glides over `ramp_ms`, or the default ramp if `None`.
    pub fn set_matrix(
        &mut self,
        outputs: usize,
        inputs: usize,
        gains: &[f32],
        ramp_ms: Option<f32>,
    ) -> Result<(), MixerError> {
        self.check_size(inputs, outputs)?;
        let expected = outputs * inputs;
        if gains.len() != expected {
            return Err(MixerError::MatrixSize { expected, actual: gains.len() });
        }
        gains.iter().try_for_each(|&gain| check_gain(gain))?;
        let ramp_frames = self.ramp(ramp_ms)?;
        self.has_room()?;
        let stride = self.config.inputs;
        for (staged, row) in self.staged.chunks_exact_mut(stride).zip(gains.chunks(inputs.max(1))) {
            staged[..row.len()].copy_from_slice(row);
        }
        self.staged_size = (outputs, inputs);
        (self.queued_outputs, self.queued_inputs) = (outputs, inputs);
        self.queue.push(Command::SetMatrix { ramp_frames })
    }

    /// Glides one cell to a linear `gain` over `ramp_ms` (default ramp if `None`).
    pub fn set_gain(
        &mut self,
        output: usize,
        input: usize,
        gain: f32,
        ramp_ms: Option<f32>,
    ) -> Result<(), MixerError> {
        check_index("output", output, self.queued_outputs)?;
        check_index("input", input, self.queued_inputs)?;
        check_gain(gain)?;
        let ramp_frames = self.ramp(ramp_ms)?;
        self.queue.push(Command::SetGain { output, input, gain, ramp_frames })
    }

    /// [`Mixer::set_gain`] with the gain in dB (`MUTE_DB` or less, or `-inf`, mutes).
    pub fn set_gain_db(
        &mut self,
        output: usize,
        input: usize,
        db: f32,
        ramp_ms: Option<f32>,
    ) -> Result<(), MixerError> {
        if db.is_nan() {
            return Err(MixerError::InvalidValue("gain in dB"));
        }
        self.set_gain(output, input, db_to_gain(db), ramp_ms)
    }

    /// Changes the default glide time of later gain changes.
    pub fn set_ramp_ms(&mut self, ramp_ms: f32) -> Result<(), MixerError> {
        let frames = self.ramp(Some(ramp_ms))?.unwrap_or(self.ramp_frames);
        self.queue.push(Command::SetRamp { frames })
    }

    /// Plays a tone into `outputs` (indices below [`MAX_TONE_OUTPUTS`]).
    pub fn play_tone(&mut self, spec: ToneSpec, outputs: &[usize]) -> Result<(), MixerError> {
        let nyquist = self.config.sample_rate / 2.0;
        let valid = spec.frequency_hz > 0.0
            && spec.frequency_hz < nyquist
            && (0.0..=1.0).contains(&spec.gain)
            && (0.0..=60_000.0).contains(&spec.duration_ms)
            && (0.0..=MAX_RAMP_MS).contains(&spec.fade_ms);
        if !valid {
            return Err(MixerError::InvalidValue("tone (frequency, gain, duration or fade)"));
        }
        let limit = self.queued_outputs.min(MAX_TONE_OUTPUTS);
        let mut route = 0u64;
        for &output in outputs {
            check_index("tone output", output, limit)?;
            route |= 1 << output;
        }
        self.queue.push(Command::PlayTone { spec, outputs: route })
    }

    /// Fades the tone out.
    pub fn stop_tone(&mut self) -> Result<(), MixerError> {
        self.queue.push(Command::StopTone)
    }

    /// Changes the active size. Cells that leave it are muted at once (ramp removed inputs to 0
    /// first if they may still sound); cells that enter it start muted.
    pub fn resize(&mut self, inputs: usize, outputs: usize) -> Result<(), MixerError> {
        self.check_size(inputs, outputs)?;
        self.queue.push(Command::Resize { inputs, outputs })?;
        (self.queued_outputs, self.queued_inputs) = (outputs, inputs);
        Ok(())
    }

    fn check_size(&self, inputs: usize, outputs: usize) -> Result<(), MixerError> {
        check_index("input count", inputs, self.config.inputs + 1)?;
        check_index("output count", outputs, self.config.outputs + 1)
    }

    fn ramp(&self, ramp_ms: Option<f32>) -> Result<Option<u32>, MixerError> {
        match ramp_ms {
            None => Ok(None),
            Some(ms) if (0.0..=MAX_RAMP_MS).contains(&ms) => Ok(Some(self.config.frames(ms))),
            Some(_) => Err(MixerError::InvalidValue("ramp time (0..=10000 ms)")),
        }
    }

    fn has_room(&self) -> Result<(), MixerError> {
        if self.queue.has_room() {
            Ok(())
        } else {
            Err(MixerError::QueueFull)
        }
    }

    // ----- render side -----

    /// Applies queued control messages, then mixes one block of `frames` frames from `inputs` into
    /// `outputs` (planar, capacity × frames each). Inputs are sanitised in place. Any `frames` works;
    /// short buffers are refused without touching anything.
    pub fn process(
        &mut self,
        inputs: &mut [f32],
        outputs: &mut [f32],
        frames: usize,
    ) -> Result<(), MixerError> {
        while let Some(command) = self.queue.pop() {
            self.apply(command);
        }
        let inputs = take_channels(inputs, self.config.inputs, frames)?;
        let outputs = take_channels(outputs, self.config.outputs, frames)?;
        if frames == 0 {
            return Ok(());
        }
        for (block, meter) in inputs.chunks_exact_mut(frames).zip(&mut self.meters).take(self.inputs) {
            let (stats, replaced) = sanitize(block);
            meter.update(stats, replaced);
        }
        let rows = self.cells.chunks_exact_mut(self.config.inputs);
        for (o, (out, row)) in outputs.chunks_exact_mut(frames).zip(rows).enumerate() {
            out.fill(f32::EQUILIBRIUM);
            if o < self.outputs {
                let active = row.get_mut(..self.inputs).unwrap_or_default();
                mix_row(active, inputs.chunks_exact(frames), out);
            }
        }
        self.mix_tone(outputs, frames);
        for (out, limiter) in outputs.chunks_exact_mut(frames).zip(&mut self.limiters).take(self.outputs) {
            limiter.process(out);
        }
        Ok(())
    }

    fn mix_tone(&mut self, outputs: &mut [f32], frames: usize) {
        if !self.tone.is_active() {
            return; // the common case, without zeroing the chunk below
        }
        let mut chunk = [0.0f32; TONE_CHUNK];
        let mut start = 0;
        while self.tone.is_active() && start < frames {
            let route = self.tone.route();
            let len = (frames - start).min(TONE_CHUNK);
            let written = self.tone.render(&mut chunk[..len]);
            let routed = outputs.chunks_exact_mut(frames).take(self.outputs.min(MAX_TONE_OUTPUTS));
            for (_, out) in routed.enumerate().filter(|(o, _)| route & (1 << o) != 0) {
                out.iter_mut().skip(start).zip(&chunk[..written]).for_each(|(out, tone)| *out += tone);
            }
            start += written;
        }
    }

    fn apply(&mut self, command: Command) {
        let stride = self.config.inputs;
        match command {
            Command::SetMatrix { ramp_frames } => {
                let (outputs, inputs) = self.staged_size;
                self.set_active(inputs, outputs);
                let ramp = ramp_frames.unwrap_or(self.ramp_frames);
                let rows = self.cells.chunks_exact_mut(stride).zip(self.staged.chunks_exact(stride));
                for (row, staged) in rows.take(outputs) {
                    row.iter_mut().zip(staged).take(inputs).for_each(|(cell, &gain)| cell.set(gain, ramp));
                }
            }
            // A later matrix may have shrunk the active size under a queued gain: cells outside it
            // stay muted.
            Command::SetGain { output, input, .. } if output >= self.outputs || input >= self.inputs => {}
            Command::SetGain { output, input, gain, ramp_frames } => {
                if let Some(cell) = self.cells.get_mut(output * stride + input) {
                    cell.set(gain, ramp_frames.unwrap_or(self.ramp_frames));
                }
            }
            Command::SetRamp { frames } => self.ramp_frames = frames,
            Command::PlayTone { spec, outputs } => self.tone.play(spec, outputs),
            Command::StopTone => self.tone.stop(),
            Command::Resize { inputs, outputs } => self.set_active(inputs, outputs),
        }
    }

    fn set_active(&mut self, inputs: usize, outputs: usize) {
        for (o, row) in self.cells.chunks_exact_mut(self.config.inputs).enumerate() {
            for (i, cell) in row.iter_mut().enumerate() {
                if o >= outputs || i >= inputs {
                    *cell = Ramp::MUTED;
                }
            }
        }
        self.meters.iter_mut().skip(inputs).for_each(Meter::reset);
        // Outputs leaving the active size drop what their delay lines still hold, so coming back
        // they start from silence (as their cells start muted).
        self.limiters.iter_mut().take(self.outputs).skip(outputs).for_each(Limiter::reset);
        (self.inputs, self.outputs) = (inputs, outputs);
    }
}

/// The first `channels × frames` samples of `buffer`, or why there are not enough.
fn take_channels(buffer: &mut [f32], channels: usize, frames: usize) -> Result<&mut [f32], MixerError> {
    let actual = buffer.len();
    let expected = channels.saturating_mul(frames);
    buffer.get_mut(..expected).ok_or(MixerError::BufferTooShort { expected, actual })
}

fn check_index(what: &'static str, value: usize, limit: usize) -> Result<(), MixerError> {
    if value < limit {
        Ok(())
    } else {
        Err(MixerError::OutOfRange { what, value, limit })
    }
}

fn check_gain(gain: f32) -> Result<(), MixerError> {
    if (0.0..=MAX_GAIN).contains(&gain) {
        Ok(())
    } else {
        Err(MixerError::InvalidValue("gain (linear, 0..=16)"))
    }
}
