//! A call's persisted state ([`CallRecord`]) and what created it ([`CallInit`]): who may enter,
//! each participant's current session, and the matrix the policy routes from it.

use std::collections::BTreeMap;

use earshot_health::Flag;
use earshot_policy::{routing, Call, GainMatrix, Mode, Refusal, Role, Transition};
use earshot_wire::call_end::{CallFacts, CallSettings};
use serde::{Deserialize, Serialize};

use crate::auth::identity::Identity;
use crate::error::EdgeError;
use crate::settings::TeamSettings;

/// What creates a call: the team object (queue assignment) or an agent's own request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInit {
    pub call_id: String,
    pub team: String,
    pub agent_id: String,
    pub agent_name: String,
    pub agent_exempt_from: earshot_policy::ModeSet,
    pub consent_required: bool,
    /// The team's guard and health thresholds when the call started.
    pub settings: TeamSettings,
    /// The customer's label on consoles (their display name or a queue ticket).
    pub customer_label: String,
    /// A queued customer's token subject: their token carries no call id, so this admits them.
    pub customer_sub: Option<String>,
    pub started_at: u64,
    /// The customer is a phone caller, heard through the agent's hub: the agent's socket gives their
    /// consent for them (see [`crate::call::requests::consent`]).
    #[serde(default)]
    pub phone: bool,
}

impl CallInit {
    /// What the archive keeps of the call's start, for its summary when the call ends.
    pub fn facts(&self) -> CallFacts {
        CallFacts {
            call_id: self.call_id.clone(),
            team: self.team.clone(),
            agent_id: self.agent_id.clone(),
            agent_name: self.agent_name.clone(),
            customer_label: self.customer_label.clone(),
            started_at: self.started_at,
            settings: CallSettings { early_barge_minutes: self.settings.early_barge_minutes },
        }
    }
}

/// A call's whole persisted state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub init: CallInit,
    pub policy: Call,
    pub supervisor_names: BTreeMap<String, String>,
    pub agent_connected: bool,
    pub customer_connected: bool,
    /// When the agent's (customer's) socket went away; the call ends if they are not back within
    /// the grace period.
    pub agent_left_at: Option<u64>,
    pub customer_left_at: Option<u64>,
    pub help_raised: bool,
    /// Call-health flags raised now (the tracker behind them lives in memory, see [`crate::call::requests::health::observe`]).
    pub health_flags: Vec<Flag>,
    /// The matrix revision; grows by one whenever the matrix changes.
    pub rev: u64,
    /// The team-feed summary revision, so the team object can ignore a late, stale update.
    pub summary_rev: u64,
    /// Current connection number per party ([`earshot_policy::Party::key`]); a close from an older
    /// (replaced) socket is not a departure.
    pub sessions: BTreeMap<String, u64>,
    pub next_conn: u64,
    pub ended: Option<String>,
    /// The secure pause running now, if any (the policy's `paused` says the same for the matrix).
    #[serde(default)]
    pub pause: Option<SecurePause>,
}

/// A running secure pause: who started it, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurePause {
    pub since: u64,
    pub by: String,
    pub reason: String,
}

/// What admission decided for a participant, carried out when their socket is accepted
/// ([`crate::call::lifecycle::join`]): a supervisor's arrival is authorized once, here.
#[derive(Debug, Clone, PartialEq)]
pub struct Admission {
    /// A supervisor's arrival as the policy allowed it (present, in no mode); `None` for the agent
    /// and the customer.
    pub arrival: Option<Transition>,
}

impl CallRecord {
    pub fn new(init: CallInit) -> CallRecord {
        let mut policy = Call::new(init.team.clone());
        policy.agent_exempt_from = init.agent_exempt_from;
        policy.consent.required = init.consent_required;
        policy.recording.include_whisper = init.settings.record_whisper;
        CallRecord {
            init,
            policy,
            supervisor_names: BTreeMap::new(),
            agent_connected: false,
            customer_connected: false,
            agent_left_at: None,
            customer_left_at: None,
            help_raised: false,
            health_flags: Vec::new(),
            rev: 0,
            summary_rev: 0,
            sessions: BTreeMap::new(),
            next_conn: 1,
            ended: None,
            pause: None,
        }
    }

    /// Whether `identity` may open a socket in this call (checked before the upgrade is accepted), and
    /// what their arrival will change; valid until the record next changes.
    pub fn admit(&self, identity: &Identity) -> Result<Admission, EdgeError> {
        if self.ended.is_some() {
            return Err(EdgeError::Gone);
        }
        if identity.team != self.init.team {
            return Err(EdgeError::Forbidden("this call belongs to another team".into()));
        }
        match identity.role {
            Role::Customer => {
                let invited = identity.call.as_deref() == Some(self.init.call_id.as_str());
                let assigned = self.init.customer_sub.as_deref() == Some(identity.sub.as_str());
                if invited || assigned {
                    Ok(Admission { arrival: None })
                } else {
                    Err(EdgeError::Forbidden("this token does not admit you to this call".into()))
                }
            }
            Role::Agent if identity.sub == self.init.agent_id => Ok(Admission { arrival: None }),
            Role::Agent => Err(EdgeError::Forbidden("this call is another agent's".into())),
            Role::Supervisor => match self.policy.authorize(&identity.actor(), &identity.sub, Mode::None) {
                Ok(arrival) => Ok(Admission { arrival: Some(arrival) }),
                Err(Refusal::CallFull { max }) => Err(EdgeError::CallFull { max }),
                Err(refusal) => Err(EdgeError::Forbidden(refusal.to_string())),
            },
        }
    }

    /// Starts a new session for `identity`; returns its connection number.
    pub fn open_session(&mut self, identity: &Identity) -> u64 {
        let conn = self.next_conn;
        self.next_conn += 1;
        self.sessions.insert(identity.party().key(), conn);
        conn
    }

    /// Whether `conn` is still `identity`'s current session (not replaced by a newer socket).
    pub fn is_current(&self, identity: &Identity, conn: u64) -> bool {
        self.sessions.get(&identity.party().key()) == Some(&conn)
    }

    pub fn matrix(&self) -> GainMatrix {
        routing(&self.policy)
    }

    pub(crate) fn supervisor_name(&self, id: &str) -> String {
        self.supervisor_names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// How long the call has run at `now`, as "m:ss".
    pub(crate) fn age(&self, now: u64) -> String {
        let seconds = now.saturating_sub(self.init.started_at) / 1000;
        format!("{}:{:02}", seconds / 60, seconds % 60)
    }
}
