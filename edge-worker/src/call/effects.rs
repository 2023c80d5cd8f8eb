//! What a change to a call produces ([`Effects`]: events by [`Recipient`], audit rows, closes, the
//! team feed's line) and the one way a change is made ([`apply`]): on a copy of the record,
//! committed whole or not at all, with every view diffed once before and once after.

use earshot_policy::{Listener, Party};

use crate::auth::identity::Identity;
use crate::call::audit::AuditEntry;
use crate::call::record::CallRecord;
use crate::call::views::{customer_status, CallSummary};
use crate::error::ProtocolError;
use crate::protocol::{CallEvent, MatrixCause};

/// Who a room event goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// One party: the agent, the customer or one supervisor.
    Party(Party),
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
    /// The record changed, so the object writes it (a relayed signal or a meter report does not).
    pub changed: bool,
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
    // The one copy of the record a change makes: nothing is committed unless the change succeeded
    // as a whole. Each view is computed once before the change and once after it.
    let mut scratch = record.clone();
    let mut effects = Effects::default();
    change(&mut scratch, &mut effects)?;
    let matrix = record.matrix();
    let (roster, status) = (record.roster(), customer_status(record, &matrix));
    let before = std::mem::replace(record, scratch);
    effects.changed = *record != before;
    let new_matrix = record.matrix();
    let new_status = customer_status(record, &new_matrix);
    if new_matrix != matrix {
        record.rev += 1;
        let event = CallEvent::Matrix {
            rev: record.rev,
            cause: effects.cause.take(),
            matrix: new_matrix,
            tone: std::mem::take(&mut effects.tone),
        };
        effects.events.push((Recipient::Party(Party::Agent), event));
    }
    let new_roster = record.roster();
    let roster_changed = new_roster != roster;
    if roster_changed {
        effects.events.push((Recipient::Colleagues, CallEvent::Roster(new_roster)));
    }
    if roster_changed || record.health_flags != before.health_flags {
        record.summary_rev += 1;
        effects.summary = Some(record.summary());
    }
    if new_status != status {
        effects.events.push((Recipient::Party(Party::Customer), CallEvent::Status(new_status)));
    }
    Ok(effects)
}

/// The recipient of a reply to `who`: their own socket.
pub(crate) fn recipient_of(who: &Identity) -> Recipient {
    Recipient::Party(who.party())
}
