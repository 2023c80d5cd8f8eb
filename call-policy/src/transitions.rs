//! Transition rules: which supervisor-mode change is allowed, from which state and by whom.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Call, Mode, ModeSet, Role, Supervisor};

/// The most supervisors one call takes: each is one more peer connection at the agent's browser.
pub const MAX_SUPERVISORS: usize = 4;

/// Who is asking, as the worker verified it from their token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub role: Role,
    pub team: &'a str,
    /// The listening modes this actor may use (empty for customers and agents).
    pub capabilities: ModeSet,
}

/// A change the policy allowed: `from` is `None` when the supervisor joins, `to` when they leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Transition {
    pub supervisor: String,
    pub from: Option<Mode>,
    pub to: Option<Mode>,
}

/// Why a request was refused; each is a distinct, user-explainable reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// Customers and agents never change a supervisor's mode.
    NotASupervisor { role: Role },
    /// Only supervisors of the call's own team may join it.
    OtherTeam,
    /// A supervisor changes their own mode only.
    NotYourOwn,
    /// The supervisor's role lacks this mode (e.g. a monitor-only lead asking to barge).
    MissingCapability { mode: Mode },
    /// This agent is exempt from this mode.
    AgentExempt { mode: Mode },
    /// The customer has not yet acknowledged the disclosure required before monitoring or recording.
    AwaitingConsent,
    /// Another supervisor holds takeover; there is one takeover at a time.
    TakeoverHeld { by: String },
    /// The call already has the most supervisors it takes.
    CallFull { max: usize },
    /// The supervisor is not in this call.
    NotInCall,
    /// A secure pause is running: nobody may start being heard in the call until it ends.
    SecurePause { mode: Mode },
    /// Only the call's agent starts or ends a secure pause.
    NotTheAgent { role: Role },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotASupervisor { role } => {
                write!(f, "a {role:?} cannot change a supervisor's mode")
            }
            Refusal::OtherTeam => f.write_str("only supervisors of the call's team may join it"),
            Refusal::NotYourOwn => f.write_str("a supervisor may change only their own mode"),
            Refusal::MissingCapability { mode } => write!(f, "your role may not use {mode:?}"),
            Refusal::AgentExempt { mode } => write!(f, "this agent is exempt from {mode:?}"),
            Refusal::AwaitingConsent => {
                f.write_str("the customer has not acknowledged the monitoring disclosure yet")
            }
            Refusal::TakeoverHeld { by } => write!(f, "supervisor {by} already holds takeover"),
            Refusal::CallFull { max } => write!(f, "the call already has {max} supervisors"),
            Refusal::NotInCall => f.write_str("that supervisor is not in this call"),
            Refusal::SecurePause { mode } => write!(
                f,
                "a secure pause is running (the customer may be giving card details): {mode:?} waits until it ends"
            ),
            Refusal::NotTheAgent { role } => write!(f, "a {role:?} cannot start or end a secure pause"),
        }
    }
}

impl std::error::Error for Refusal {}

impl Call {
    /// Checks, without changing anything, whether `actor` may put supervisor `target` into `mode`
    /// (joining the call if `target` is not in it yet).
    pub fn authorize(&self, actor: &Actor, target: &str, mode: Mode) -> Result<Transition, Refusal> {
        if actor.role != Role::Supervisor {
            return Err(Refusal::NotASupervisor { role: actor.role });
        }
        if actor.team != self.team {
            return Err(Refusal::OtherTeam);
        }
        if actor.id != target {
            return Err(Refusal::NotYourOwn);
        }
        let current = self.supervisor(target).map(|s| s.mode);
        if current.is_none() && self.supervisors.len() >= MAX_SUPERVISORS {
            return Err(Refusal::CallFull { max: MAX_SUPERVISORS });
        }
        if mode.listens() {
            if !actor.capabilities.contains(mode) {
                return Err(Refusal::MissingCapability { mode });
            }
            if self.agent_exempt_from.contains(mode) {
                return Err(Refusal::AgentExempt { mode });
            }
            if !self.consent.permits_listening() {
                return Err(Refusal::AwaitingConsent);
            }
        }
        if self.paused && mode.agent_hears() {
            return Err(Refusal::SecurePause { mode });
        }
        if mode == Mode::Takeover {
            if let Some(holder) = self.takeover_holder().filter(|h| h.id != target) {
                return Err(Refusal::TakeoverHeld { by: holder.id.clone() });
            }
        }
        Ok(Transition { supervisor: target.to_owned(), from: current, to: Some(mode) })
    }

    /// Authorizes and applies a mode change; a supervisor not yet in the call joins it.
    pub fn request_mode(&mut self, actor: &Actor, target: &str, mode: Mode) -> Result<Transition, Refusal> {
        let transition = self.authorize(actor, target, mode)?;
        self.apply(&transition);
        Ok(transition)
    }

    /// Carries out a transition that [`Call::authorize`] allowed on this same state, without deciding
    /// again: the edge authorizes a supervisor's arrival before it accepts their socket and applies
    /// the decision once the socket is accepted, with nothing changed in between.
    pub fn apply(&mut self, transition: &Transition) {
        let target = transition.supervisor.as_str();
        match transition.to {
            Some(mode) => match self.supervisors.iter_mut().find(|s| s.id == target) {
                Some(supervisor) => supervisor.mode = mode,
                None => self.supervisors.push(Supervisor { id: target.to_owned(), mode }),
            },
            None => self.supervisors.retain(|s| s.id != target),
        }
    }

    /// Removes a supervisor: they left, or presence dropped them. Always allowed, since it only ever
    /// takes a supervisor's voice out of the call; the worker calls it for the actor themselves.
    pub fn leave(&mut self, supervisor: &str) -> Result<Transition, Refusal> {
        let index = self.supervisors.iter().position(|s| s.id == supervisor).ok_or(Refusal::NotInCall)?;
        let removed = self.supervisors.remove(index);
        Ok(Transition { supervisor: removed.id, from: Some(removed.mode), to: None })
    }

    /// Whether `actor` may start or end a secure pause: the call's agent only (the edge checks that
    /// the agent is this call's). A supervisor never can: the pause is the agent's promise to the
    /// customer, and nobody listening may lift it.
    pub fn authorize_pause(&self, actor: &Actor) -> Result<(), Refusal> {
        if actor.role != Role::Agent {
            return Err(Refusal::NotTheAgent { role: actor.role });
        }
        if actor.team != self.team {
            return Err(Refusal::OtherTeam);
        }
        Ok(())
    }

    /// Whether recording may start now.
    pub fn authorize_recording(&self) -> Result<(), Refusal> {
        if self.consent.permits_listening() {
            Ok(())
        } else {
            Err(Refusal::AwaitingConsent)
        }
    }
}
