//! Every request a call socket may send, one module per kind: each checks who is asking and what,
//! then applies the change through [`crate::call::effects::apply`]. [`handle`] dispatches and acks.

pub mod coaching;
pub mod consent;
pub mod health;
pub mod help;
pub mod mode;
pub mod pause;
pub mod recording;
pub mod signal;

use earshot_health::FlagTracker;
use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::effects::{recipient_of, Effects};
use crate::call::lifecycle;
use crate::call::record::CallRecord;
use crate::error::ProtocolError;
use crate::protocol::{CallEvent, CallRequest};

/// Handles one parsed request from `sender`, arriving at `now`; `health` is the call's flag tracker
/// (see [`health::observe`]). A request with a reference is acknowledged first.
pub fn handle(
    record: &mut CallRecord,
    health: &mut Option<FlagTracker>,
    sender: &Identity,
    request: CallRequest,
    reference: Option<u64>,
    now: u64,
) -> Result<Effects, ProtocolError> {
    let mut effects = match request {
        // The socket shell answers pings before the record is read (net::socket_shell); one
        // reaching here changes nothing.
        CallRequest::Ping => Effects::default(),
        CallRequest::SetMode { mode, tone, confirm } => {
            mode::set(record, sender, mode::Change { mode, tone, confirm }, reference, now)?
        }
        CallRequest::Leave => lifecycle::leave(record, sender, reference)?,
        CallRequest::Signal { to, data } => signal::relay(record, sender, to, data, reference)?,
        CallRequest::Consent => consent::acknowledge(record, sender, reference)?,
        CallRequest::RaiseHand { raised } => help::raise_hand(record, sender, raised, reference)?,
        CallRequest::Coach { text } => coaching::coach(record, sender, &text, reference)?,
        CallRequest::SetRecording { active } => recording::set(record, sender, active, reference)?,
        // During a secure pause the hub's meters measure what nobody may hear: no flag is raised
        // and no level reaches a supervisor; the tracker starts afresh when the pause ends.
        CallRequest::Health(_) | CallRequest::Levels(_)
            if record.pause.is_some() && sender.role == Role::Agent =>
        {
            *health = None;
            Effects::default()
        }
        CallRequest::Health(sample) => health::observe(record, health, sender, &sample, reference, now)?,
        CallRequest::Levels(report) => health::relay_levels(sender, report, reference)?,
        CallRequest::StartSecurePause { reason } => {
            pause::start(record, sender, reason.as_deref(), reference, now)?
        }
        CallRequest::EndSecurePause => pause::end(record, sender, reference, now)?,
        CallRequest::EndCall => lifecycle::end_by(record, sender, reference)?,
    };
    if let Some(reference) = reference {
        effects.events.insert(0, (recipient_of(sender), CallEvent::Ack { reference }));
    }
    Ok(effects)
}
