//! Who is asking: the identity the edge worker verified from the caller's token and passes in the
//! identity header (the wire contract's [`Identity`] in [`IDENTITY_HEADER`]). Only the edge can reach
//! this worker (a service binding, no route), so the header is trusted as the edge's word; without it
//! a request is refused.

use earshot_policy::Role;
use earshot_wire::identity::{Identity, IDENTITY_HEADER};
use worker::Request;

use crate::error::ArchiveError;

/// The caller of a request, from its identity header.
pub fn of(req: &Request) -> Result<Identity, ArchiveError> {
    let header = req.headers().get(IDENTITY_HEADER)?.ok_or(ArchiveError::Unauthenticated)?;
    serde_json::from_str(&header).map_err(|_| ArchiveError::Unauthenticated)
}

/// Reviews, reports and recordings are for a team's supervisors: anyone else is refused `what`.
pub fn supervisor(who: &Identity, what: &str) -> Result<(), ArchiveError> {
    if who.role == Role::Supervisor {
        Ok(())
    } else {
        Err(ArchiveError::Forbidden(format!("only supervisors {what}")))
    }
}
