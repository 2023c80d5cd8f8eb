//! The call room's logic, pure: the persisted [`CallRecord`], who may enter, and what each request
//! or departure changes. The Durable Object shell ([`crate::call::object`]) only loads the record,
//! calls in here, stores it and delivers the resulting [`Effects`].
//!
//! Every outgoing view is produced by diffing before and after a change ([`apply`]): the customer
//! receives a `status` event only when [`customer_status`] changes, and that function reads nothing
//! about supervisors except those the customer hears. So no customer-bound message can follow a
//! supervisor joining, monitoring, whispering or leaving unheard: the invariant is structural, and
//! the unit tests below and tests/worker check it.

use std::collections::BTreeMap;

use earshot_health::sample::LEVEL_RANGE_DB;
use earshot_health::{Flag, FlagChange, FlagTracker, HealthSample};
use earshot_policy::{join_tone, routing, Call, GainMatrix, Listener, Mode, Party, Refusal, Role};
use serde::{Deserialize, Serialize};

use crate::auth::identity::Identity;
use crate::call::audit::AuditEntry;
use crate::error::{close, EdgeError, ProtocolError};
use crate::protocol::{
    CallEvent, CallRequest, CustomerStatus, CustomerView, MatrixCause, MemberView, PartyLevel, Roster,
    SupervisorView, MAX_COACHING_CHARS, MAX_LEVELS,
};
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
    /// The team's guard and health thresholds when the call started (calls created before settings
    /// existed take the defaults).
    #[serde(default)]
    pub settings: TeamSettings,
    /// The customer's label on consoles (their display name or a queue ticket).
    pub customer_label: String,
    /// A queued customer's token subject: their token carries no call id, so this admits them.
    pub customer_sub: Option<String>,
    pub started_at: u64,
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
    /// Call-health flags raised now (the tracker behind them lives in memory, see [`observe_health`]).
    #[serde(default)]
    pub health_flags: Vec<Flag>,
    /// The matrix revision; grows by one whenever the matrix changes.
    pub rev: u64,
    /// The team-feed summary revision, so the team object can ignore a late, stale update.
    pub summary_rev: u64,
    /// Current connection number per participant key; a close from an older (replaced) socket is
    /// not a departure.
    pub sessions: BTreeMap<String, u64>,
    pub next_conn: u64,
    pub ended: Option<String>,
}

/// Who a room event goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Agent,
    Customer,
    Supervisor(String),
    /// Every supervisor present.
    Supervisors,
    /// The agent and every supervisor present.
    Colleagues,
    Everyone,
}

/// The live-call line a team's supervisors see on their console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallSummary {
    pub call_id: String,
    pub rev: u64,
    pub agent_id: String,
    pub agent_name: String,
    pub agent_connected: bool,
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
}

/// What one change produced, for the Durable Object to carry out in order.
#[derive(Debug, Default)]
pub struct Effects {
    pub events: Vec<(Recipient, CallEvent)>,
    pub audit: Vec<AuditEntry>,
    /// Sockets to close after the events are sent.
    pub closes: Vec<(Recipient, u16, String)>,
    /// Set when the team feed's line for this call changed.
    pub summary: Option<CallSummary>,
    pub ended: bool,
    cause: Option<MatrixCause>,
    /// Who hears a join tone with the new matrix (only ever set with a matrix change).
    tone: Vec<Listener>,
}

impl Effects {
    fn audit(&mut self, kind: &str, actor: &Identity, target: Option<&str>) -> &mut AuditEntry {
        self.audit.push(AuditEntry {
            kind: kind.to_owned(),
            actor: actor.sub.clone(),
            actor_role: actor.role,
            target: target.map(str::to_owned),
            from_mode: None,
            to_mode: None,
            detail: None,
        });
        self.audit.last_mut().expect("just pushed")
    }
}

