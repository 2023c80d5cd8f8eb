//! The call room's wire protocol: one serde-tagged enum per direction, JSON text frames.
//!
//! Every client frame is `{"type": "...", "ref": 7, ...}`; `ref` is optional and echoed in the
//! `ack` or `error` that answers it, so a client can match replies to requests. Parsing never
//! panics: an oversize, non-UTF-8, malformed or unknown frame becomes a [`ProtocolError`] that the
//! room answers with an `error` event while the socket stays open.
//!
//! Over 400 lines with its tests: about 320 are the code, the rest the tests kept beside it, which
//! read best next to what they pin down.

use earshot_health::{Flag, HealthSample};
use earshot_policy::{GainMatrix, Listener, Mode, Party, Transition};
use serde::{Deserialize, Serialize};

use crate::call::audit::AuditRow;
use crate::error::ProtocolError;

/// Frames larger than this are refused unparsed (an SDP offer with candidates fits comfortably).
pub const MAX_FRAME_BYTES: usize = 32 * 1024;
/// Longest coaching text, in characters.
pub const MAX_COACHING_CHARS: usize = 1000;
/// Longest secure-pause reason, in characters.
pub const MAX_PAUSE_REASON_CHARS: usize = 200;
/// A level report names at most every party of a full call (agent, customer, four supervisors).
pub const MAX_LEVELS: usize = 6;

/// A client frame: the request plus its optional reference. Read by [`parse`], which takes `ref` out
/// of the frame before the request reads the rest: serde's `flatten` would buffer every frame once
/// more and put its buffering code (~2 KiB gzipped) into the size-budgeted bundle.
#[derive(Debug)]
pub struct Envelope<T> {
    pub reference: Option<u64>,
    pub body: T,
}

/// What a participant asks of the call room.
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(tag = "type"))]
#[serde(rename_all = "snake_case")]
pub enum CallRequest {
    /// Heartbeat; answered with `pong`. Any frame counts as a heartbeat, this one just has no effect.
    Ping,
    /// Supervisor: put yourself into `mode` (authorized by the routing policy). `tone` asks for a
    /// join tone ([`earshot_policy::join_tone`] decides who hears it); off unless asked for.
    /// `confirm` answers the early-barge guard: a barge or takeover in a call's first minutes (a team
    /// setting) is refused with `confirm_required` unless it is set.
    SetMode {
        mode: Mode,
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
        tone: bool,
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
        confirm: bool,
    },
    /// Supervisor: leave the call (hands any barge/takeover back to the agent).
    Leave,
    /// WebRTC offer/answer/ICE for a peer the star topology allows; `data` is relayed untouched.
    Signal {
        to: Party,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        data: serde_json::Value,
    },
    /// Customer: acknowledge the monitoring/recording disclosure.
    Consent,
    /// Agent: raise or lower a hand for help.
    RaiseHand { raised: bool },
    /// Supervisor: silent text coaching that only the agent receives.
    Coach { text: String },
    /// Agent: start or stop recording (starting waits for consent where required).
    SetRecording { active: bool },
    /// Agent or customer: hang up for everybody.
    EndCall,
    /// Agent (or its embedding app, on the agent's socket): start a secure pause while the customer
    /// gives card details. Until it ends nobody but the agent hears the customer, only the customer
    /// hears the agent, nothing is recorded and no health is reported; it ends by itself after the
    /// team's limit. `reason` (optional, at most 200 characters) goes into the audit trail.
    StartSecurePause {
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
        reason: Option<String>,
    },
    /// Agent: end the secure pause; supervisors' modes and the recording apply again.
    EndSecurePause,
    /// Agent (its hub): the last second of the call as the mixer's meters saw it, about once a
    /// second; the room raises and clears health flags from it.
    Health(HealthSample),
    /// Agent (its hub): every party's level now, relayed to the supervisors in the call for their
    /// meters; sent a few times a second while a supervisor is present.
    Levels(LevelReport),
}

impl CallRequest {
    /// Whether the request changes the call (and costs the rate limit more): a mode, consent, hand,
    /// coaching, recording or hang-up. Heartbeats, relayed signals and the hub's meter reports do not.
    pub fn changes_state(&self) -> bool {
        !matches!(
            self,
            CallRequest::Ping
                | CallRequest::Signal { .. }
                | CallRequest::Health(_)
                | CallRequest::Levels { .. }
        )
    }
}

/// The hub's meters of a moment, as it reports them and supervisors receive them: what each party
/// says (the mixer's inputs) and what each hears (its outputs, after the gains and the limiter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LevelReport {
    pub levels: Vec<PartyLevel>,
    /// What each listener hears; a hub from before output meters sends none.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<PartyLevel>>", optional))]
    pub hears: Vec<PartyLevel>,
}

