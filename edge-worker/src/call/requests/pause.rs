//! `start_secure_pause` and `end_secure_pause`: the agent (or the app embedding the agent's page, on
//! the same socket) pauses supervision and recording while the customer gives card details; the
//! pause ends by itself after the team's limit ([`expire`], run on the call's alarm at
//! [`deadline`]). The policy routes the paused matrix; this module keeps who, when and why, audits
//! start and end, and drops the health flags raised before the pause (none are raised during it).

use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::effects::{apply, Effects};
use crate::call::record::{CallRecord, SecurePause};
use crate::error::ProtocolError;
use crate::protocol::MAX_PAUSE_REASON_CHARS;

/// The reason written when the agent gives none.
const DEFAULT_REASON: &str = "payment details";

/// Starts a secure pause; starting one already running changes nothing.
pub fn start(
    record: &mut CallRecord,
    sender: &Identity,
    reason: Option<&str>,
    reference: Option<u64>,
    now: u64,
) -> Result<Effects, ProtocolError> {
    authorize(record, sender, reference)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).unwrap_or(DEFAULT_REASON);
    if reason.chars().count() > MAX_PAUSE_REASON_CHARS {
        return Err(ProtocolError::Invalid {
            detail: format!("a secure pause's reason must be at most {MAX_PAUSE_REASON_CHARS} characters"),
            reference,
        });
    }
    apply(record, |r, fx| {
        if r.pause.is_some() {
            return Ok(());
        }
        r.policy.paused = true;
        r.pause = Some(SecurePause { since: now, by: sender.sub.clone(), reason: reason.to_owned() });
        // Flags describe audio nobody may now hear: the console drops them for the pause's span.
        r.health_flags.clear();
        let limit = r.init.settings.secure_pause_limit_s;
        fx.audit("pause_started", sender, None).detail =
            Some(format!("{reason} (ends by itself after {limit} s)"));
        Ok(())
    })
}

/// Ends the running secure pause; ending none changes nothing.
pub fn end(
    record: &mut CallRecord,
    sender: &Identity,
    reference: Option<u64>,
    now: u64,
) -> Result<Effects, ProtocolError> {
    authorize(record, sender, reference)?;
    Ok(finish(record, sender, now, "ended by the agent"))
}

/// Ends a secure pause that has reached the team's limit at `now`.
pub fn expire(record: &mut CallRecord, now: u64) -> Option<Effects> {
    let due = deadline(record).is_some_and(|at| now >= at);
    due.then(|| {
        let limit = record.init.settings.secure_pause_limit_s;
        let system = Identity::system(&record.init.team);
        finish(record, &system, now, &format!("ended automatically at the team's {limit} s limit"))
    })
}

/// When the running secure pause ends by itself, if one runs.
pub fn deadline(record: &CallRecord) -> Option<u64> {
    record.pause_view().map(|view| view.until)
}

fn authorize(record: &CallRecord, sender: &Identity, reference: Option<u64>) -> Result<(), ProtocolError> {
    record
        .policy
        .authorize_pause(&sender.actor())
        .map_err(|refusal| ProtocolError::Refused { refusal, reference })?;
    if sender.role != Role::Agent || sender.sub != record.init.agent_id {
        return Err(ProtocolError::not_allowed("only the call's agent pauses it", reference));
    }
    Ok(())
}