/// The key a participant's sessions are tracked under.
pub fn participant_key(identity: &Identity) -> String {
    match identity.role {
        Role::Supervisor => format!("supervisor:{}", identity.sub),
        role => role.name().to_owned(),
    }
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
        }
    }

    /// Whether `identity` may open a socket in this call (checked before the upgrade is accepted).
    pub fn admit(&self, identity: &Identity) -> Result<(), EdgeError> {
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
                    Ok(())
                } else {
                    Err(EdgeError::Forbidden("this token does not admit you to this call".into()))
                }
            }
            Role::Agent if identity.sub == self.init.agent_id => Ok(()),
            Role::Agent => Err(EdgeError::Forbidden("this call is another agent's".into())),
            Role::Supervisor => match self.policy.authorize(&identity.actor(), &identity.sub, Mode::None) {
                Ok(_) => Ok(()),
                Err(Refusal::CallFull { max }) => Err(EdgeError::CallFull { max }),
                Err(refusal) => Err(EdgeError::Forbidden(refusal.to_string())),
            },
        }
    }

    /// Starts a new session for `identity`; returns its connection number.
    pub fn open_session(&mut self, identity: &Identity) -> u64 {
        let conn = self.next_conn;
        self.next_conn += 1;
        self.sessions.insert(participant_key(identity), conn);
        conn
    }

    /// Whether `conn` is still `identity`'s current session (not replaced by a newer socket).
    pub fn is_current(&self, identity: &Identity, conn: u64) -> bool {
        self.sessions.get(&participant_key(identity)) == Some(&conn)
    }

    pub fn matrix(&self) -> GainMatrix {
        routing(&self.policy)
    }

    fn supervisor_name(&self, id: &str) -> String {
        self.supervisor_names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

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
            },
            supervisors: self.supervisor_views(),
            help_raised: self.help_raised,
            recording: self.policy.recording.active,
        }
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
            customer_label: self.init.customer_label.clone(),
            customer_connected: self.customer_connected,
            started_at: self.init.started_at,
            supervisors: self.supervisor_views(),
            help_raised: self.help_raised,
            consent_required: self.policy.consent.required,
            consent_given: self.policy.consent.acknowledged,
            recording: self.policy.recording.active,
            health_flags: self.health_flags.clone(),
        }
    }

    /// How long the call has run at `now`, as "m:ss".
    fn age(&self, now: u64) -> String {
        let seconds = now.saturating_sub(self.init.started_at) / 1000;
        format!("{}:{:02}", seconds / 60, seconds % 60)
    }
}

/// The customer's entire view. Supervisors appear only while the customer hears them.
pub fn customer_status(record: &CallRecord) -> CustomerStatus {
    CustomerStatus {
        agent_connected: record.agent_connected,
        disclosure_required: record.policy.consent.required,
        consent_given: record.policy.consent.acknowledged,
        recording: record.policy.recording.active,
        speakers: record
            .policy
            .supervisors
            .iter()
            .filter(|s| s.mode.customer_hears())
            .map(|s| record.supervisor_name(&s.id))
            .collect(),
    }
}

/// Runs `change` on the record and turns what changed into events: a new matrix for the agent, a
/// new roster for colleagues, a new status for the customer, a new summary for the team feed.
pub fn apply(
    record: &mut CallRecord,
    change: impl FnOnce(&mut CallRecord, &mut Effects) -> Result<(), ProtocolError>,
) -> Result<Effects, ProtocolError> {
    let mut scratch = record.clone();
    let mut effects = Effects::default();
    change(&mut scratch, &mut effects)?;
    // Nothing is committed unless the change succeeded as a whole.
    let (matrix, roster, status) = (record.matrix(), record.roster(), customer_status(record));
    let flags = std::mem::take(&mut record.health_flags);
    *record = scratch;
    if record.matrix() != matrix {
        record.rev += 1;
        let event = CallEvent::Matrix {
            rev: record.rev,
            cause: effects.cause.take(),
            matrix: record.matrix(),
            tone: std::mem::take(&mut effects.tone),
        };
        effects.events.push((Recipient::Agent, event));
    }
    let roster_changed = record.roster() != roster;
    if roster_changed {
        effects.events.push((Recipient::Colleagues, CallEvent::Roster(record.roster())));
    }
    if roster_changed || record.health_flags != flags {
        record.summary_rev += 1;
        effects.summary = Some(record.summary());
    }
    if customer_status(record) != status {
        effects.events.push((Recipient::Customer, CallEvent::Status(customer_status(record))));
    }
    Ok(effects)
}

