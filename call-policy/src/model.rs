//! The call model: roles, supervisor modes, capability sets and the state of one call.

use serde::{Deserialize, Serialize};

/// What a participant is in a call; carried in every verified token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Agent,
    Supervisor,
}

impl Role {
    /// The role's wire name (as serialized and stored).
    pub fn name(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
        }
    }
}

/// A supervisor's mode in a call, in the order supervisors usually escalate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Present (the agent sees them) but hearing nothing and heard by nobody.
    None,
    /// Hears agent and customer; nobody hears them.
    Monitor,
    /// Hears both; only the agent hears them.
    Whisper,
    /// Three-way: everybody hears everybody.
    Barge,
    /// Speaks to the customer in place of the agent; the agent still hears both.
    Takeover,
}

impl Mode {
    /// Every mode, `None` first.
    pub const ALL: [Mode; 5] = [Mode::None, Mode::Monitor, Mode::Whisper, Mode::Barge, Mode::Takeover];

    /// The mode's wire name (as serialized, stored and written in messages).
    pub fn name(self) -> &'static str {
        match self {
            Mode::None => "none",
            Mode::Monitor => "monitor",
            Mode::Whisper => "whisper",
            Mode::Barge => "barge",
            Mode::Takeover => "takeover",
        }
    }

    /// Whether a supervisor in this mode hears the call (and so is monitoring it).
    pub fn listens(self) -> bool {
        self != Mode::None
    }

    /// Whether the agent hears a supervisor in this mode.
    pub fn agent_hears(self) -> bool {
        matches!(self, Mode::Whisper | Mode::Barge | Mode::Takeover)
    }

    /// Whether the customer hears a supervisor in this mode.
    pub fn customer_hears(self) -> bool {
        matches!(self, Mode::Barge | Mode::Takeover)
    }

    fn bit(self) -> u8 {
        match self {
            Mode::None => 0,
            Mode::Monitor => 1,
            Mode::Whisper => 2,
            Mode::Barge => 4,
            Mode::Takeover => 8,
        }
    }
}

/// A set of listening modes: a supervisor's capabilities, or the modes an agent is exempt from.
/// Serialized as a list of mode names, e.g. `["monitor", "whisper"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "Vec<Mode>", try_from = "Vec<Mode>")]
pub struct ModeSet(u8);

impl ModeSet {
    pub const EMPTY: ModeSet = ModeSet(0);
    /// A monitor-only lead.
    pub const MONITOR_ONLY: ModeSet = ModeSet(1);
    /// A full supervisor: monitor, whisper, barge and takeover.
    pub const ALL: ModeSet = ModeSet(15);

    /// The set of the given modes; `Mode::None` adds nothing (it needs no capability).
    pub fn of(modes: &[Mode]) -> ModeSet {
        ModeSet(modes.iter().fold(0, |bits, mode| bits | mode.bit()))
    }

    pub fn contains(self, mode: Mode) -> bool {
        mode != Mode::None && self.0 & mode.bit() != 0
    }

    pub fn modes(self) -> impl Iterator<Item = Mode> {
        Mode::ALL.into_iter().filter(move |mode| self.contains(*mode))
    }
}

impl From<ModeSet> for Vec<Mode> {
    fn from(set: ModeSet) -> Self {
        set.modes().collect()
    }
}

impl TryFrom<Vec<Mode>> for ModeSet {
    type Error = &'static str;
    fn try_from(modes: Vec<Mode>) -> Result<Self, Self::Error> {
        if modes.contains(&Mode::None) {
            return Err("\"none\" is not a capability: list monitor, whisper, barge or takeover");
        }
        Ok(ModeSet::of(&modes))
    }
}

/// A party whose voice enters the mix (a source) or who listens to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Customer,
    Agent,
    /// A supervisor, by their participant id.
    Supervisor(String),
}