/// One party's level in a `levels` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartyLevel {
    pub party: Party,
    /// dBFS; -90 or below is silence.
    pub db: f32,
}

/// Parses one text frame of the call protocol.
pub fn parse_request(text: &str) -> Result<Envelope<CallRequest>, ProtocolError> {
    parse(text)
}

/// A request enum of the wire: `{"type": "<variant>", ...fields}`. The enums derive serde's default
/// (externally tagged) form and [`parse`] turns the frame into it: `{"<variant>": {...fields}}`, or
/// the bare name for a variant without fields. serde's own `tag = "type"` would buffer every frame
/// in its `Content` tree first, whose code (~19 KB of wasm) the size-budgeted bundle does not need.
pub trait Request: for<'de> Deserialize<'de> {
    /// The variants without fields, which serde reads from the bare name (extra fields are ignored).
    const UNIT_VARIANTS: &'static [&'static str];
}

impl Request for CallRequest {
    const UNIT_VARIANTS: &'static [&'static str] =
        &["ping", "leave", "consent", "end_call", "end_secure_pause"];
}

/// Parses a frame of any tagged request enum, mapping serde's complaints onto protocol errors.
pub fn parse<T: Request>(text: &str) -> Result<Envelope<T>, ProtocolError> {
    use serde_json::Value;
    if text.len() > MAX_FRAME_BYTES {
        return Err(ProtocolError::Oversize { limit: MAX_FRAME_BYTES });
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|_| ProtocolError::Malformed { detail: "not JSON".into(), reference: None })?;
    let missing_type = |reference| ProtocolError::Malformed { detail: "missing \"type\"".into(), reference };
    let Value::Object(mut fields) = value else { return Err(missing_type(None)) };
    let given_ref = fields.remove("ref");
    let reference = given_ref.as_ref().and_then(Value::as_u64);
    let Some(Value::String(kind)) = fields.remove("type") else { return Err(missing_type(reference)) };
    if given_ref.is_some_and(|r| !r.is_null() && reference.is_none()) {
        let detail = format!("{kind}: ref must be a whole number");
        return Err(ProtocolError::Malformed { detail, reference: None });
    }
    let tagged = if T::UNIT_VARIANTS.contains(&kind.as_str()) {
        Value::String(kind.clone())
    } else {
        Value::Object([(kind.clone(), Value::Object(fields))].into_iter().collect())
    };
    // Read once: the request comes from the value already parsed, not from the text again.
    let body = serde_json::from_value(tagged).map_err(|err| {
        let detail = err.to_string();
        if detail.starts_with(&format!("unknown variant `{kind}`")) {
            ProtocolError::UnknownType { kind: kind.chars().take(40).collect(), reference }
        } else {
            ProtocolError::Malformed { detail: format!("{kind}: {}", trim_serde(&detail)), reference }
        }
    })?;
    Ok(Envelope { reference, body })
}

/// serde_json appends " at line 1 column N" to its messages; clients do not need it.
fn trim_serde(detail: &str) -> &str {
    detail.split(" at line ").next().unwrap_or(detail)
}

/// A member of the call as colleagues (agent and supervisors) see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub connected: bool,
}

/// A supervisor as colleagues see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupervisorView {
    pub id: String,
    pub name: String,
    pub mode: Mode,
}

/// The customer as colleagues see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerView {
    pub label: String,
    pub connected: bool,
    pub consent_required: bool,
    pub consent_given: bool,
    /// A phone caller (heard through the agent's hub): whether they consent by pressing 1, the
    /// team's setting when the call started (else by staying on the line). Absent for web customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub phone_press_one: Option<bool>,
}

/// The whole room as the agent and supervisors see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Roster {
    pub call_id: String,
    pub team: String,
    pub started_at: u64,
    pub agent: MemberView,
    pub customer: CustomerView,
    pub supervisors: Vec<SupervisorView>,
    pub help_raised: bool,
    pub recording: bool,
    /// A secure pause is running: when it started and when it ends by itself (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub secure_pause: Option<PauseView>,
}

/// A running secure pause as colleagues and the team's console see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PauseView {
    pub since: u64,
    pub until: u64,
}

/// Everything the customer is ever told about the call. It is a function of state the customer
/// may know (and hears anyway), so it cannot change when a supervisor joins, monitors, whispers or
/// leaves without having been audible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerStatus {
    pub agent_connected: bool,
    pub disclosure_required: bool,
    pub consent_given: bool,
    pub recording: bool,
    /// Display names of the supervisors the customer hears right now (barge or takeover), in join
    /// order; empty otherwise.
    pub speakers: Vec<String>,
    /// Whether the routing policy lets the customer hear the agent: false while a supervisor has
    /// taken over, so the customer's page can say whom they are talking to. The customer notices
    /// the agent falling silent anyway; this names nothing they could not hear.
    pub hears_agent: bool,
}

