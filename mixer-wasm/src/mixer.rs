//! The mixer: an N × M matrix of ramped gains with sanitising, meters, a tone and limiters.
//!
//! Control methods (`set_matrix`, `set_gain`, `play_tone`, …) only validate and queue; `process`
//! applies the queue at the start of the block and renders it. A matrix or gain change may name the
//! frame it is due at (`set_matrix_at`, `set_gain_at`): `process` then renders the block in spans and
//! applies the change at exactly that frame. `process` never allocates, locks or panics: every buffer
//! it touches was allocated by `new`, and it walks slices with iterators.
//!
//! Audio is planar: channel `c` of a buffer is `buffer[c * frames..(c + 1) * frames]`, for the full
//! capacity, whatever the active size (inactive outputs are written as silence).

use dasp::Sample;

use crate::config::{MixerConfig, MAX_RAMP_MS};
use crate::control::{Command, ControlQueue, Schedule, Timed};
use crate::db::db_to_gain;
use crate::lanes::stats;
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
    /// Matrices `SetMatrix` applies, each laid out as `cells`: slot 0 for changes due now (a later
    /// one overwrites it), then one slot per scheduled matrix in flight.
    staged: Vec<f32>,
    staged_sizes: Vec<(usize, usize)>,
    slot_free: Vec<bool>,
    ramp_frames: u32,
    queue: ControlQueue,
    schedule: Schedule,
    /// Commands with a frame of their own sent and not yet applied (the schedule's reserved room).
    scheduled: usize,
    /// Frame the next block starts at.
    clock: u64,
    meters: Vec<Meter>,
    /// Meters of the outputs as they leave the mixer (after the limiter): what each listener hears.
    output_meters: Vec<Meter>,
    /// Frames rendered since the outputs were last metered (see `MixerConfig::output_meter_frames`).
    since_output_meter: u32,
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
            staged: vec![0.0; cells * (1 + config.scheduled_matrices)],
            staged_sizes: vec![(config.outputs, config.inputs); 1 + config.scheduled_matrices],
            slot_free: vec![true; 1 + config.scheduled_matrices],
            ramp_frames: config.frames(config.ramp_ms),
            queue: ControlQueue::new(config.queue_capacity),
            schedule: Schedule::new(config.queue_capacity),
            scheduled: 0,
            clock: 0,
            meters: vec![meter.clone(); config.inputs],
            output_meters: vec![meter; config.outputs],
            since_output_meter: 0,
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

    /// The latest meter readings of all outputs after the limiter (capacity, inactive ones read zero;
    /// `sanitized` is always 0), as of the last block that metered them
    /// (`MixerConfig::output_meter_frames`).
    pub fn output_meters(&self) -> impl ExactSizeIterator<Item = MeterReading> + '_ {
        self.output_meters.iter().map(Meter::reading)
    }

    /// The frame the next block starts at: frames rendered since the start, or as last set.
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// Sets the frame the next block starts at, for a host with a clock of its own (an AudioWorklet's
    /// `currentFrame`), so frames given to `set_matrix_at` and `set_gain_at` are on that clock.
    pub fn set_clock(&mut self, frame: u64) {
        self.clock = frame;
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
        self.set_matrix_at(outputs, inputs, gains, ramp_ms, 0)
    }

    /// [`Mixer::set_matrix`] applied at frame `at` of the mixer's clock (see [`Mixer::clock`]); a
    /// frame already rendered means the next block's start. At most `scheduled_matrices` (config)
    /// scheduled matrices can wait at once. Indices of later calls are checked against this
    /// matrix's size at once, in the order of the calls.
    pub fn set_matrix_at(
        &mut self,
        outputs: usize,
        inputs: usize,
        gains: &[f32],
        ramp_ms: Option<f32>,
        at: u64,
    ) -> Result<(), MixerError> {
        self.check_size(inputs, outputs)?;
        let expected = outputs * inputs;
        if gains.len() != expected {
            return Err(MixerError::MatrixSize { expected, actual: gains.len() });
        }
        gains.iter().try_for_each(|&gain| check_gain(gain))?;
        let ramp_frames = self.ramp(ramp_ms)?;
        self.has_room(at)?;
        let slot = if at == 0 {
            0
        } else {
            let free = self.slot_free.iter().skip(1).position(|&free| free);
            free.map(|slot| slot + 1).ok_or(MixerError::ScheduleFull)?
        };
        let stride = self.config.inputs;
        let cells = stride * self.config.outputs;
        let staged = self.staged.chunks_exact_mut(cells).nth(slot).unwrap_or_default();
        for (staged, row) in staged.chunks_exact_mut(stride).zip(gains.chunks(inputs.max(1))) {
            staged[..row.len()].copy_from_slice(row);
        }
        // `get_mut`, not indexing: a bounds-check panic would pull `core::fmt` into the wasm.
        if let (Some(size), Some(free)) = (self.staged_sizes.get_mut(slot), self.slot_free.get_mut(slot)) {
            (*size, *free) = ((outputs, inputs), slot == 0);
        }
        (self.queued_outputs, self.queued_inputs) = (outputs, inputs);
        self.push(Timed { at, command: Command::SetMatrix { slot, ramp_frames } })
    }

    /// Glides one cell to a linear `gain` over `ramp_ms` (default ramp if `None`).
    pub fn set_gain(
        &mut self,
        output: usize,
        input: usize,
        gain: f32,
        ramp_ms: Option<f32>,
    ) -> Result<(), MixerError> {
        self.set_gain_at(output, input, gain, ramp_ms, 0)
    }

    /// [`Mixer::set_gain`] starting at frame `at` of the mixer's clock (the glide's first step lands
    /// on that frame; with no ramp the new gain does).
    pub fn set_gain_at(
        &mut self,
        output: usize,
        input: usize,
        gain: f32,
        ramp_ms: Option<f32>,
        at: u64,
    ) -> Result<(), MixerError> {
        check_index("output", output, self.queued_outputs)?;
        check_index("input", input, self.queued_inputs)?;
        check_gain(gain)?;
        let ramp_frames = self.ramp(ramp_ms)?;
        self.has_room(at)?;
        self.push(Timed { at, command: Command::SetGain { output, input, gain, ramp_frames } })
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
        self.push(Timed::now(Command::SetRamp { frames }))
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
        self.push(Timed::now(Command::PlayTone { spec, outputs: route }))
    }

    /// Fades the tone out.
    pub fn stop_tone(&mut self) -> Result<(), MixerError> {
        self.push(Timed::now(Command::StopTone))
    }

    /// Changes the active size. Cells that leave it are muted at once (ramp removed inputs to 0
    /// first if they may still sound); cells that enter it start muted.
    pub fn resize(&mut self, inputs: usize, outputs: usize) -> Result<(), MixerError> {
        self.check_size(inputs, outputs)?;
        self.push(Timed::now(Command::Resize { inputs, outputs }))?;
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

    /// Whether a command due at `at` fits in the queue and, if it names a frame, in the schedule.
    fn has_room(&self, at: u64) -> Result<(), MixerError> {
        if !self.queue.has_room() {
            Err(MixerError::QueueFull)
        } else if at > 0 && self.scheduled >= self.config.queue_capacity {
            Err(MixerError::ScheduleFull)
        } else {
            Ok(())
        }
    }

    fn push(&mut self, timed: Timed) -> Result<(), MixerError> {
        self.queue.push(timed)?;
        if timed.at > 0 {
            self.scheduled += 1;
        }
        Ok(())
    }

    // ----- render side -----

    /// Applies queued control messages, then mixes one block of `frames` frames from `inputs` into
    /// `outputs` (planar, capacity × frames each), applying scheduled changes at their frames and
    /// advancing the clock by `frames`. Inputs are sanitised in place. Any `frames` works; short
    /// buffers are refused without touching anything.
    pub fn process(
        &mut self,
        inputs: &mut [f32],
        outputs: &mut [f32],
        frames: usize,
    ) -> Result<(), MixerError> {
        let start = self.clock;
        self.drain(start);
        let inputs = take_channels(inputs, self.config.inputs, frames)?;
        let outputs = take_channels(outputs, self.config.outputs, frames)?;
        if frames == 0 {
            return Ok(());
        }
        for (block, meter) in inputs.chunks_exact_mut(frames).zip(&mut self.meters).take(self.inputs) {
            let (stats, replaced) = sanitize(block);
            meter.update(stats, replaced);
        }
        outputs.fill(f32::EQUILIBRIUM);
        // Render up to each scheduled frame inside the block, apply what is due there, go on.
        let end = start.saturating_add(frames as u64);
        let mut from = 0;
        loop {
            let due = self.schedule.next_at().filter(|&at| at < end);
            let to = due.map_or(frames, |at| (at.saturating_sub(start) as usize).clamp(from, frames));
            self.mix(inputs, outputs, frames, from, to);
            let Some(at) = due else { break };
            while let Some(command) = self.schedule.pop_due(at) {
                self.scheduled = self.scheduled.saturating_sub(1);
                self.apply(command);
            }
            from = to;
        }
        self.mix_tone(outputs, frames);
        for (out, limiter) in outputs.chunks_exact_mut(frames).zip(&mut self.limiters).take(self.outputs) {
            limiter.process(out);
        }
        self.since_output_meter = self.since_output_meter.saturating_add(frames as u32);
        if self.since_output_meter >= self.config.output_meter_frames {
            let elapsed = self.since_output_meter;
            for (block, meter) in outputs.chunks_exact(frames).zip(&mut self.output_meters).take(self.outputs)
            {
                meter.update_after(stats(block), 0, elapsed);
            }
            self.since_output_meter = 0;
        }
        self.clock = end;
        Ok(())
    }

    /// Applies what was sent for now (or for a frame already past) and files the rest by frame.
    fn drain(&mut self, start: u64) {
        while let Some(timed) = self.queue.pop() {
            if timed.at > start {
                // Cannot fail: `has_room` reserved a place for every scheduled command in flight.
                if self.schedule.insert(timed).is_err() {
                    self.scheduled = self.scheduled.saturating_sub(1);
                }
                continue;
            }
            if timed.at > 0 {
                self.scheduled = self.scheduled.saturating_sub(1);
            }
            self.apply(timed.command);
        }
        while let Some(command) = self.schedule.pop_due(start) {
            self.scheduled = self.scheduled.saturating_sub(1);
            self.apply(command);
        }
    }

    /// Adds frames `from..to` of every active cell's input into its output.
    #[inline(never)]
    fn mix(&mut self, inputs: &[f32], outputs: &mut [f32], frames: usize, from: usize, to: usize) {
        if from >= to {
            return;
        }
        let rows = self.cells.chunks_exact_mut(self.config.inputs).take(self.outputs);
        for (out, row) in outputs.chunks_exact_mut(frames).zip(rows) {
            let active = row.get_mut(..self.inputs).unwrap_or_default();
            let blocks = inputs.chunks_exact(frames).map(|block| block.get(from..to).unwrap_or_default());
            mix_row(active, blocks, out.get_mut(from..to).unwrap_or_default());
        }
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
            Command::SetMatrix { slot, ramp_frames } => {
                let Some(&(outputs, inputs)) = self.staged_sizes.get(slot) else { return };
                if let Some(free) = self.slot_free.get_mut(slot) {
                    *free = true;
                }
                self.set_active(inputs, outputs);
                let ramp = ramp_frames.unwrap_or(self.ramp_frames);
                let staged =
                    self.staged.chunks_exact(stride * self.config.outputs).nth(slot).unwrap_or_default();
                let rows = self.cells.chunks_exact_mut(stride).zip(staged.chunks_exact(stride));
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
            let outside = if o < outputs { row.get_mut(inputs..) } else { Some(row) };
            outside.unwrap_or_default().fill(Ramp::MUTED);
        }
        self.meters.iter_mut().skip(inputs).for_each(Meter::reset);
        self.output_meters.iter_mut().skip(outputs).for_each(Meter::reset);
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
