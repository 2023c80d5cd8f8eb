//! `signal`: WebRTC offers, answers and candidates, relayed along the call's star (every party to
//! the agent's hub and back), and only to a peer that is connected.

use earshot_policy::{Party, Role};

use crate::auth::identity::Identity;
use crate::call::effects::{Effects, Recipient};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;
use crate::protocol::CallEvent;

pub fn relay(
    record: &CallRecord,
    sender: &Identity,
    to: Party,
    data: serde_json::Value,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    let not_allowed = |detail: &str| Err(ProtocolError::not_allowed(detail, reference));
    let connected = match (sender.role, &to) {
        (Role::Customer, Party::Agent) | (Role::Supervisor, Party::Agent) => record.agent_connected,
        (Role::Agent, Party::Customer) => record.customer_connected,
        (Role::Agent, Party::Supervisor(id)) => record.policy.supervisor(id).is_some(),
        _ => return not_allowed("signaling goes only between the agent and each other party"),
    };
    if !connected {
        return not_allowed("that peer is not connected");
    }
    let mut effects = Effects::default();
    effects.events.push((Recipient::Party(to), CallEvent::Signal { from: sender.party(), data }));
    Ok(effects)
}
