//! The join tone: which listeners hear a short beep when a supervisor's mode changes.
//!
//! The decision compares the routing matrix before and after the change, so it can never disagree
//! with who actually hears whom: the customer is toned only when the matrix starts sending them the
//! supervisor's voice (barge or takeover). A supervisor the customer does not hear never causes a
//! customer tone, because the tone itself would reveal them.

use crate::model::{Call, Party};
use crate::routing::{routing, Listener};

/// What the join tone sounds like where the hub plays it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneSound {
    pub frequency_hz: f32,
    pub duration_ms: u32,
    /// Peak level, dBFS.
    pub gain_db: f32,
}

/// The join tone: a short beep above the voice band's strongest frequencies, quiet under speech, so it
/// is noticed without masking what is said. The hub plays it (demo/js/hub.js, through the generated
/// demo/js/limits.js); the end-to-end tests listen for its frequency.
pub const JOIN_TONE: ToneSound = ToneSound { frequency_hz: 2600.0, duration_ms: 180, gain_db: -20.0 };

/// The listeners who hear a join tone when supervisor `id` goes from `before` to `after`.
///
/// - The agent, when the supervisor starts listening (absent or `none` before, any other mode after)
///   or starts being heard by the agent (e.g. monitor → whisper).
/// - The customer, only when the customer starts hearing the supervisor.
///
/// In that order; empty when nobody should hear one. Whether a tone was asked for at all is the
/// requester's choice, made before calling this.
pub fn join_tone(before: &Call, after: &Call, id: &str) -> Vec<Listener> {
    let source = Party::Supervisor(id.to_owned());
    let listening = |call: &Call| call.supervisor(id).is_some_and(|s| s.mode.listens());
    let (old, new) = (routing(before), routing(after));
    let starts_hearing = |listener: &Listener| !old.hears(listener, &source) && new.hears(listener, &source);
    let mut tone = Vec::new();
    if (!listening(before) && listening(after)) || starts_hearing(&Listener::Agent) {
        tone.push(Listener::Agent);
    }
    if starts_hearing(&Listener::Customer) {
        tone.push(Listener::Customer);
    }
    tone
}
