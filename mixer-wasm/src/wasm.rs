//! The wasm-bindgen layer: a [`Mixer`] with its audio buffers in wasm memory, for an AudioWorklet.
//!
//! JavaScript writes inputs into, and reads outputs and meters from, `Float32Array` views on
//! `memory.buffer` at the offsets `input_ptr`, `output_ptr` and `meter_ptr` give: no copy crosses
//! the boundary besides the one Web Audio's own channel arrays require. The views must be rebuilt
//! whenever `memory.buffer` changes (memory grew) and after `set_frames`. `process` never
//! allocates, so memory cannot grow during it. Frames (`at_frame`, `current_frame`) cross as `f64`,
//! exact to 2^53: a `u64` would arrive as a fresh BigInt on every block, garbage on the audio thread.

use lol_alloc::{AssumeSingleThreaded, FreeListAllocator};
use wasm_bindgen::prelude::*;

use crate::{Mixer, MixerConfig, MixerError, ToneSpec};

/// The allocator of the mixer's wasm: the mixer allocates only when it is built and when its block
/// size changes, never while it renders, so a small free-list allocator does; std's dlmalloc is
/// about 3 KiB of the gzipped wasm, lol_alloc's free list a fraction of that.
// SAFETY: wasm32-unknown-unknown without the atomics feature (how the mixer is built) has one thread.
#[global_allocator]
static ALLOCATOR: AssumeSingleThreaded<FreeListAllocator> =
    unsafe { AssumeSingleThreaded::new(FreeListAllocator::new()) };

/// Numbers per meter in the meter buffer: RMS, peak, voice (0 or 1), sanitised-sample count. The
/// buffer holds every input's meter, then every output's (after the limiter). The layout is the wire
/// contract's (`earshot_wire::meter`), which the health probe and the JavaScript read too.
pub use earshot_wire::meter::METER_FIELDS;
use earshot_wire::meter::{PEAK, RMS, SANITIZED, VOICE};

// Fixed texts: formatting numbers into messages would pull `core::fmt` into the binary.
impl From<MixerError> for JsValue {
    fn from(error: MixerError) -> JsValue {
        JsError::new(error.reason()).into()
    }
}

/// The mixer as JavaScript sees it. Gains are linear (the JS helper converts dB, which keeps `powf`
/// out of the binary); `ramp_ms` left `undefined` means the default ramp.
#[wasm_bindgen]
pub struct WasmMixer {
    mixer: Mixer,
    frames: usize,
    inputs: Vec<f32>,
    outputs: Vec<f32>,
    meters: Vec<f32>,
}

#[wasm_bindgen]
impl WasmMixer {
    /// A mixer for `inputs` × `outputs` at `sample_rate`, with buffers for blocks of `frames`, whose
    /// outputs are metered once every `output_meter_frames` (the meter events' interval).
    #[wasm_bindgen(constructor)]
    pub fn new(
        sample_rate: f32,
        inputs: usize,
        outputs: usize,
        frames: usize,
        output_meter_frames: u32,
    ) -> Result<WasmMixer, JsValue> {
        let config = MixerConfig { output_meter_frames, ..MixerConfig::new(sample_rate, inputs, outputs) };
        let mixer = Mixer::new(config)?;
        let mut mixer =
            WasmMixer { mixer, frames: 0, inputs: Vec::new(), outputs: Vec::new(), meters: Vec::new() };
        mixer.meters = vec![0.0; (inputs + outputs) * METER_FIELDS];
        mixer.set_frames(frames);
        Ok(mixer)
    }

    /// Sizes the buffers for blocks of `frames` (views must be rebuilt afterwards).
    pub fn set_frames(&mut self, frames: usize) {
        let config = self.mixer.config();
        self.frames = frames;
        self.inputs = vec![0.0; config.inputs * frames];
        self.outputs = vec![0.0; config.outputs * frames];
    }

    /// Frames per block the buffers hold.
    pub fn frames(&self) -> usize {
        self.frames
    }

    /// Byte offset of the planar input buffer (inputs × frames `f32`s) in wasm memory.
    pub fn input_ptr(&self) -> *const f32 {
        self.inputs.as_ptr()
    }

