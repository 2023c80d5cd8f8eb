//! An ended call as the call object sends it to the archive (`POST` [`summary_path`]): its facts
//! from the start and its whole audit trail, which ends with the `end` row (when and why). The
//! archive builds the call's summary for review and reports from it; the audit rows are also what
//! supervisors read live (`GET /api/calls/{id}/audit`, the `context` event).

use std::collections::BTreeMap;

use earshot_policy::{Mode, Role};
use serde::{Deserialize, Serialize};

/// The archive path an ended call's [`CallEnd`] is posted to.
pub fn summary_path(call_id: &str) -> String {
    format!("/internal/calls/{call_id}/summary")
}

/// The body of an ended call's notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallEnd {
    pub init: CallFacts,
    /// Supervisor names by id (everyone who was ever present).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    pub audit: Vec<AuditRow>,
}

/// The call's facts from its start (what the archive keeps of the call object's `CallInit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallFacts {
    pub call_id: String,
    pub team: String,
    pub agent_id: String,
    pub agent_name: String,
    pub customer_label: String,
    pub started_at: u64,
    /// The team's settings the call started with, as far as the archive reads them.
    pub settings: CallSettings,
}

/// What the archive reads of the team settings a call started with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallSettings {
    /// A barge or takeover in the call's first this-many minutes is an early barge (0: none is): the
    /// guard the edge applied to this call, so reports count exactly what the guard asked to confirm.
    pub early_barge_minutes: u32,
}

impl CallSettings {
    /// The early-barge window in milliseconds.
    pub fn early_barge_ms(&self) -> u64 {
        early_barge_ms(self.early_barge_minutes)
    }
}

/// An early-barge guard of `minutes`, in milliseconds: the one conversion the edge (its guard) and
/// the archive (its reports) both use.
pub fn early_barge_ms(minutes: u32) -> u64 {
    u64::from(minutes) * 60_000
}

/// One row of a call's audit trail (the call object's SQLite table), as stored, read back and sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditRow {
    pub seq: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    /// `join`, `rejoin`, `leave`, `mode_change`, `help`, `coaching`, `consent`, `recording`,
    /// `flag_raised`, `flag_cleared` or `end`.
    pub kind: String,
    pub actor: String,
    pub actor_role: Role,
    pub target: Option<String>,
    pub from_mode: Option<Mode>,
    pub to_mode: Option<Mode>,
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_back_as_sent() {
        let end = CallEnd {
            init: CallFacts {
                call_id: "c1".into(),
                team: "blue".into(),
                agent_id: "a1".into(),
                agent_name: "Ana".into(),
                customer_label: "Lee".into(),
                started_at: 1_800_000_000_000,
                settings: CallSettings { early_barge_minutes: 1 },
            },
            names: [("s1".to_owned(), "Sam".to_owned())].into(),
            audit: vec![AuditRow {
                seq: 1,
                at: 1_800_000_010_000,
                kind: "join".into(),
                actor: "s1".into(),
                actor_role: Role::Supervisor,
                target: Some("s1".into()),
                from_mode: None,
                to_mode: Some(Mode::None),
                detail: None,
            }],
        };
        let text = serde_json::to_string(&end).unwrap();
        assert_eq!(serde_json::from_str::<CallEnd>(&text).unwrap(), end);
        assert_eq!(end.init.settings.early_barge_ms(), 60_000);
        assert_eq!(summary_path("c1"), "/internal/calls/c1/summary");
    }
}
