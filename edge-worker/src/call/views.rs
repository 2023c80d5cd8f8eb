//! What each party is shown of a call: the colleagues' roster, the team feed's line
//! ([`CallSummary`]) and the customer's status.
//!
//! The customer's whole view is [`customer_status`], and it reads nothing about supervisors except
//! those the customer hears; the customer is sent a status only when it changes
//! ([`crate::call::effects::apply`]). So no customer-bound message can follow a supervisor joining,
//! monitoring, whispering or leaving unheard: the invariant is structural, checked by the unit
//! tests of [`crate::call`] and by tests/worker.

use earshot_health::Flag;
use earshot_policy::{GainMatrix, Listener, Party};
use serde::{Deserialize, Serialize};

use crate::call::record::CallRecord;
use crate::protocol::{CustomerStatus, CustomerView, MemberView, PauseView, Roster, SupervisorView};

/// The live-call line a team's supervisors see on their console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CallSummary {
    pub call_id: String,
    pub rev: u64,
    pub agent_id: String,
    pub agent_name: String,
    pub agent_connected: bool,
    /// Whether the agent has ever joined: until then the call is ringing, and a disconnected agent
    /// is not "away" but has not answered yet.
    pub answered: bool,
    pub customer_label: String,
    pub customer_connected: bool,
    pub started_at: u64,
    pub supervisors: Vec<SupervisorView>,
    pub help_raised: bool,
    pub consent_required: bool,
    pub consent_given: bool,
    pub recording: bool,
    /// Call-health flags raised now (customer loud, overtalk, dead air, agent talking most).
    pub health_flags: Vec<Flag>,
    /// A secure pause is running (the console shows "secure pause" on the call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub secure_pause: Option<PauseView>,
}

impl CallRecord {
    pub fn roster(&self) -> Roster {
        Roster {
            call_id: self.init.call_id.clone(),
            team: self.init.team.clone(),
            started_at: self.init.started_at,
            agent: MemberView {
                id: self.init.agent_id.clone(),
                name: self.init.agent_name.clone(),
                connected: self.agent_connected,
            },
            customer: CustomerView {
                label: self.init.customer_label.clone(),
                connected: self.customer_connected,
                consent_required: self.policy.consent.required,
                consent_given: self.policy.consent.acknowledged,
                phone_press_one: self.init.phone.then_some(self.init.settings.phone_press_one),
            },
            supervisors: self.supervisor_views(),
            help_raised: self.help_raised,
            recording: self.policy.recording.active,
            secure_pause: self.pause_view(),
        }
    }
    /// The running secure pause, with the moment it ends by itself.
    pub fn pause_view(&self) -> Option<PauseView> {
        let limit_ms = u64::from(self.init.settings.secure_pause_limit_s) * 1000;
        self.pause.as_ref().map(|pause| PauseView { since: pause.since, until: pause.since + limit_ms })
    }
    fn supervisor_views(&self) -> Vec<SupervisorView> {
        self.policy
            .supervisors
            .iter()
            .map(|s| SupervisorView { id: s.id.clone(), name: self.supervisor_name(&s.id), mode: s.mode })
            .collect()
    }
    pub fn summary(&self) -> CallSummary {
        CallSummary {
            call_id: self.init.call_id.clone(),
            rev: self.summary_rev,
            agent_id: self.init.agent_id.clone(),
            agent_name: self.init.agent_name.clone(),
            agent_connected: self.agent_connected,
            // A departed agent keeps `agent_left_at` until they return, so this needs no new state.
            answered: self.agent_connected || self.agent_left_at.is_some(),
            customer_label: self.init.customer_label.clone(),
            customer_connected: self.customer_connected,
            started_at: self.init.started_at,
            supervisors: self.supervisor_views(),
            help_raised: self.help_raised,
            consent_required: self.policy.consent.required,
            consent_given: self.policy.consent.acknowledged,
            recording: self.policy.recording.active,
            health_flags: self.health_flags.clone(),
            secure_pause: self.pause_view(),
        }
    }
}

/// The customer's entire view, given the call's current `matrix` (computed once per change by the
/// caller). Supervisors appear only while the customer hears them.
pub fn customer_status(record: &CallRecord, matrix: &GainMatrix) -> CustomerStatus {
    CustomerStatus {
        agent_connected: record.agent_connected,
        disclosure_required: record.policy.consent.required,
        consent_given: record.policy.consent.acknowledged,
        recording: record.policy.recording.active,
        speakers: record
            .policy
            .supervisors
            .iter()
            .filter(|s| matrix.hears(&Listener::Customer, &Party::Supervisor(s.id.clone())))
            .map(|s| record.supervisor_name(&s.id))
            .collect(),
        hears_agent: matrix.hears(&Listener::Customer, &Party::Agent),
    }
}
