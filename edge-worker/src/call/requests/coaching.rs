//! `coach`: a supervisor in the call sends the agent silent text coaching (audited, never shown to
//! the customer).

use earshot_policy::{Party, Role};

use crate::auth::identity::Identity;
use crate::call::effects::{Effects, Recipient};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;
use crate::protocol::{CallEvent, MAX_COACHING_CHARS};

pub fn coach(
    record: &CallRecord,
    sender: &Identity,
    text: &str,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Supervisor || record.policy.supervisor(&sender.sub).is_none() {
        return Err(ProtocolError::not_allowed("only a supervisor in the call coaches", reference));
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
    let coaching =
        CallEvent::Coaching { from: sender.sub.clone(), name: sender.name.clone(), text: text.to_owned() };
    effects.events.push((Recipient::Party(Party::Agent), coaching));
    Ok(effects)
}
