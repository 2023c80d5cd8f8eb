//! `raise_hand`: the agent asks the team's supervisors for help (or lowers the hand).

use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::effects::{apply, Effects};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;

pub fn raise_hand(
    record: &mut CallRecord,
    sender: &Identity,
    raised: bool,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Agent {
        return Err(ProtocolError::not_allowed("only the agent raises a hand", reference));
    }
    apply(record, |r, fx| {
        if r.help_raised != raised {
            r.help_raised = raised;
            fx.audit("help", sender, None).detail = Some(if raised { "raised" } else { "lowered" }.into());
        }
        Ok(())
    })
}