fn finish(record: &mut CallRecord, actor: &Identity, now: u64, how: &str) -> Effects {
    let outcome = apply(record, |r, fx| {
        let Some(pause) = r.pause.take() else { return Ok(()) };
        r.policy.paused = false;
        let seconds = now.saturating_sub(pause.since) / 1000;
        fx.audit("pause_ended", actor, None).detail = Some(format!("{how} after {seconds} s"));
        Ok(())
    });
    // The change above never fails; an error could only come from a refused change.
    outcome.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use earshot_policy::{Listener, Mode, ModeSet, Party, Role};

    use super::*;
    use crate::call::effects::Recipient;
    use crate::call::requests::handle;
    use crate::call::tests::{arrive, live_call, person, request, second, set_mode, to_customer, LATER};
    use crate::protocol::{CallEvent, CallRequest, LevelReport, PartyLevel};

    fn start_pause(reason: Option<&str>) -> CallRequest {
        CallRequest::StartSecurePause { reason: reason.map(str::to_owned) }
    }

    #[test]
    fn a_pause_cuts_supervisors_and_the_recording_out_and_its_end_brings_them_back() {
        let (mut record, agent, _) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::ALL);
        arrive(&mut record, &lead);
        request(&mut record, &lead, set_mode(Mode::Barge, false), None).unwrap();
        record.policy.recording.active = true;
        let before = record.matrix();
        let started = request(&mut record, &agent, start_pause(Some("card")), Some(4)).unwrap();
        let matrix = record.matrix();
        assert_eq!(matrix.heard_by(&Listener::Supervisor("lead".into())), Vec::<&Party>::new());
        assert_eq!(matrix.heard_by(&Listener::Customer), vec![&Party::Agent]);
        assert!(matrix.heard_by(&Listener::RecordingCustomer).is_empty());
        assert!(matrix.heard_by(&Listener::RecordingAgent).is_empty());
        assert!(started
            .events
            .iter()
            .any(|(to, e)| *to == Recipient::Party(Party::Agent) && matches!(e, CallEvent::Matrix { .. })));
        let roster = started.events.iter().find_map(|(_, e)| match e {
            CallEvent::Roster(roster) => Some(roster.clone()),
            _ => None,
        });
        let pause = roster.expect("colleagues see the pause").secure_pause.expect("in the roster");
        assert_eq!((pause.since, pause.until), (LATER, LATER + 180_000));
        assert_eq!(started.summary.as_ref().expect("the console's line changed").secure_pause, Some(pause));
        assert_eq!(started.audit[0].kind, "pause_started");
        assert_eq!(started.audit[0].detail.as_deref(), Some("card (ends by itself after 180 s)"));
        // The customer is told only that the barging lead no longer speaks (as if they had left).
        match to_customer(&started).as_slice() {
            [CallEvent::Status(status)] => assert!(status.speakers.is_empty() && status.hears_agent),
            other => panic!("customer got {other:?}"),
        }
        let again = request(&mut record, &agent, start_pause(None), None).unwrap();
        assert!(again.audit.is_empty() && !again.changed, "a second start changes nothing");

        let ended = handle(&mut record, &mut None, &agent, CallRequest::EndSecurePause, None, LATER + 42_000)
            .unwrap();
        assert_eq!(record.matrix(), before, "the lead barges again and the recording runs");
        assert_eq!(ended.audit[0].kind, "pause_ended");
        assert_eq!(ended.audit[0].detail.as_deref(), Some("ended by the agent after 42 s"));
        assert_eq!(ended.summary.expect("the console's line changed").secure_pause, None);
    }

    #[test]
    fn a_forgotten_pause_ends_by_itself_at_the_teams_limit() {
        let (mut record, agent, _) = live_call();
        record.init.settings.secure_pause_limit_s = 30;
        request(&mut record, &agent, start_pause(None), None).unwrap();
        assert_eq!(deadline(&record), Some(LATER + 30_000));
        assert!(expire(&mut record, LATER + 29_999).is_none(), "not yet");
        let ended = expire(&mut record, LATER + 30_000).expect("ends at the limit");
        assert_eq!(ended.audit[0].actor, "earshot");
        assert_eq!(
            ended.audit[0].detail.as_deref(),
            Some("ended automatically at the team's 30 s limit after 30 s")
        );
        assert!(!record.policy.paused && record.pause.is_none() && deadline(&record).is_none());
        assert!(expire(&mut record, LATER + 60_000).is_none(), "nothing left to end");
    }

    #[test]
    fn only_the_agent_pauses_and_a_paused_call_refuses_being_heard() {
        let (mut record, agent, customer) = live_call();
        let lead = person("lead", Role::Supervisor, ModeSet::ALL);
        arrive(&mut record, &lead);
        for who in [&lead, &customer] {
            let refused = request(&mut record, who, start_pause(None), Some(2)).unwrap_err();
            assert_eq!(refused.code(), "not_the_agent", "{:?}", who.role);
            assert_eq!(refused.reference(), Some(2));
        }
        let long = "x".repeat(MAX_PAUSE_REASON_CHARS + 1);
        assert_eq!(
            request(&mut record, &agent, start_pause(Some(&long)), None).unwrap_err().code(),
            "invalid"
        );
        assert!(record.pause.is_none(), "a refused start leaves the call unpaused");
        request(&mut record, &agent, start_pause(None), None).unwrap();
        assert_eq!(record.pause.as_ref().map(|p| p.reason.as_str()), Some(DEFAULT_REASON));
        for mode in [Mode::Whisper, Mode::Barge, Mode::Takeover] {
            let refused = request(&mut record, &lead, set_mode(mode, true), Some(3)).unwrap_err();
            assert_eq!(refused.code(), "secure_pause", "{mode:?}");
            assert!(refused.to_string().contains("secure pause"), "{refused}");
        }
        request(&mut record, &lead, set_mode(Mode::Monitor, false), None)
            .expect("monitor waits, hearing nothing");
        assert!(
            request(&mut record, &lead, CallRequest::EndSecurePause, None).is_err(),
            "nor may a supervisor end it"
        );
        assert!(record.pause.is_some());
    }

    #[test]
    fn no_flags_or_levels_leave_a_paused_call() {
        let (mut record, agent, _) = live_call();
        let mut tracker = None;
        // One second of shouting from the agent's meter, at `t` seconds.
        let shout = |record: &mut _, tracker: &mut _, t: u64| {
            handle(record, tracker, &agent, CallRequest::Health(second(-5.0)), None, LATER + t * 1000)
                .unwrap()
        };
        for t in 0..4 {
            shout(&mut record, &mut tracker, t);
        }
        assert!(!record.health_flags.is_empty(), "shouting raised a flag before the pause");
        handle(&mut record, &mut tracker, &agent, start_pause(None), None, LATER + 5000).unwrap();
        assert!(record.health_flags.is_empty(), "the pause drops the raised flags");
        for t in 6..12 {
            let sample = shout(&mut record, &mut tracker, t);
            assert!(sample.events.is_empty() && sample.audit.is_empty() && !sample.changed);
        }
        assert!(record.health_flags.is_empty() && tracker.is_none());
        let levels = vec![PartyLevel { party: Party::Customer, db: -20.0 }];
        let report = CallRequest::Levels(LevelReport { levels, hears: vec![] });
        assert!(request(&mut record, &agent, report, None).unwrap().events.is_empty(), "no level relayed");
    }
}
