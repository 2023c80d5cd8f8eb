//! The edge's words to the archive about recordings: the permit describing a new take (the call
//! object writes it, the edge passes it on as the body of the client's `POST …/recordings`), a team's
//! new retention, and the hourly retention sweep.

use serde::{Deserialize, Serialize};

/// Where a team's new retention is posted ([`Retention`]).
pub const RETENTION_PATH: &str = "/internal/retention";
/// Where the cron trigger posts the retention sweep ([`Sweep`]).
pub const SWEEP_PATH: &str = "/internal/sweep";

/// A new take, as the call object described it from the call's state (never from the client).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TakePermit {
    pub agent_id: String,
    pub include_whisper: bool,
    /// How long the team keeps it, from its start.
    pub retention_ms: u64,
}

/// A team's new retention, in ms from a take's start (applies to the takes it already has).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    pub span_ms: u64,
}

/// The retention sweep, with the edge's clock.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    pub now: u64,
}
