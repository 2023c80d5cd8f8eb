//! The hub's wasm-bindgen layer (feature `wasm`, wasm32 only): `HealthProbe`, fed the mixer's raw
//! meter events on the main thread, giving a health sample about once a second and live levels.
//!
//! Kept small on purpose: samples leave as JSON written by hand ([`write_sample_json`]) and errors
//! are fixed texts, so neither serde_json nor `core::fmt` is linked in.

use wasm_bindgen::prelude::*;

use crate::signals::{write_sample_json, Levels, PartyMeter, SignalTracker, MAX_INPUTS};
use crate::HealthSample;

/// Numbers per input in the mixer's meter layout (the wire contract's): RMS, peak, voice (0 or 1),
/// sanitised count.
pub use earshot_wire::meter::METER_FIELDS;
use earshot_wire::meter::{RMS, VOICE};
/// The hub's inputs: the agent's microphone first, then the customer (then supervisor slots).
const AGENT: usize = 0;
const CUSTOMER: usize = 1;

/// A [`SignalTracker`] and [`Levels`] for one call at the hub.
#[wasm_bindgen]
pub struct HealthProbe {
    tracker: SignalTracker,
    levels: Levels,
    /// The sample the latest push completed, if it completed one.
    ready: Option<HealthSample>,
}

#[wasm_bindgen]
impl HealthProbe {
    /// A probe closing a window every `window_ms` (250–5000; 1000 is the default the JS helper
    /// passes) over `inputs` inputs (2–1024, clamped: agent and customer are always there).
    #[wasm_bindgen(constructor)]
    pub fn new(window_ms: u32, inputs: usize) -> HealthProbe {
        HealthProbe {
            tracker: SignalTracker::new(window_ms),
            levels: Levels::new(inputs.clamp(2, MAX_INPUTS)),
            ready: None,
        }
    }

    /// Takes in one meter event: `meters` in the mixer's layout, [`METER_FIELDS`] numbers per input
    /// (agent input 0, customer input 1), at `now_ms` (monotonic). Returns whether it completed a
    /// sample ([`HealthProbe::sample`]). Inputs missing from `meters` are silent, extra ones ignored;
    /// NaN, infinite or negative readings are silence; a voice field counts when it is at least 0.5.
    /// A length that is not a multiple of 4 is not a meter layout: it throws and changes nothing.
    pub fn push(&mut self, now_ms: f64, meters: &[f32]) -> Result<bool, JsError> {
        if !meters.len().is_multiple_of(METER_FIELDS) {
            return Err(JsError::new(
                "earshot-health: meters must hold 4 numbers per input (rms, peak, voice, sanitized)",
            ));
        }
        for (input, fields) in meters.chunks_exact(METER_FIELDS).enumerate() {
            self.levels.observe(input, fields[RMS]);
        }
        let party = |input: usize| {
            let fields = meters.chunks_exact(METER_FIELDS).nth(input);
            fields.map_or(PartyMeter::SILENT, |fields| PartyMeter::new(fields[RMS], fields[VOICE] >= 0.5))
        };
        self.ready = self.tracker.push(now_ms, party(AGENT), party(CUSTOMER));
        Ok(self.ready.is_some())
    }

    /// The sample the latest push completed, as JSON (the `HealthSample` wire form, levels to a
    /// hundredth of a dB); `undefined` when that push completed none.
    pub fn sample(&self) -> Option<String> {
        self.ready.as_ref().map(|sample| {
            let mut json = String::with_capacity(256);
            write_sample_json(sample, &mut json);
            json
        })
    }

    /// Each input's loudest level since the previous call, in dBFS (−90 for silence).
    pub fn levels(&mut self) -> Vec<f32> {
        self.levels.read()
    }

    /// The window length in use, in milliseconds.
    #[wasm_bindgen(getter, js_name = windowMs)]
    pub fn window_ms(&self) -> u32 {
        self.tracker.window_ms()
    }

    /// How many inputs the levels cover.
    #[wasm_bindgen(getter)]
    pub fn inputs(&self) -> usize {
        self.levels.len()
    }
}
