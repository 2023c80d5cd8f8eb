//! The routing policy: who hears whom, as a gain matrix the agent hub applies.
//!
//! Implements the hearing matrix of the design brief for one agent, one customer and any number of
//! supervisors, plus the two recording channels. The matrix is derived from the call's state alone.
//!
//! During a secure pause the matrix is the plain two-party call and nothing else: the customer
//! hears the agent, the agent hears the customer, no supervisor hears or is heard by anyone and
//! both recording channels are silent — whatever modes the supervisors hold.

use serde::{Deserialize, Serialize};

use crate::model::{Call, Mode, Party};

/// An output of the agent hub's mix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Listener {
    Customer,
    Agent,
    Supervisor(String),
    /// Recording channel 1: the customer's voice only.
    RecordingCustomer,
    /// Recording channel 2: the call as the customer hears it (agent, barging or taking-over
    /// supervisors), plus whisper when the team records it. Never on the customer's channel.
    RecordingAgent,
}

impl Listener {
    fn of(party: &Party) -> Listener {
        match party {
            Party::Customer => Listener::Customer,
            Party::Agent => Listener::Agent,
            Party::Supervisor(id) => Listener::Supervisor(id.clone()),
        }
    }
}

/// Who hears whom: `gains[l][s]` is the linear gain of `sources[s]` in `listeners[l]`'s output.
///
/// Sources are the hub's inputs in order (agent mic, customer, each supervisor in join order);
/// listeners are its outputs (agent's ears, customer's feed, each supervisor's feed, then the two
/// recording channels).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GainMatrix {
    pub sources: Vec<Party>,
    pub listeners: Vec<Listener>,
    pub gains: Vec<Vec<f32>>,
}

impl GainMatrix {
    /// The gain of `source` in `listener`'s output; 0 for parties not in the matrix.
    pub fn gain(&self, listener: &Listener, source: &Party) -> f32 {
        let row = self.listeners.iter().position(|l| l == listener);
        let column = self.sources.iter().position(|s| s == source);
        match (row, column) {
            (Some(row), Some(column)) => self.gains[row][column],
            _ => 0.0,
        }
    }

    pub fn hears(&self, listener: &Listener, source: &Party) -> bool {
        self.gain(listener, source) > 0.0
    }

    /// The sources `listener` hears, in source order.
    pub fn heard_by(&self, listener: &Listener) -> Vec<&Party> {
        self.sources.iter().filter(|source| self.hears(listener, source)).collect()
    }
}

/// The one routing policy: the gain matrix for a call in its current state.
pub fn routing(call: &Call) -> GainMatrix {
    let supervisors = call.supervisors.iter().map(|s| Party::Supervisor(s.id.clone()));
    let sources: Vec<Party> = [Party::Agent, Party::Customer].into_iter().chain(supervisors).collect();
    let listeners: Vec<Listener> = sources
        .iter()
        .map(Listener::of)
        .chain([Listener::RecordingCustomer, Listener::RecordingAgent])
        .collect();
    let gains = listeners
        .iter()
        .map(|listener| {
            sources.iter().map(|source| if hears(call, listener, source) { 1.0 } else { 0.0 }).collect()
        })
        .collect();
    GainMatrix { sources, listeners, gains }
}

/// The mode of a supervisor source (a party that is not a supervisor has none).
fn mode_of(call: &Call, source: &Party) -> Option<Mode> {
    match source {
        Party::Supervisor(id) => call.supervisor(id).map(|s| s.mode),
        _ => None,
    }
}

fn hears(call: &Call, listener: &Listener, source: &Party) -> bool {
    if *listener == Listener::of(source) {
        return false; // nobody hears themselves
    }
    if call.paused {
        return matches!(
            (listener, source),
            (Listener::Customer, Party::Agent) | (Listener::Agent, Party::Customer)
        );
    }
    let source_mode = mode_of(call, source);
    let customer_hears = || match source {
        Party::Agent => call.takeover_holder().is_none(),
        Party::Customer => false,
        Party::Supervisor(_) => source_mode.is_some_and(Mode::customer_hears),
    };
    match listener {
        Listener::Customer => customer_hears(),
        Listener::Agent => match source {
            Party::Customer => true,
            _ => source_mode.is_some_and(Mode::agent_hears),
        },
        Listener::Supervisor(id) => {
            let listening = call.supervisor(id).is_some_and(|s| s.mode.listens());
            listening
                && match source {
                    Party::Agent | Party::Customer => true,
                    // Supervisors hear each other only when the other one's voice is in the call.
                    Party::Supervisor(_) => source_mode.is_some_and(Mode::agent_hears),
                }
        }
        Listener::RecordingCustomer => call.recording.active && *source == Party::Customer,
        Listener::RecordingAgent => {
            let whisper = source_mode == Some(Mode::Whisper) && call.recording.include_whisper;
            call.recording.active && (customer_hears() || whisper)
        }
    }
}
