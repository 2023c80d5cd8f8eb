//! Earshot's call model and its one routing policy: who may do what in a call, and who hears whom.
//!
//! Everything here is pure (no I/O, no clocks): the edge worker holds a [`Call`], asks it to
//! authorize each request from a verified identity, and sends the agent hub the [`GainMatrix`] that
//! [`routing`] derives from the result. Clients never decide policy; they only apply matrices.
//!
//! The decisions this crate encodes (also in ARCHITECTURE.md):
//! - A supervisor listening in any mode hears the agent, the customer and every *other* supervisor
//!   whose voice is in the call (whisper, barge, takeover) — so a trainee monitoring hears the lead's
//!   coaching. A supervisor in monitor is heard by nobody.
//! - At most one supervisor holds takeover; a second takeover is refused, not silently swapped.
//! - A join tone (when the supervisor asks for one) goes to the agent when a supervisor starts
//!   listening or being heard by the agent, and to the customer only when the customer starts hearing
//!   them ([`join_tone`]).
//! - The matrix is derived from state alone, so a supervisor who leaves (or is dropped) during barge
//!   or takeover hands the call straight back to the agent.

mod join_tone;
mod model;
mod routing;
mod transitions;

pub use join_tone::{join_tone, ToneSound, JOIN_TONE};
pub use model::{Call, Consent, Mode, ModeSet, Party, RecordingPolicy, Role, Supervisor};
pub use routing::{routing, GainMatrix, Listener};
pub use transitions::{Actor, Refusal, Transition, MAX_SUPERVISORS};
