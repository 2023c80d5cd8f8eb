//! Live call health: what the agent's hub measures of a call each second, and the attention flags a
//! call object raises from those measurements.
//!
//! Two halves, one wire type between them:
//! - [`signals`] runs at the hub (compiled to wasm, fed by the mixer's per-input meters) and produces
//!   a [`HealthSample`] about once a second;
//! - [`flags`] runs in the call's Durable Object: it turns the stream of samples into flags with
//!   hysteresis (raised after the condition held for a while, cleared after it stayed away), under a
//!   team's [`HealthThresholds`].

pub mod flags;
pub mod sample;
pub mod signals;
#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
pub mod wasm;

pub use flags::{Flag, FlagChange, FlagKind, FlagTracker, HealthThresholds};
pub use sample::{HealthSample, SampleError};
pub use signals::{Levels, PartyMeter, SignalTracker};
