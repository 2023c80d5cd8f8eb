//! `consent`: the customer acknowledges the monitoring disclosure (once; monitoring waits for it
//! when the team requires consent).

use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::effects::{apply, Effects};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;

pub fn acknowledge(
    record: &mut CallRecord,
    sender: &Identity,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Customer {
        return Err(ProtocolError::not_allowed("only the customer acknowledges the disclosure", reference));
    }
    apply(record, |r, fx| {
        if !r.policy.consent.acknowledged {
            r.policy.consent.acknowledged = true;
            fx.audit("consent", sender, None);
        }
        Ok(())
    })
}
