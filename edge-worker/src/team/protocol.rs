//! The team socket's wire protocol (agents, supervisors and queued customers of one team).

use serde::{Deserialize, Serialize};

use crate::call::views::CallSummary;
use crate::protocol::ErrorReport;
use crate::settings::TeamSettings;

/// What a team member asks of the team object.
// Read by `crate::protocol::parse` from `{"type": ...}` frames (see `crate::protocol::Request`).
#[derive(Debug, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(tag = "type"))]
#[serde(rename_all = "snake_case")]
pub enum TeamRequest {
    Ping,
    /// Agent: ready for the next call, or not.
    SetAvailable {
        available: bool,
    },
    /// Supervisor: the team's disclosure setting for calls started from now on.
    SetConsentRequired {
        required: bool,
    },
    /// Supervisor: the team's early-barge guard and health thresholds for calls started from now on
    /// (the whole settings object; omitted fields take their defaults).
    SetSettings {
        settings: TeamSettings,
    },
}

/// An agent as the team feed shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentLine {
    pub id: String,
    pub name: String,
    pub available: bool,
    pub on_call: Option<String>,
    /// Since when the agent has been available (longest idle is assigned first).
    pub idle_since: Option<u64>,
}

/// A waiting customer as the team feed shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QueueLine {
    pub position: usize,
    pub label: String,
    pub queued_at: u64,
}

/// The whole console feed of a team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamFeed {
    pub team: String,
    pub consent_required: bool,
    pub settings: TeamSettings,
    pub calls: Vec<CallSummary>,
    pub agents: Vec<AgentLine>,
    pub queue: Vec<QueueLine>,
    /// Milliseconds the first customer in the queue has waited, at the time of sending.
    pub longest_wait_ms: u64,
}

impl crate::protocol::Request for TeamRequest {
    const UNIT_VARIANTS: &'static [&'static str] = &["ping"];
}

/// What the team object tells a member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TeamEvent {
    Welcome {
        team: String,
        you: String,
        role: earshot_policy::Role,
        heartbeat_ms: u64,
    },
    Pong,
    Ack {
        #[serde(rename = "ref")]
        reference: u64,
    },
    /// A request failed; the socket stays usable.
    Error(ErrorReport),
    /// Supervisors: the feed, pushed on every change (call-line changes paced, see `feed_pacer`).
    Feed(TeamFeed),
    /// Agents: your own state.
    AgentStatus {
        available: bool,
        on_call: Option<String>,
    },
    /// Agents: a call was assigned to you; open its socket.
    Ring {
        call_id: String,
        customer_label: String,
    },
    /// Queued customers: your place in line (1 is next).
    Queued {
        position: usize,
        queued_at: u64,
    },
    /// Queued customers: your call is ready; open its socket. The queue socket closes (1000).
    Assigned {
        call_id: String,
    },
}