/// A participant's socket was accepted: mark them present and give them the current state.
pub fn join(record: &mut CallRecord, who: &Identity) -> Effects {
    let outcome = apply(record, |r, fx| {
        match who.role {
            Role::Agent => {
                fx.audit(if r.agent_left_at.is_some() { "rejoin" } else { "join" }, who, None);
                r.agent_connected = true;
                r.agent_left_at = None;
            }
            Role::Customer => {
                fx.audit(if r.customer_left_at.is_some() { "rejoin" } else { "join" }, who, None);
                r.customer_connected = true;
                r.customer_left_at = None;
            }
            Role::Supervisor => {
                let transition = r
                    .policy
                    .request_mode(&who.actor(), &who.sub, Mode::None)
                    .map_err(|refusal| ProtocolError::Refused { refusal, reference: None })?;
                r.supervisor_names.insert(who.sub.clone(), who.name.clone());
                let row = fx.audit("join", who, Some(&who.sub));
                row.from_mode = transition.from;
                row.to_mode = transition.to;
                fx.cause = Some(MatrixCause { transition, reference: None });
            }
        }
        Ok(())
    });
    // Admission already ran the same checks, so a refusal here means a race; report it as one.
    let mut effects = outcome.unwrap_or_else(|err| Effects {
        closes: vec![(recipient_of(who), close::FORBIDDEN, err.to_string())],
        ..Effects::default()
    });
    // The newcomer gets the full current state whether or not anything changed.
    match who.role {
        Role::Agent => {
            effects.events.push((Recipient::Agent, CallEvent::Roster(record.roster())));
            let matrix =
                CallEvent::Matrix { rev: record.rev, cause: None, matrix: record.matrix(), tone: Vec::new() };
            effects.events.push((Recipient::Agent, matrix));
        }
        Role::Supervisor => {
            effects.events.push((Recipient::Supervisor(who.sub.clone()), CallEvent::Roster(record.roster())));
        }
        Role::Customer => {
            effects.events.push((Recipient::Customer, CallEvent::Status(customer_status(record))));
        }
    }
    effects
}

/// A participant's current socket went away (closed, errored, dropped for silence, or left).
pub fn depart(record: &mut CallRecord, who: &Identity, now: u64, why: &str) -> Effects {
    record.sessions.remove(&participant_key(who));
    let outcome = apply(record, |r, fx| {
        match who.role {
            Role::Agent => {
                r.agent_connected = false;
                r.agent_left_at = Some(now);
            }
            Role::Customer => {
                r.customer_connected = false;
                r.customer_left_at = Some(now);
            }
            Role::Supervisor => {
                if let Ok(transition) = r.policy.leave(&who.sub) {
                    let row = fx.audit("leave", who, Some(&who.sub));
                    row.from_mode = transition.from;
                    row.detail = Some(why.to_owned());
                    fx.cause = Some(MatrixCause { transition, reference: None });
                }
                return Ok(());
            }
        }
        fx.audit("leave", who, None).detail = Some(why.to_owned());
        Ok(())
    });
    outcome.unwrap_or_default()
}

/// Ends the call for everybody.
pub fn end(record: &mut CallRecord, actor: &Identity, reason: &str) -> Effects {
    let mut effects = Effects::default();
    if record.ended.is_some() {
        return effects;
    }
    record.ended = Some(reason.to_owned());
    effects.audit("end", actor, None).detail = Some(reason.to_owned());
    effects.events.push((Recipient::Everyone, CallEvent::CallEnded { reason: reason.to_owned() }));
    effects.closes.push((Recipient::Everyone, close::NORMAL, "call ended".to_owned()));
    effects.ended = true;
    effects
}

/// Ends the call if the agent or the customer has been gone longer than `grace_ms`.
pub fn expire_grace(record: &mut CallRecord, now: u64, grace_ms: u64) -> Option<Effects> {
    let overdue = |left: Option<u64>| left.is_some_and(|at| now.saturating_sub(at) >= grace_ms);
    let system = Identity::system(&record.init.team);
    if overdue(record.agent_left_at) {
        Some(end(record, &system, "the agent did not reconnect in time"))
    } else if overdue(record.customer_left_at) {
        Some(end(record, &system, "the customer did not reconnect in time"))
    } else {
        None
    }
}

/// The earliest moment a grace period runs out, if one is running.
pub fn grace_deadline(record: &CallRecord, grace_ms: u64) -> Option<u64> {
    [record.agent_left_at, record.customer_left_at].into_iter().flatten().min().map(|at| at + grace_ms)
}