    /// Byte offset of the planar output buffer (outputs × frames `f32`s).
    pub fn output_ptr(&self) -> *const f32 {
        self.outputs.as_ptr()
    }

    /// Byte offset of the meter buffer ((inputs + outputs) × [`METER_FIELDS`] `f32`s), updated by
    /// `process`.
    pub fn meter_ptr(&self) -> *const f32 {
        self.meters.as_ptr()
    }

    /// Applies queued control messages and mixes one block, starting at `current_frame` (the
    /// worklet's `currentFrame`, the clock scheduled changes are on), from the input buffer to the
    /// output buffer. Returns a plain `bool` (false only if the buffers do not match `frames`, which
    /// `set_frames` rules out): a `Result` would come back as a fresh JS array on every block,
    /// garbage on the audio thread.
    pub fn process(&mut self, current_frame: f64) -> bool {
        self.mixer.set_clock(current_frame as u64);
        if self.mixer.process(&mut self.inputs, &mut self.outputs, self.frames).is_err() {
            return false;
        }
        let readings = self.mixer.meters().chain(self.mixer.output_meters());
        for (fields, reading) in self.meters.chunks_exact_mut(METER_FIELDS).zip(readings) {
            let mut meter = [0.0; METER_FIELDS];
            meter[RMS] = reading.rms;
            meter[PEAK] = reading.peak;
            meter[VOICE] = if reading.voice { 1.0 } else { 0.0 };
            meter[SANITIZED] = reading.sanitized as f32;
            fields.copy_from_slice(&meter);
        }
        true
    }

    /// Replaces the matrix: `gains` is row-major outputs × inputs (`gains[o * inputs + i]`), at
    /// `at_frame` (0 or a frame already rendered: at the next block).
    pub fn set_matrix(
        &mut self,
        outputs: usize,
        inputs: usize,
        gains: &[f32],
        ramp_ms: Option<f32>,
        at_frame: f64,
    ) -> Result<(), JsValue> {
        Ok(self.mixer.set_matrix_at(outputs, inputs, gains, ramp_ms, at_frame as u64)?)
    }

    /// Glides one cell to a linear gain, starting at `at_frame`.
    pub fn set_gain(
        &mut self,
        output: usize,
        input: usize,
        gain: f32,
        ramp_ms: Option<f32>,
        at_frame: f64,
    ) -> Result<(), JsValue> {
        Ok(self.mixer.set_gain_at(output, input, gain, ramp_ms, at_frame as u64)?)
    }

    /// Changes the default ramp.
    pub fn set_ramp_ms(&mut self, ramp_ms: f32) -> Result<(), JsValue> {
        Ok(self.mixer.set_ramp_ms(ramp_ms)?)
    }

    /// Plays a tone into the listed outputs.
    pub fn play_tone(
        &mut self,
        frequency_hz: f32,
        duration_ms: f32,
        gain: f32,
        fade_ms: f32,
        outputs: &[u32],
    ) -> Result<(), JsValue> {
        let spec = ToneSpec { frequency_hz, duration_ms, gain, fade_ms };
        let outputs: Vec<usize> = outputs.iter().map(|&output| output as usize).collect();
        Ok(self.mixer.play_tone(spec, &outputs)?)
    }

    /// Fades the tone out.
    pub fn stop_tone(&mut self) -> Result<(), JsValue> {
        Ok(self.mixer.stop_tone()?)
    }

    /// Changes the active size within capacity.
    pub fn resize(&mut self, inputs: usize, outputs: usize) -> Result<(), JsValue> {
        Ok(self.mixer.resize(inputs, outputs)?)
    }

    /// Frames every output comes out late: the limiter's look-ahead (72 at 48 kHz). A worklet can
    /// report it as its latency; below −1 dBFS an output is its mix delayed by exactly this much.
    pub fn latency_frames(&self) -> usize {
        self.mixer.latency_frames()
    }

    /// Current linear gain of a cell (`undefined` outside the active matrix).
    pub fn gain(&self, output: usize, input: usize) -> Option<f32> {
        self.mixer.gain(output, input)
    }
}
