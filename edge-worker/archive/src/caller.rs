//! Who is asking: the identity the edge worker verified from the caller's token and passes in the
//! `x-earshot-identity` header. Only the edge can reach this worker (a service binding, no route), so
//! the header is trusted as the edge's word; without it a request is refused.

use earshot_policy::Role;
use serde::Deserialize;
use worker::Request;

use crate::error::ArchiveError;

/// The header the edge worker sets (the same one it uses towards its Durable Objects).
pub const IDENTITY_HEADER: &str = "x-earshot-identity";

/// The parts of the edge's identity the archive uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Caller {
    pub sub: String,
    pub name: String,
    pub role: Role,
    pub team: String,
}

impl Caller {
    pub fn of(req: &Request) -> Result<Caller, ArchiveError> {
        let header = req.headers().get(IDENTITY_HEADER)?.ok_or(ArchiveError::Unauthenticated)?;
        serde_json::from_str(&header).map_err(|_| ArchiveError::Unauthenticated)
    }

    /// Reviews, reports and recordings are for a team's supervisors.
    pub fn supervisor(&self, what: &str) -> Result<(), ArchiveError> {
        if self.role == Role::Supervisor {
            Ok(())
        } else {
            Err(ArchiveError::Forbidden(format!("only supervisors {what}")))
        }
    }
}