/// The hub's health sample ending at `now`: raises and clears flags through `tracker` (created from
/// the call's thresholds and its raised flags when the object has none in memory). A sample that
/// changes no flag changes nothing else either, so the object stores nothing for it.
pub fn observe_health(
    record: &mut CallRecord,
    tracker: &mut Option<FlagTracker>,
    sender: &Identity,
    sample: &HealthSample,
    reference: Option<u64>,
    now: u64,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Agent {
        return Err(ProtocolError::not_allowed("only the agent's hub reports call health", reference));
    }
    sample
        .validate()
        .map_err(|error| ProtocolError::Invalid { detail: format!("health: {error}"), reference })?;
    let tracker =
        tracker.get_or_insert_with(|| FlagTracker::resume(record.init.settings.health, &record.health_flags));
    let changes = tracker.observe(sample, now);
    if changes.is_empty() {
        // Most seconds: no flag changed, so neither did the record; skip the diff of every view.
        return Ok(Effects::default());
    }
    let raised = tracker.raised();
    let system = Identity::system(&record.init.team);
    apply(record, |r, fx| {
        for change in changes {
            let (kind, flag, detail) = match change {
                FlagChange::Raised(flag) => ("flag_raised", flag.kind, flag.note),
                FlagChange::Cleared { flag, at } => {
                    ("flag_cleared", flag.kind, format!("after {} s", at.saturating_sub(flag.since) / 1000))
                }
            };
            let target = serde_json::to_value(flag).ok().and_then(|v| v.as_str().map(str::to_owned));
            fx.audit(kind, &system, target.as_deref()).detail = Some(detail);
        }
        r.health_flags = raised;
        Ok(())
    })
}

/// Checks a hub's level report before it is relayed to the supervisors.
fn checked_levels(levels: Vec<PartyLevel>, reference: Option<u64>) -> Result<Vec<PartyLevel>, ProtocolError> {
    let invalid = |detail: &str| Err(ProtocolError::Invalid { detail: detail.to_owned(), reference });
    if levels.len() > MAX_LEVELS {
        return invalid("levels: at most one entry per party");
    }
    if levels.iter().any(|l| !LEVEL_RANGE_DB.contains(&l.db)) {
        return invalid("levels: db must be a level in dBFS (-200 to 20)");
    }
    Ok(levels)
}

fn recipient_of(who: &Identity) -> Recipient {
    match who.role {
        Role::Agent => Recipient::Agent,
        Role::Customer => Recipient::Customer,
        Role::Supervisor => Recipient::Supervisor(who.sub.clone()),
    }
}

