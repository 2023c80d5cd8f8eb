//! Who may record a call, pure: the call's agent, while the call's recording is on (or just after it
//! stopped). The call object decides this from the live call's state before the edge worker passes an
//! upload to the archive worker, which keeps the audio (edge-worker/archive).

use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::record::CallRecord;
use crate::error::EdgeError;

/// How long after recording stops (or the call ends) the agent's recorder may still upload: its last
/// chunks and the completion marker leave the browser after the stop, possibly after retries.
pub const UPLOAD_TAIL_MS: u64 = 60_000;
/// One day, in milliseconds (`EARSHOT_RETENTION_DAY_MS` may shorten it for tests).
pub const DAY_MS: u64 = 86_400_000;
/// What the call's Durable Object knows that decides whether recording uploads are allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingFacts {
    pub team: String,
    pub agent_id: String,
    /// The call's recording is on and the call has not ended.
    pub active: bool,
    /// When recording last stopped or the call ended (ms since the epoch), if it is not active.
    pub quiet_since: Option<u64>,
    /// Whether this call's recording carries the supervisors' whisper (on the agent channel).
    pub include_whisper: bool,
    /// How many days the team keeps recordings.
    pub retention_days: u32,
}

impl RecordingFacts {
    /// The facts of a call; `last_quiet` is when recording last stopped or the call ended (from the
    /// audit trail), used only once recording is no longer active.
    pub fn of(record: &CallRecord, last_quiet: Option<u64>) -> RecordingFacts {
        let active = record.policy.recording.active && record.ended.is_none();
        RecordingFacts {
            team: record.init.team.clone(),
            agent_id: record.init.agent_id.clone(),
            active,
            quiet_since: if active { None } else { last_quiet },
            include_whisper: record.policy.recording.include_whisper,
            retention_days: record.init.settings.retention_days,
        }
    }
}

fn the_calls_agent(facts: &RecordingFacts, who: &Identity) -> Result<(), EdgeError> {
    if who.role == Role::Agent && who.team == facts.team && who.sub == facts.agent_id {
        Ok(())
    } else {
        Err(EdgeError::Forbidden("only the call's agent records it".into()))
    }
}

/// Whether `who` may start a new take now: the call's agent, while recording is on.
pub fn may_start(facts: &RecordingFacts, who: &Identity) -> Result<(), EdgeError> {
    the_calls_agent(facts, who)?;
    if facts.active {
        Ok(())
    } else {
        Err(EdgeError::Conflict("recording is not on for this call".into()))
    }
}

/// Whether `who` may upload a chunk (or complete a take) now: the call's agent, while recording is
/// on or within [`UPLOAD_TAIL_MS`] of it stopping.
pub fn may_upload(facts: &RecordingFacts, who: &Identity, now: u64) -> Result<(), EdgeError> {
    the_calls_agent(facts, who)?;
    let in_tail = facts.quiet_since.is_some_and(|at| now.saturating_sub(at) <= UPLOAD_TAIL_MS);
    if facts.active || in_tail {
        Ok(())
    } else {
        Err(EdgeError::Conflict("recording stopped on this call; no more uploads".into()))
    }
}

#[cfg(test)]
mod tests {
    use earshot_policy::ModeSet;

    use super::*;
    use crate::settings::DEFAULT_RETENTION_DAYS;

    fn facts(active: bool, quiet_since: Option<u64>) -> RecordingFacts {
        RecordingFacts {
            team: "blue".into(),
            agent_id: "a1".into(),
            active,
            quiet_since,
            include_whisper: false,
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }

    fn person(sub: &str, role: Role, team: &str) -> Identity {
        Identity {
            sub: sub.into(),
            name: sub.into(),
            role,
            team: team.into(),
            capabilities: ModeSet::EMPTY,
            exemptions: ModeSet::EMPTY,
            call: None,
            aud: "earshot".into(),
        }
    }

    #[test]
    fn a_call_takes_whisper_recording_and_retention_from_its_team() {
        use crate::call::record::CallInit;
        use crate::settings::TeamSettings;
        let init = |settings| CallInit {
            call_id: "c".repeat(64),
            team: "blue".into(),
            agent_id: "a1".into(),
            agent_name: "Ana".into(),
            agent_exempt_from: ModeSet::EMPTY,
            consent_required: false,
            settings,
            customer_label: "Lee".into(),
            customer_sub: None,
            started_at: 0,
            phone: false,
        };
        let plain = CallRecord::new(init(TeamSettings::default()));
        let facts = RecordingFacts::of(&plain, None);
        assert_eq!((facts.include_whisper, facts.retention_days, facts.active), (false, 90, false));
        let settings = TeamSettings { record_whisper: true, retention_days: 30, ..Default::default() };
        let mut coached = CallRecord::new(init(settings));
        assert!(coached.policy.recording.include_whisper, "the routing policy gets it");
        coached.policy.recording.active = true;
        let facts = RecordingFacts::of(&coached, Some(5));
        assert_eq!(
            (facts.include_whisper, facts.retention_days, facts.active, facts.quiet_since),
            (true, 30, true, None)
        );
        coached.ended = Some("ended by the agent".into());
        assert_eq!(
            RecordingFacts::of(&coached, Some(5)).quiet_since,
            Some(5),
            "an ended call records no more"
        );
    }

    #[test]
    fn only_the_calls_agent_records_and_only_while_recording_or_just_after() {
        let agent = person("a1", Role::Agent, "blue");
        assert_eq!(may_start(&facts(true, None), &agent), Ok(()));
        assert!(matches!(may_start(&facts(false, Some(5)), &agent), Err(EdgeError::Conflict(_))));
        for outsider in [
            person("a2", Role::Agent, "blue"),
            person("a1", Role::Agent, "green"),
            person("a1", Role::Supervisor, "blue"),
            person("a1", Role::Customer, "blue"),
        ] {
            assert!(matches!(may_start(&facts(true, None), &outsider), Err(EdgeError::Forbidden(_))));
            assert!(matches!(may_upload(&facts(true, None), &outsider, 0), Err(EdgeError::Forbidden(_))));
        }
        let stopped_at = 1_000_000;
        assert_eq!(may_upload(&facts(true, None), &agent, stopped_at), Ok(()));
        assert_eq!(may_upload(&facts(false, Some(stopped_at)), &agent, stopped_at + UPLOAD_TAIL_MS), Ok(()));
        assert!(may_upload(&facts(false, Some(stopped_at)), &agent, stopped_at + UPLOAD_TAIL_MS + 1).is_err());
        assert!(may_upload(&facts(false, None), &agent, stopped_at).is_err(), "never recorded");
    }
}