/// A failed request's answer, the same on call and team sockets:
/// `{"type":"error","ref":7,"code":"…","message":"…"}` (`ref` only when the request had one). An
/// error whose client acts on its particulars carries them in fields of their own (`confirm_required`:
/// `call_age_ms` and `guard_minutes`); the message is for people and may change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorReport {
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<u64>,
    pub code: String,
    pub message: String,
    /// `confirm_required`: how long the call has run, in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_age_ms: Option<u64>,
    /// `confirm_required`: the early-barge guard the call started with, in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard_minutes: Option<u32>,
}

impl From<&ProtocolError> for ErrorReport {
    fn from(error: &ProtocolError) -> Self {
        let (call_age_ms, guard_minutes) = match *error {
            ProtocolError::ConfirmRequired { call_age_ms, guard_minutes, .. } => {
                (Some(call_age_ms), Some(guard_minutes))
            }
            _ => (None, None),
        };
        ErrorReport {
            reference: error.reference(),
            code: error.code().to_owned(),
            message: error.to_string(),
            call_age_ms,
            guard_minutes,
        }
    }
}

/// Why the room sent an agent a new matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MatrixCause {
    #[serde(flatten)]
    pub transition: Transition,
    /// The supervisor's request `ref`, when the change answered one.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<u64>,
}

