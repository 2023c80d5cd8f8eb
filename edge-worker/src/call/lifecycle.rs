//! A call's people arriving and leaving: a socket accepted ([`join`]), one gone ([`depart`]), a
//! supervisor leaving, the call ended by the agent or the customer or when a grace period runs out.

use earshot_policy::{Party, Role};

use crate::auth::identity::Identity;
use crate::call::effects::{apply, recipient_of, Effects, Recipient};
use crate::call::record::{Admission, CallRecord};
use crate::call::views::customer_status;
use crate::error::{close, ProtocolError};
use crate::protocol::{CallEvent, MatrixCause};

/// A participant's socket was accepted: mark them present and give them the current state. Their
/// `admission` ([`CallRecord::admit`], on this same record) already decided a supervisor's arrival.
pub fn join(record: &mut CallRecord, who: &Identity, admission: Admission) -> Effects {
    let outcome = apply(record, |r, fx| {
        match (who.role, admission.arrival) {
            (Role::Agent, _) => {
                fx.audit(if r.agent_left_at.is_some() { "rejoin" } else { "join" }, who, None);
                r.agent_connected = true;
                r.agent_left_at = None;
            }
            (Role::Customer, _) => {
                fx.audit(if r.customer_left_at.is_some() { "rejoin" } else { "join" }, who, None);
                r.customer_connected = true;
                r.customer_left_at = None;
            }
            (Role::Supervisor, Some(transition)) => {
                r.policy.apply(&transition);
                r.supervisor_names.insert(who.sub.clone(), who.name.clone());
                let row = fx.audit("join", who, Some(&who.sub));
                row.from_mode = transition.from;
                row.to_mode = transition.to;
                fx.cause = Some(MatrixCause { transition, reference: None });
            }
            (Role::Supervisor, None) => {
                return Err(ProtocolError::Internal("a supervisor admitted without an arrival".into()));
            }
        }
        Ok(())
    });
    // Only a supervisor without an admitted arrival fails (a caller's mistake): refused, not joined.
    let mut effects = outcome.unwrap_or_else(|err| Effects {
        closes: vec![(recipient_of(who), close::FORBIDDEN, err.to_string())],
        ..Effects::default()
    });
    // The newcomer gets the full current state whether or not anything changed.
    match who.role {
        Role::Agent => {
            let agent = Recipient::Party(Party::Agent);
            effects.events.push((agent.clone(), CallEvent::Roster(record.roster())));
            let matrix =
                CallEvent::Matrix { rev: record.rev, cause: None, matrix: record.matrix(), tone: Vec::new() };
            effects.events.push((agent, matrix));
        }
        Role::Supervisor => {
            effects.events.push((recipient_of(who), CallEvent::Roster(record.roster())));
        }
        Role::Customer => {
            let status = customer_status(record, &record.matrix());
            effects.events.push((Recipient::Party(Party::Customer), CallEvent::Status(status)));
        }
    }
    effects
}

/// A participant's current socket went away (closed, errored, dropped for silence, or left).
pub fn depart(record: &mut CallRecord, who: &Identity, now: u64, why: &str) -> Effects {
    record.sessions.remove(&who.party().key());
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
    // The session's end changed the record even where nothing else did.
    Effects { changed: true, ..outcome.unwrap_or_default() }
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
    effects.changed = true;
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

/// A supervisor leaves a running call (agents and customers end it instead).
pub fn leave(
    record: &mut CallRecord,
    sender: &Identity,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Supervisor {
        return Err(ProtocolError::not_allowed(
            "only supervisors leave a running call; agents and customers end it",
            reference,
        ));
    }
    let mut effects = depart(record, sender, 0, "left");
    effects.closes.push((recipient_of(sender), close::NORMAL, "left the call".into()));
    Ok(effects)
}

/// The agent or the customer ends the call for everybody.
pub fn end_by(
    record: &mut CallRecord,
    sender: &Identity,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    if sender.role == Role::Supervisor {
        return Err(ProtocolError::not_allowed(
            "supervisors leave; the agent or the customer ends the call",
            reference,
        ));
    }
    let who = if sender.role == Role::Agent { "agent" } else { "customer" };
    Ok(end(record, sender, &format!("ended by the {who}")))
}
