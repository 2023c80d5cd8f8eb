//! What a change to a call produces ([`Effects`]: events by [`Recipient`], audit rows, closes, the
//! team feed's line) and the one way a change is made ([`apply`]): on a copy of the record,
//! committed whole or not at all, with every view diffed once before and once after.

use earshot_policy::{Listener, Role};

use crate::auth::identity::Identity;
use crate::call::audit::AuditEntry;
use crate::call::record::CallRecord;
use crate::call::views::{customer_status, CallSummary};
use crate::error::ProtocolError;
use crate::protocol::{CallEvent, MatrixCause};

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
    pub(crate) cause: Option<MatrixCause>,
    /// Who hears a join tone with the new matrix (only ever set with a matrix change).
    pub(crate) tone: Vec<Listener>,
}

impl Effects {
    pub(crate) fn audit(&mut self, kind: &str, actor: &Identity, target: Option<&str>) -> &mut AuditEntry {
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

/// Runs `change` on the record and turns what changed into events: a new matrix for the agent, a
/// new roster for colleagues, a new status for the customer, a new summary for the team feed.
pub fn apply(
    record: &mut CallRecord,
    change: impl FnOnce(&mut CallRecord, &mut Effects) -> Result<(), ProtocolError>,
) -> Result<Effects, ProtocolError> {
    let mut scratch = record.clone();
    let mut effects = Effects::default();
    change(&mut scratch, &mut effects)?;
    // Nothing is committed unless the change succeeded as a whole. Each view is computed once
    // before the change and once after it.
    let (matrix, roster, status) = (record.matrix(), record.roster(), customer_status(record));
    let flags = std::mem::take(&mut record.health_flags);
    *record = scratch;
    let new_matrix = record.matrix();
    if new_matrix != matrix {
        record.rev += 1;
        let event = CallEvent::Matrix {
            rev: record.rev,
            cause: effects.cause.take(),
            matrix: new_matrix,
            tone: std::mem::take(&mut effects.tone),
        };
        effects.events.push((Recipient::Agent, event));
    }
    let new_roster = record.roster();
    let roster_changed = new_roster != roster;
    if roster_changed {
        effects.events.push((Recipient::Colleagues, CallEvent::Roster(new_roster)));
    }
    if roster_changed || record.health_flags != flags {
        record.summary_rev += 1;
        effects.summary = Some(record.summary());
    }
    let new_status = customer_status(record);
    if new_status != status {
        effects.events.push((Recipient::Customer, CallEvent::Status(new_status)));
    }
    Ok(effects)
}

pub(crate) fn recipient_of(who: &Identity) -> Recipient {
    match who.role {
        Role::Agent => Recipient::Agent,
        Role::Customer => Recipient::Customer,
        Role::Supervisor => Recipient::Supervisor(who.sub.clone()),
    }
}