/// What the call room tells a participant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CallEvent {
    /// First frame on every socket: who you are in this call and how often to send `ping`.
    Welcome {
        call_id: String,
        you: String,
        role: earshot_policy::Role,
        heartbeat_ms: u64,
    },
    Pong,
    /// A request with a `ref` succeeded.
    Ack {
        #[serde(rename = "ref")]
        reference: u64,
    },
    /// A request failed; the socket stays usable.
    Error(ErrorReport),
    /// Agent and supervisors: the room changed.
    Roster(Roster),
    /// Agent only: the gain matrix to apply, with a revision that only grows.
    Matrix {
        rev: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<MatrixCause>,
        matrix: GainMatrix,
        /// Listeners (as in `matrix.listeners`) the hub plays a join tone to; omitted when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tone: Vec<Listener>,
    },
    /// Customer only: the customer's whole view of the call.
    Status(CustomerStatus),
    /// A relayed WebRTC message from an allowed peer.
    Signal {
        from: Party,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        data: serde_json::Value,
    },
    /// Agent only: silent coaching text.
    Coaching {
        from: String,
        name: String,
        text: String,
    },
    /// The call is over; the socket closes right after with code 1000.
    CallEnded {
        reason: String,
    },
    /// Supervisors in the call: every party's level, said and heard, as the hub measured it moments ago.
    Levels(LevelReport),
    /// A supervisor who just opened the call: its last minute of context (help, coaching, flags and
    /// supervisors' mode entries: audit rows at or after `since`, oldest first), and the health
    /// flags raised now; `names` gives every supervisor who was on the call, by id, so rows of one
    /// who has left still name them.
    Context {
        since: u64,
        events: Vec<AuditRow>,
        flags: Vec<Flag>,
        names: std::collections::BTreeMap<String, String>,
    },
    /// Supervisors in the call: context rows just written (the same kinds as `context`), so the
    /// panel stays live while they are on the call.
    ContextAdded {
        events: Vec<AuditRow>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::protocol::TeamRequest;

    /// Every variant serde knows, read from its "unknown variant" message.
    fn variants<T: Request + std::fmt::Debug>() -> Vec<String> {
        let message = serde_json::from_value::<T>("no_such_variant".into()).unwrap_err().to_string();
        message.split('`').skip(3).step_by(2).map(str::to_owned).collect()
    }

    /// `UNIT_VARIANTS` must name exactly the variants without fields: a frame with only its type then
    /// reads as its variant or fails for a missing field, never for the wrong shape.
    fn unit_variants_are_listed<T: Request + std::fmt::Debug>() {
        let all = variants::<T>();
        assert!(all.len() > 3, "{all:?}");
        for name in &all {
            if let Err(err) = parse::<T>(&format!(r#"{{"type":"{name}","ref":1,"extra":2}}"#)) {
                assert!(err.to_string().contains("missing field"), "{name}: {err}");
            }
        }
        assert!(T::UNIT_VARIANTS.iter().all(|unit| all.iter().any(|name| name == unit)));
    }

    #[test]
    fn every_request_variant_reads_from_its_type() {
        unit_variants_are_listed::<CallRequest>();
        unit_variants_are_listed::<TeamRequest>();
        let pause = parse_request(r#"{"type":"start_secure_pause"}"#).unwrap();
        assert_eq!(pause.body, CallRequest::StartSecurePause { reason: None });
        let ping = parse_request(r#"{"type":"ping","extra":true}"#).unwrap();
        assert_eq!((ping.reference, ping.body), (None, CallRequest::Ping));
        let bad_ref = parse_request(r#"{"type":"ping","ref":"seven"}"#).unwrap_err();
        assert!(bad_ref.to_string().contains("ref must be a whole number"), "{bad_ref}");
    }

    #[test]
    fn requests_parse_with_and_without_ref() {
        let frame = parse_request(r#"{"type":"set_mode","mode":"whisper","ref":3}"#).unwrap();
        assert_eq!(frame.reference, Some(3));
        assert!(matches!(
            frame.body,
            CallRequest::SetMode { mode: Mode::Whisper, tone: false, confirm: false }
        ));
        let frame =
            parse_request(r#"{"type":"set_mode","mode":"barge","tone":true,"confirm":true}"#).unwrap();
        assert!(matches!(frame.body, CallRequest::SetMode { mode: Mode::Barge, tone: true, confirm: true }));
        let frame = parse_request(
            r#"{"type":"health","window_ms":1000,"agent_talk_ms":400,"customer_talk_ms":0,"overtalk_ms":0,
                "silence_ms":0,"customer_db":null,"customer_baseline_db":-31.5,"agent_talk_total_ms":9000,
                "customer_talk_total_ms":7000}"#,
        )
        .unwrap();
        assert!(matches!(frame.body, CallRequest::Health(HealthSample { agent_talk_ms: 400, .. })));
        let frame = parse_request(
            r#"{"type":"levels","levels":[{"party":"customer","db":-20.5},{"party":{"supervisor":"s1"},"db":-90}]}"#,
        )
        .unwrap();
        let CallRequest::Levels(report) = frame.body else { panic!("not levels") };
        assert_eq!(report.levels[1].party, Party::Supervisor("s1".into()));
        assert!(report.hears.is_empty(), "a report without what parties hear still parses");
        let frame = parse_request(r#"{"type":"levels","levels":[],"hears":[{"party":"customer","db":-18}]}"#)
            .unwrap();
        let CallRequest::Levels(report) = frame.body else { panic!("not levels") };
        assert_eq!(report.hears, vec![PartyLevel { party: Party::Customer, db: -18.0 }]);
        let frame = parse_request(r#"{"type":"raise_hand","raised":true}"#).unwrap();
        assert!(matches!((frame.reference, frame.body), (None, CallRequest::RaiseHand { raised: true })));
        let frame =
            parse_request(r#"{"type":"signal","to":{"supervisor":"s1"},"data":{"sdp":"v=0"}}"#).unwrap();
        match frame.body {
            CallRequest::Signal { to, data } => {
                assert_eq!(to, Party::Supervisor("s1".into()));
                assert_eq!(data, serde_json::json!({"sdp": "v=0"}));
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn bad_frames_become_distinct_errors() {
        assert!(matches!(parse_request("{nope"), Err(ProtocolError::Malformed { .. })));
        assert!(matches!(
            parse_request(r#"{"ref":1}"#),
            Err(ProtocolError::Malformed { reference: Some(1), .. })
        ));
        assert_eq!(
            parse_request(r#"{"type":"shout","ref":2}"#).unwrap_err(),
            ProtocolError::UnknownType { kind: "shout".into(), reference: Some(2) }
        );
        let err = parse_request(r#"{"type":"set_mode","mode":"scream","ref":4}"#).unwrap_err();
        assert!(
            matches!(&err, ProtocolError::Malformed { reference: Some(4), detail } if detail.starts_with("set_mode: unknown variant")),
            "{err:?}"
        );
        let huge = format!(r#"{{"type":"coach","text":"{}"}}"#, "a".repeat(MAX_FRAME_BYTES));
        assert_eq!(parse_request(&huge).unwrap_err(), ProtocolError::Oversize { limit: MAX_FRAME_BYTES });
    }

    #[test]
    fn events_serialize_with_their_type_tag() {
        let report = ErrorReport {
            reference: Some(9),
            code: "refused".into(),
            message: "no".into(),
            ..Default::default()
        };
        let event = CallEvent::Error(report.clone());
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"type":"error","ref":9,"code":"refused","message":"no"}"#
        );
        let team = crate::team::protocol::TeamEvent::Error(ErrorReport { reference: None, ..report });
        assert_eq!(
            serde_json::to_string(&team).unwrap(),
            r#"{"type":"error","code":"refused","message":"no"}"#,
            "the same shape on team sockets, ref omitted when absent"
        );
        let status = CallEvent::Status(CustomerStatus {
            agent_connected: true,
            disclosure_required: false,
            consent_given: false,
            recording: false,
            speakers: vec![],
            hears_agent: true,
        });
        assert!(serde_json::to_string(&status)
            .unwrap()
            .starts_with(r#"{"type":"status","agent_connected":true"#));
    }
}