impl Party {
    /// The one spelling of who a party is, as a string: `agent`, `customer` or `supervisor:<id>`. The
    /// edge tracks each party's session under it; the demo names mixer slots with the same key
    /// (`partyKey` in demo/js/party.js mirrors this function).
    pub fn key(&self) -> String {
        match self {
            Party::Customer => "customer".to_owned(),
            Party::Agent => "agent".to_owned(),
            Party::Supervisor(id) => format!("supervisor:{id}"),
        }
    }
}

/// A supervisor present in a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supervisor {
    pub id: String,
    pub mode: Mode,
}

/// The customer-consent state of a call (all-party-consent jurisdictions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Consent {
    /// The team's setting: the customer must acknowledge a disclosure before anyone listens or records.
    pub required: bool,
    /// The customer's client acknowledged the disclosure.
    pub acknowledged: bool,
}

impl Consent {
    /// Whether monitoring (any listening mode) and recording may start.
    pub fn permits_listening(self) -> bool {
        !self.required || self.acknowledged
    }
}

/// What the recording feed carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecordingPolicy {
    /// The call is being recorded.
    pub active: bool,
    /// Whisper goes onto the agent's channel (a team setting, default off). Never the customer's.
    pub include_whisper: bool,
}

/// One call: the agent it is routed around, its team, its supervisors and their modes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub team: String,
    /// Listening modes supervisors may not use on this call's agent (e.g. "no barge on this agent").
    pub agent_exempt_from: ModeSet,
    pub consent: Consent,
    pub recording: RecordingPolicy,
    /// In join order; the matrix lists them in this order.
    pub supervisors: Vec<Supervisor>,
    /// A secure pause is running (the customer gives card details): the call is the agent and the
    /// customer alone, unheard by supervisors and unrecorded ([`crate::routing`] decides it).
    /// Supervisors keep their modes, which apply again when the pause ends.
    #[serde(default)]
    pub paused: bool,
}

impl Call {
    /// A call in `team` with no supervisor, no consent requirement and no recording.
    pub fn new(team: impl Into<String>) -> Call {
        Call {
            team: team.into(),
            agent_exempt_from: ModeSet::EMPTY,
            consent: Consent::default(),
            recording: RecordingPolicy::default(),
            supervisors: Vec::new(),
            paused: false,
        }
    }

    pub fn supervisor(&self, id: &str) -> Option<&Supervisor> {
        self.supervisors.iter().find(|s| s.id == id)
    }

    /// The supervisor holding takeover, if any.
    pub fn takeover_holder(&self) -> Option<&Supervisor> {
        self.supervisors.iter().find(|s| s.mode == Mode::Takeover)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_sets_serialize_as_mode_names() {
        let set = ModeSet::of(&[Mode::Whisper, Mode::Monitor]);
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"["monitor","whisper"]"#);
        let back: ModeSet = serde_json::from_str(r#"["barge","takeover"]"#).unwrap();
        assert_eq!(back, ModeSet::of(&[Mode::Barge, Mode::Takeover]));
        let err = serde_json::from_str::<ModeSet>(r#"["none"]"#).unwrap_err();
        assert!(err.to_string().contains("not a capability"), "{err}");
        assert!(serde_json::from_str::<ModeSet>(r#"["shout"]"#).is_err());
    }

    #[test]
    fn mode_set_presets() {
        assert_eq!(ModeSet::MONITOR_ONLY.modes().collect::<Vec<_>>(), vec![Mode::Monitor]);
        assert_eq!(ModeSet::ALL.modes().count(), 4);
        assert!(!ModeSet::ALL.contains(Mode::None));
        assert_eq!(ModeSet::of(&[Mode::None]), ModeSet::EMPTY);
    }

    #[test]
    fn parties_serialize_compactly() {
        let parties = [Party::Customer, Party::Agent, Party::Supervisor("s1".into())];
        assert_eq!(serde_json::to_string(&parties).unwrap(), r#"["customer","agent",{"supervisor":"s1"}]"#);
    }
}