/// Handles one parsed request from `sender`, arriving at `now`; `health` is the call's flag tracker
/// (see [`observe_health`]).
pub fn handle(
    record: &mut CallRecord,
    health: &mut Option<FlagTracker>,
    sender: &Identity,
    request: CallRequest,
    reference: Option<u64>,
    now: u64,
) -> Result<Effects, ProtocolError> {
    let not_allowed = |detail: &str| Err(ProtocolError::not_allowed(detail, reference));
    let mut effects = match request {
        CallRequest::Ping => {
            let mut effects = Effects::default();
            effects.events.push((recipient_of(sender), CallEvent::Pong));
            effects
        }
        CallRequest::SetMode { mode, tone, confirm } => apply(record, |r, fx| {
            let before = tone.then(|| r.policy.clone());
            let was_heard = r.policy.supervisor(&sender.sub).is_some_and(|s| s.mode.customer_hears());
            let transition = r
                .policy
                .request_mode(&sender.actor(), &sender.sub, mode)
                .map_err(|refusal| ProtocolError::Refused { refusal, reference })?;
            // The early-barge guard: checked after the policy, so nobody confirms what they may not do.
            let guard_ms = r.init.settings.early_barge_ms();
            let early =
                mode.customer_hears() && !was_heard && now.saturating_sub(r.init.started_at) < guard_ms;
            if early && !confirm {
                return Err(ProtocolError::ConfirmRequired {
                    detail: format!(
                        "this call is {} old; a {} in its first {} minutes needs confirming",
                        r.age(now),
                        mode.name(),
                        r.init.settings.early_barge_minutes
                    ),
                    reference,
                });
            }
            let row = fx.audit("mode_change", sender, Some(&sender.sub));
            row.from_mode = transition.from;
            row.to_mode = transition.to;
            if early {
                row.detail = Some(format!("early {} confirmed at {}", mode.name(), r.age(now)));
            }
            fx.cause = Some(MatrixCause { transition, reference });
            if let Some(before) = before {
                fx.tone = join_tone(&before, &r.policy, &sender.sub);
            }
            Ok(())
        })?,
        CallRequest::Leave => {
            if sender.role != Role::Supervisor {
                return not_allowed("only supervisors leave a running call; agents and customers end it");
            }
            let mut effects = depart(record, sender, 0, "left");
            effects.closes.push((recipient_of(sender), close::NORMAL, "left the call".into()));
            effects
        }
        CallRequest::Signal { to, data } => {
            let target = match (sender.role, &to) {
                (Role::Customer, Party::Agent) | (Role::Supervisor, Party::Agent) => {
                    record.agent_connected.then_some(Recipient::Agent)
                }
                (Role::Agent, Party::Customer) => record.customer_connected.then_some(Recipient::Customer),
                (Role::Agent, Party::Supervisor(id)) => {
                    record.policy.supervisor(id).map(|_| Recipient::Supervisor(id.clone()))
                }
                _ => return not_allowed("signaling goes only between the agent and each other party"),
            };
            let Some(target) = target else {
                return not_allowed("that peer is not connected");
            };
            let from = match sender.role {
                Role::Customer => Party::Customer,
                Role::Agent => Party::Agent,
                Role::Supervisor => Party::Supervisor(sender.sub.clone()),
            };
            let mut effects = Effects::default();
            effects.events.push((target, CallEvent::Signal { from, data }));
            effects
        }
        CallRequest::Consent => {
            if sender.role != Role::Customer {
                return not_allowed("only the customer acknowledges the disclosure");
            }
            apply(record, |r, fx| {
                if !r.policy.consent.acknowledged {
                    r.policy.consent.acknowledged = true;
                    fx.audit("consent", sender, None);
                }
                Ok(())
            })?
        }
        CallRequest::RaiseHand { raised } => {
            if sender.role != Role::Agent {
                return not_allowed("only the agent raises a hand");
            }
            apply(record, |r, fx| {
                if r.help_raised != raised {
                    r.help_raised = raised;
                    fx.audit("help", sender, None).detail =
                        Some(if raised { "raised" } else { "lowered" }.into());
                }
                Ok(())
            })?
        }
        CallRequest::Coach { text } => {
            if sender.role != Role::Supervisor || record.policy.supervisor(&sender.sub).is_none() {
                return not_allowed("only a supervisor in the call coaches");
            }
            let text = text.trim();
            if text.is_empty() || text.chars().count() > MAX_COACHING_CHARS {
                return Err(ProtocolError::Invalid {
                    detail: format!("coaching text must be 1-{MAX_COACHING_CHARS} characters"),
                    reference,
                });
            }
            let mut effects = Effects::default();
            effects.audit("coaching", sender, Some(&record.init.agent_id)).detail = Some(text.to_owned());
            let coaching = CallEvent::Coaching {
                from: sender.sub.clone(),
                name: sender.name.clone(),
                text: text.to_owned(),
            };
            effects.events.push((Recipient::Agent, coaching));
            effects
        }
        CallRequest::SetRecording { active } => {
            if sender.role != Role::Agent {
                return not_allowed("only the agent starts or stops recording");
            }
            apply(record, |r, fx| {
                if active {
                    r.policy
                        .authorize_recording()
                        .map_err(|refusal| ProtocolError::Refused { refusal, reference })?;
                }
                if r.policy.recording.active != active {
                    r.policy.recording.active = active;
                    fx.audit("recording", sender, None).detail =
                        Some(if active { "started" } else { "stopped" }.into());
                }
                Ok(())
            })?
        }
        CallRequest::Health(sample) => observe_health(record, health, sender, &sample, reference, now)?,
        CallRequest::Levels { levels } => {
            if sender.role != Role::Agent {
                return not_allowed("only the agent's hub reports levels");
            }
            let mut effects = Effects::default();
            let levels = checked_levels(levels, reference)?;
            effects.events.push((Recipient::Supervisors, CallEvent::Levels { levels }));
            effects
        }
        CallRequest::EndCall => {
            if sender.role == Role::Supervisor {
                return not_allowed("supervisors leave; the agent or the customer ends the call");
            }
            end(
                record,
                sender,
                &format!("ended by the {}", if sender.role == Role::Agent { "agent" } else { "customer" }),
            )
        }
    };
    if let Some(reference) = reference {
        effects.events.insert(0, (recipient_of(sender), CallEvent::Ack { reference }));
    }
    Ok(effects)
}

#[cfg(test)]
mod tests {
    use earshot_policy::ModeSet;

    use super::*;

    fn person(sub: &str, role: Role, capabilities: ModeSet) -> Identity {
        Identity {
            sub: sub.into(),
            name: format!("{sub} name"),
            role,
            team: "blue".into(),
            capabilities,
            exemptions: ModeSet::EMPTY,
            call: None,
            aud: "earshot".into(),
        }
    }

    /// Past the early-barge guard of a call started at 0.
    const LATER: u64 = 10 * 60_000;

    /// `handle` at [`LATER`], without a health tracker.
    fn request(
        record: &mut CallRecord,
        sender: &Identity,
        request: CallRequest,
        reference: Option<u64>,
    ) -> Result<Effects, ProtocolError> {
        handle(record, &mut None, sender, request, reference, LATER)
    }

