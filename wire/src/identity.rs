//! Who is asking, as the edge worker verified it from their token: carried as JSON in
//! [`IDENTITY_HEADER`] on every request the edge builds itself, to its call and team Durable Objects
//! and to the archive worker. Clients never set the header; nothing but the edge can reach the objects
//! or the archive, so the receivers take it as the edge's word. Verification is the edge's
//! (`auth::identity`); this is only the shape both ends agree on.

use earshot_policy::{Actor, ModeSet, Party, Role};
use serde::{Deserialize, Serialize};

/// The header carrying the verified identity, as JSON.
pub const IDENTITY_HEADER: &str = "x-earshot-identity";

/// The custom claims of an Earshot token (the standard `exp`/`iat` are read by the edge's verifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Stable participant id (unique within the deployment).
    pub sub: String,
    /// Display name, shown to colleagues (and to a customer only while a supervisor is audible).
    pub name: String,
    pub role: Role,
    pub team: String,
    /// Supervisors: the listening modes their role may use.
    #[serde(default)]
    pub capabilities: ModeSet,
    /// Agents: the listening modes supervisors may not use on their calls.
    #[serde(default)]
    pub exemptions: ModeSet,
    /// Customers: the one call this token admits them to (absent for customers who queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<String>,
    /// The deployment this token is for; must equal the worker's configured audience.
    pub aud: String,
}

impl Identity {
    /// Earshot itself, acting in `team`: the author of automatic audit rows (a call ended for an
    /// absence, a health flag) and of the edge's own requests to the archive.
    pub fn system(team: &str) -> Identity {
        Identity {
            sub: "earshot".into(),
            name: "Earshot".into(),
            role: Role::Agent,
            team: team.to_owned(),
            capabilities: Default::default(),
            exemptions: Default::default(),
            call: None,
            aud: String::new(),
        }
    }

    /// The policy's view of this participant.
    pub fn actor(&self) -> Actor<'_> {
        Actor { id: &self.sub, role: self.role, team: &self.team, capabilities: self.capabilities }
    }

    /// Who this participant is in a call: its agent, its customer or one of its supervisors. A call's
    /// sessions are tracked under this party's [`Party::key`] (one socket per party: any customer
    /// token the call admits speaks for the one customer).
    pub fn party(&self) -> Party {
        match self.role {
            Role::Agent => Party::Agent,
            Role::Customer => Party::Customer,
            Role::Supervisor => Party::Supervisor(self.sub.clone()),
        }
    }

    /// The key of this person's one session in their team: a team has many agents and customers, so
    /// its members are keyed by role and id (`agent:a1`), in the spelling of [`Party::key`].
    pub fn member_key(&self) -> String {
        format!("{}:{}", self.role.name(), self.sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_form_round_trips_and_omits_an_absent_call() {
        let system = Identity::system("blue");
        let text = serde_json::to_string(&system).unwrap();
        assert!(!text.contains("\"call\""), "{text}");
        assert_eq!(serde_json::from_str::<Identity>(&text).unwrap(), system);
        let lean: Identity = serde_json::from_str(
            r#"{"sub":"s1","name":"Sam","role":"supervisor","team":"blue","aud":"earshot"}"#,
        )
        .unwrap();
        assert_eq!((lean.capabilities, lean.call), (ModeSet::EMPTY, None), "omitted claims default");
    }
}
