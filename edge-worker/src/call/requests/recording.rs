//! `set_recording`: the agent starts or stops recording, as the policy allows (consent first where
//! the team requires it).

use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::effects::{apply, Effects};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;

pub fn set(
    record: &mut CallRecord,
    sender: &Identity,
    active: bool,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Agent {
        return Err(ProtocolError::not_allowed("only the agent starts or stops recording", reference));
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
    })
}