    fn live_call() -> (CallRecord, Identity, Identity) {
        let init = CallInit {
            call_id: "c".repeat(64),
            team: "blue".into(),
            agent_id: "agent".into(),
            agent_name: "Ana".into(),
            agent_exempt_from: ModeSet::EMPTY,
            consent_required: false,
            settings: TeamSettings::default(),
            customer_label: "Lee".into(),
            customer_sub: None,
            started_at: 0,
        };
        let mut record = CallRecord::new(init);
        let agent = person("agent", Role::Agent, ModeSet::EMPTY);
        let customer =
            Identity { call: Some("c".repeat(64)), ..person("lee", Role::Customer, ModeSet::EMPTY) };
        join(&mut record, &agent);
        join(&mut record, &customer);
        (record, agent, customer)
    }

    fn to_customer(effects: &Effects) -> Vec<&CallEvent> {
        effects
            .events
            .iter()
            .filter(|(to, _)| matches!(to, Recipient::Customer | Recipient::Everyone))
            .map(|(_, event)| event)
            .collect()
    }

    #[test]
    fn unheard_supervisors_produce_no_customer_event_at_all() {
        let (mut record, _, _) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::ALL);
        let trainee = person("trainee", Role::Supervisor, ModeSet::MONITOR_ONLY);
        let mut all = vec![join(&mut record, &lead), join(&mut record, &trainee)];
        for mode in [Mode::Monitor, Mode::Whisper, Mode::None, Mode::Whisper] {
            all.push(request(&mut record, &lead, set_mode(mode, false), Some(1)).unwrap());
        }
        all.push(request(&mut record, &trainee, set_mode(Mode::Monitor, false), None).unwrap());
        all.push(request(&mut record, &lead, CallRequest::Coach { text: "hi".into() }, None).unwrap());
        all.push(depart(&mut record, &trainee, 5, "disconnected"));
        assert!(all.iter().all(|effects| to_customer(effects).is_empty()));
        // Two joins, four lead modes, the trainee's monitor and leave: eight matrices for the agent.
        assert_eq!(record.rev, 8, "yet the agent got a matrix for every change");
    }

    #[test]
    fn the_customer_learns_only_the_names_of_supervisors_they_hear() {
        let (mut record, _, _) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::ALL);
        join(&mut record, &lead);
        let barge = request(&mut record, &lead, set_mode(Mode::Barge, false), None).unwrap();
        match to_customer(&barge).as_slice() {
            [CallEvent::Status(status)] => assert_eq!(status.speakers, vec!["lead name".to_owned()]),
            other => panic!("customer got {other:?}"),
        }
        let takeover = request(&mut record, &lead, set_mode(Mode::Takeover, false), None).unwrap();
        assert!(to_customer(&takeover).is_empty(), "still the same speaker: nothing new to tell");
        let whisper = request(&mut record, &lead, set_mode(Mode::Whisper, false), None).unwrap();
        match to_customer(&whisper).as_slice() {
            [CallEvent::Status(status)] => assert!(status.speakers.is_empty()),
            other => panic!("customer got {other:?}"),
        }
    }

    #[test]
    fn a_join_tone_rides_on_the_agents_matrix_only_and_only_when_asked() {
        let (mut record, _, _) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::ALL);
        join(&mut record, &lead);
        let mut set = |mode, tone| {
            let effects =
                request(&mut record, &lead, CallRequest::SetMode { mode, tone, confirm: false }, None)
                    .unwrap();
            let tones: Vec<(&Recipient, &Vec<Listener>)> = effects
                .events
                .iter()
                .filter_map(|(to, event)| match event {
                    CallEvent::Matrix { tone, .. } => Some((to, tone)),
                    _ => None,
                })
                .collect();
            assert!(tones.iter().all(|(to, _)| **to == Recipient::Agent), "{tones:?}");
            let customer_frames = to_customer(&effects).len();
            (tones.first().map(|(_, tone)| (*tone).clone()).unwrap_or_default(), customer_frames)
        };
        assert_eq!(set(Mode::Monitor, true), (vec![Listener::Agent], 0), "joining to monitor: agent only");
        assert_eq!(set(Mode::Barge, true), (vec![Listener::Agent, Listener::Customer], 1));
        assert_eq!(set(Mode::Monitor, true), (vec![], 1), "stepping back: no tone, speakers emptied");
        assert_eq!(set(Mode::Whisper, false), (vec![], 0), "not asked for: no tone");
        assert_eq!(set(Mode::None, true), (vec![], 0));
    }

    #[test]
    fn signaling_follows_the_star() {
        let (mut record, agent, customer) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::ALL);
        join(&mut record, &lead);
        let data = serde_json::json!({ "sdp": "x" });
        let send = |record: &mut CallRecord, from: &Identity, to: Party| {
            request(record, from, CallRequest::Signal { to, data: data.clone() }, None).map(|fx| fx.events)
        };
        assert!(send(&mut record, &customer, Party::Supervisor("lead".into())).is_err());
        assert!(send(&mut record, &lead, Party::Customer).is_err());
        assert!(send(&mut record, &customer, Party::Customer).is_err());
        let relayed = send(&mut record, &agent, Party::Supervisor("lead".into())).unwrap();
        assert!(
            matches!(relayed.as_slice(), [(Recipient::Supervisor(id), CallEvent::Signal { from: Party::Agent, .. })] if id == "lead")
        );
        let relayed = send(&mut record, &lead, Party::Agent).unwrap();
        assert!(matches!(
            relayed.as_slice(),
            [(Recipient::Agent, CallEvent::Signal { from: Party::Supervisor(_), .. })]
        ));
    }

    #[test]
    fn a_refused_change_leaves_the_record_untouched() {
        let (mut record, _, customer) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::MONITOR_ONLY);
        join(&mut record, &lead);
        let before = record.clone();
        let refused = request(&mut record, &lead, set_mode(Mode::Barge, false), Some(3)).unwrap_err();
        assert_eq!(refused.code(), "missing_capability");
        assert_eq!(refused.reference(), Some(3));
        assert!(request(&mut record, &customer, set_mode(Mode::Monitor, false), None).is_err());
        assert_eq!(record, before);
    }

    #[test]
    fn a_vanished_agent_has_a_grace_period() {
        let (mut record, agent, _) = live_call();
        depart(&mut record, &agent, 1_000, "disconnected");
        assert_eq!(grace_deadline(&record, 30_000), Some(31_000));
        assert!(expire_grace(&mut record, 30_999, 30_000).is_none());
        join(&mut record, &agent);
        assert_eq!(grace_deadline(&record, 30_000), None, "back in time: the call goes on");
        depart(&mut record, &agent, 40_000, "disconnected");
        let ended = expire_grace(&mut record, 70_000, 30_000).unwrap();
        assert!(ended.ended && record.ended.is_some());
        assert_eq!(record.admit(&agent), Err(EdgeError::Gone));
    }

    fn set_mode(mode: Mode, confirm: bool) -> CallRequest {
        CallRequest::SetMode { mode, tone: false, confirm }
    }

    #[test]
    fn barging_in_a_calls_first_minutes_needs_confirming_and_is_audited_as_early() {
        let (mut record, _, _) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::ALL);
        join(&mut record, &lead);
        let minute = 60_000;
        for mode in [Mode::Monitor, Mode::Whisper] {
            handle(&mut record, &mut None, &lead, set_mode(mode, false), None, minute).expect("not guarded");
        }
        let before = record.clone();
        for mode in [Mode::Barge, Mode::Takeover] {
            let refused =
                handle(&mut record, &mut None, &lead, set_mode(mode, false), Some(4), minute).unwrap_err();
            assert_eq!((refused.code(), refused.reference()), ("confirm_required", Some(4)));
            assert!(refused.to_string().contains("1:00 old"), "{refused}");
            assert_eq!(record, before, "a refused request changes nothing");
        }
        let barge = handle(&mut record, &mut None, &lead, set_mode(Mode::Barge, true), None, minute).unwrap();
        assert_eq!(barge.audit[0].detail.as_deref(), Some("early barge confirmed at 1:00"));
        // Already heard by the customer: going on to takeover is not a new barge.
        let takeover =
            handle(&mut record, &mut None, &lead, set_mode(Mode::Takeover, false), None, minute).unwrap();
        assert_eq!(takeover.audit[0].detail, None);
        // Past the guard (three minutes by default), nobody is asked.
        handle(&mut record, &mut None, &lead, set_mode(Mode::Monitor, false), None, minute).unwrap();
        handle(&mut record, &mut None, &lead, set_mode(Mode::Barge, false), None, 3 * minute).unwrap();
        // A team that turned the guard off.
        let (mut record, _, _) = live_call();
        record.init.settings.early_barge_minutes = 0;
        join(&mut record, &lead);
        handle(&mut record, &mut None, &lead, set_mode(Mode::Barge, false), None, 1).unwrap();
    }

    fn second(customer_db: f32) -> HealthSample {
        HealthSample {
            window_ms: 1000,
            agent_talk_ms: 300,
            customer_talk_ms: 600,
            overtalk_ms: 0,
            silence_ms: 0,
            customer_db: Some(customer_db),
            customer_baseline_db: Some(-30.0),
            agent_talk_total_ms: 10_000,
            customer_talk_total_ms: 10_000,
        }
    }

    #[test]
    fn health_samples_raise_and_clear_flags_on_the_team_feed_and_in_the_audit_trail() {
        let (mut record, agent, customer) = live_call();
        let mut tracker = None;
        let mut observe = |record: &mut CallRecord, db: f32, at: u64| {
            observe_health(record, &mut tracker, &agent, &second(db), None, at).unwrap()
        };
        let quiet = observe(&mut record, -30.0, 1_000);
        assert!(quiet.summary.is_none() && quiet.audit.is_empty() && quiet.events.is_empty());
        let rev = record.summary_rev;
        let mut effects: Vec<Effects> = (2..=4).map(|s| observe(&mut record, -15.0, s * 1000)).collect();
        let raised = effects.pop().unwrap();
        assert!(effects.iter().all(|fx| fx.summary.is_none()), "not before three seconds");
        let summary = raised.summary.expect("the feed learns of the flag");
        assert_eq!(summary.rev, rev + 1);
        assert_eq!(summary.health_flags, record.health_flags);
        assert_eq!(record.health_flags[0].reason(4_000), "customer loud for 3 s");
        assert_eq!(raised.audit[0].kind, "flag_raised");
        assert_eq!(raised.audit[0].target.as_deref(), Some("customer_loud"));
        assert_eq!(raised.audit[0].detail.as_deref(), Some("+15 dB over their usual level"));
        assert!(raised.events.is_empty(), "nobody's socket hears of it, only the console feed");
        let cleared: Vec<Effects> = (5..=9).map(|s| observe(&mut record, -30.0, s * 1000)).collect();
        let cleared = cleared.last().unwrap();
        assert_eq!(cleared.audit[0].kind, "flag_cleared");
        assert_eq!(cleared.audit[0].detail.as_deref(), Some("after 8 s"));
        assert!(record.health_flags.is_empty() && cleared.summary.is_some());
        // Only the agent's hub reports, and only samples that can be.
        let not_agent =
            observe_health(&mut record, &mut None, &customer, &second(-30.0), None, 0).unwrap_err();
        assert_eq!(not_agent.code(), "not_allowed");
        let nan = observe_health(&mut record, &mut None, &agent, &second(f32::NAN), Some(2), 0).unwrap_err();
        assert_eq!((nan.code(), nan.reference()), ("invalid", Some(2)));
    }

    #[test]
    fn a_tracker_rebuilt_after_eviction_keeps_the_raised_flags() {
        let (mut record, agent, _) = live_call();
        let mut tracker = None;
        for s in 1..=3 {
            observe_health(&mut record, &mut tracker, &agent, &second(-15.0), None, s * 1000).unwrap();
        }
        assert_eq!(record.health_flags.len(), 1);
        let mut fresh = None;
        let still = observe_health(&mut record, &mut fresh, &agent, &second(-15.0), None, 4_000).unwrap();
        assert!(still.audit.is_empty() && record.health_flags.len() == 1, "no second raise");
    }

    #[test]
    fn levels_go_to_supervisors_only() {
        let (mut record, agent, customer) = live_call();
        let levels = vec![PartyLevel { party: Party::Customer, db: -20.0 }];
        let relayed =
            request(&mut record, &agent, CallRequest::Levels { levels: levels.clone() }, None).unwrap();
        assert_eq!(
            relayed.events,
            vec![(Recipient::Supervisors, CallEvent::Levels { levels: levels.clone() })]
        );
        let refused = request(&mut record, &customer, CallRequest::Levels { levels }, None).unwrap_err();
        assert_eq!(refused.code(), "not_allowed");
        let bad = vec![PartyLevel { party: Party::Agent, db: f32::INFINITY }];
        assert_eq!(
            request(&mut record, &agent, CallRequest::Levels { levels: bad }, None).unwrap_err().code(),
            "invalid"
        );
        let many = vec![PartyLevel { party: Party::Agent, db: -10.0 }; MAX_LEVELS + 1];
        assert!(request(&mut record, &agent, CallRequest::Levels { levels: many }, None).is_err());
    }
}
