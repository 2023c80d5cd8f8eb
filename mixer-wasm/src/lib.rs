//! Earshot's gain-matrix mixer: N inputs × M outputs of ramped gains, built on dasp.
//!
//! At the agent's browser it takes the agent's microphone, the customer and every supervisor as
//! inputs and feeds the agent's ears, the customer, each supervisor and the recording, by the matrix
//! the worker decides. The mixer knows no policy: it applies plain numeric matrices, outputs × inputs.
//!
//! Per block, in order: queued control messages are applied; active inputs are sanitised (NaN, ±Inf,
//! denormals replaced and counted) and metered (RMS, peak, voice activity); every active output is
//! the sum of its inputs times their gains, each gain gliding linearly to its target (10 ms by
//! default); the tone is added to its outputs; each output passes a look-ahead peak limiter with a
//! −1 dBFS ceiling (in [`limiter`]) and is metered as it leaves. The limiter delays every output by
//! its look-ahead ([`Mixer::latency_frames`], 1.5 ms); below the ceiling an output is its mix
//! delayed, bit for bit. A matrix or gain change may name the frame it is due at (`set_matrix_at`,
//! `set_gain_at`): the block is then rendered in spans and the change lands on exactly that frame.
//!
//! ```
//! use earshot_mixer::{Mixer, MixerConfig};
//!
//! let frames = 128;
//! let mut mixer = Mixer::new(MixerConfig::new(48_000.0, 2, 2)).unwrap();
//! // Output 0 hears input 1, output 1 hears input 0 at half gain; applied at the next block.
//! mixer.set_matrix(2, 2, &[0.0, 1.0, 0.5, 0.0], Some(0.0)).unwrap();
//! let mut inputs = vec![0.25; 2 * frames]; // planar: input 0, then input 1
//! let mut outputs = vec![0.0; 2 * frames];
//! mixer.process(&mut inputs, &mut outputs, frames).unwrap();
//! let late = mixer.latency_frames(); // 72: the limiter's look-ahead
//! assert_eq!((outputs[0], outputs[frames]), (0.0, 0.0));
//! assert_eq!((outputs[late], outputs[frames + late]), (0.25, 0.125));
//! ```
//!
//! On wasm32 the crate also builds the wasm-bindgen layer (`WasmMixer`) used by the AudioWorklet
//! processor of the `earshot-mixer` npm package.

pub mod config;
pub mod control;
pub mod db;
mod error;
pub mod lanes;
pub mod limiter;
pub mod meter;
mod mixer;
pub mod ramp;
pub mod sanitize;
pub mod tone;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::MixerConfig;
pub use db::{db_to_gain, gain_to_db};
pub use error::MixerError;
pub use meter::MeterReading;
pub use mixer::{Mixer, MAX_GAIN, MAX_TONE_OUTPUTS};
pub use tone::ToneSpec;
