//! Unit tests of a call's logic: the views each party gets, every request kind, departures and grace.

use earshot_health::HealthSample;
use earshot_policy::{Listener, Mode, ModeSet, Party, Role};

use crate::auth::identity::Identity;
use crate::call::effects::{Effects, Recipient};
use crate::call::lifecycle::{depart, expire_grace, grace_deadline, join};
use crate::call::record::{CallInit, CallRecord};
use crate::call::requests::handle;
use crate::call::requests::health::observe as observe_health;
use crate::error::{EdgeError, ProtocolError};
use crate::protocol::{CallEvent, CallRequest, LevelReport, PartyLevel, MAX_LEVELS};
use crate::settings::TeamSettings;

pub(super) fn person(sub: &str, role: Role, capabilities: ModeSet) -> Identity {
    Identity {
        sub: sub.into(),
        name: format!("{sub} name"),
        role,
        team: "blue".into(),
        capabilities,
        exemptions: ModeSet::EMPTY,
        call: None,
        aud: "earshot".into(),
    }
}

/// Past the early-barge guard of a call started at 0.
pub(super) const LATER: u64 = 10 * 60_000;

/// `handle` at [`LATER`], without a health tracker.
pub(super) fn request(
    record: &mut CallRecord,
    sender: &Identity,
    request: CallRequest,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    handle(record, &mut None, sender, request, reference, LATER)
}

/// `who` is admitted and their socket accepted, as the object does on an upgrade.
pub(super) fn arrive(record: &mut CallRecord, who: &Identity) -> Effects {
    let admission = record.admit(who).expect("admitted");
    join(record, who, admission)
}

pub(super) fn live_call() -> (CallRecord, Identity, Identity) {
    let init = CallInit {
        call_id: "c".repeat(64),
        team: "blue".into(),
        agent_id: "agent".into(),
        agent_name: "Ana".into(),
        agent_exempt_from: ModeSet::EMPTY,
        consent_required: false,
        settings: TeamSettings::default(),
        customer_label: "Lee".into(),
        customer_sub: None,
        started_at: 0,
        phone: false,
    };
    let mut record = CallRecord::new(init);
    let agent = person("agent", Role::Agent, ModeSet::EMPTY);
    let customer = Identity { call: Some("c".repeat(64)), ..person("lee", Role::Customer, ModeSet::EMPTY) };
    arrive(&mut record, &agent);
    arrive(&mut record, &customer);
    (record, agent, customer)
}

pub(super) fn to_customer(effects: &Effects) -> Vec<&CallEvent> {
    effects
        .events
        .iter()
        .filter(|(to, _)| matches!(to, Recipient::Party(Party::Customer) | Recipient::Everyone))
        .map(|(_, event)| event)
        .collect()
}

#[test]
fn unheard_supervisors_produce_no_customer_event_at_all() {
    let (mut record, _, _) = live_call();
    let lead = person("lead", Role::Supervisor, ModeSet::ALL);
    let trainee = person("trainee", Role::Supervisor, ModeSet::MONITOR_ONLY);
    let mut all = vec![arrive(&mut record, &lead), arrive(&mut record, &trainee)];
    for mode in [Mode::Monitor, Mode::Whisper, Mode::None, Mode::Whisper] {
        all.push(request(&mut record, &lead, set_mode(mode, false), Some(1)).unwrap());
    }
    all.push(request(&mut record, &trainee, set_mode(Mode::Monitor, false), None).unwrap());
    all.push(request(&mut record, &lead, CallRequest::Coach { text: "hi".into() }, None).unwrap());
    all.push(depart(&mut record, &trainee, 5, "disconnected"));
    assert!(all.iter().all(|effects| to_customer(effects).is_empty()));
    // Two joins, four lead modes, the trainee's monitor and leave: eight matrices for the agent.
    assert_eq!(record.rev, 8, "yet the agent got a matrix for every change");
}

#[test]
fn the_customer_learns_only_the_names_of_supervisors_they_hear() {
    let (mut record, _, _) = live_call();
    let lead = person("lead", Role::Supervisor, ModeSet::ALL);
    arrive(&mut record, &lead);
    let barge = request(&mut record, &lead, set_mode(Mode::Barge, false), None).unwrap();
    match to_customer(&barge).as_slice() {
        [CallEvent::Status(status)] => assert_eq!(status.speakers, vec!["lead name".to_owned()]),
        other => panic!("customer got {other:?}"),
    }
    let takeover = request(&mut record, &lead, set_mode(Mode::Takeover, false), None).unwrap();
    match to_customer(&takeover).as_slice() {
        [CallEvent::Status(status)] => {
            assert_eq!(status.speakers, vec!["lead name".to_owned()], "the same speaker");
            assert!(!status.hears_agent, "the agent fell silent for the customer: say so");
        }
        other => panic!("customer got {other:?}"),
    }
    let whisper = request(&mut record, &lead, set_mode(Mode::Whisper, false), None).unwrap();
    match to_customer(&whisper).as_slice() {
        [CallEvent::Status(status)] => assert!(status.speakers.is_empty() && status.hears_agent),
        other => panic!("customer got {other:?}"),
    }
}

#[test]
fn a_join_tone_rides_on_the_agents_matrix_only_and_only_when_asked() {
    let (mut record, _, _) = live_call();
    let lead = person("lead", Role::Supervisor, ModeSet::ALL);
    arrive(&mut record, &lead);
    let mut set = |mode, tone| {
        let effects =
            request(&mut record, &lead, CallRequest::SetMode { mode, tone, confirm: false }, None).unwrap();
        let tones: Vec<(&Recipient, &Vec<Listener>)> = effects
            .events
            .iter()
            .filter_map(|(to, event)| match event {
                CallEvent::Matrix { tone, .. } => Some((to, tone)),
                _ => None,
            })
            .collect();
        assert!(tones.iter().all(|(to, _)| **to == Recipient::Party(Party::Agent)), "{tones:?}");
        let customer_frames = to_customer(&effects).len();
        (tones.first().map(|(_, tone)| (*tone).clone()).unwrap_or_default(), customer_frames)
    };
    assert_eq!(set(Mode::Monitor, true), (vec![Listener::Agent], 0), "joining to monitor: agent only");
    assert_eq!(set(Mode::Barge, true), (vec![Listener::Agent, Listener::Customer], 1));
    assert_eq!(set(Mode::Monitor, true), (vec![], 1), "stepping back: no tone, speakers emptied");
    assert_eq!(set(Mode::Whisper, false), (vec![], 0), "not asked for: no tone");
    assert_eq!(set(Mode::None, true), (vec![], 0));
}

#[test]
fn signaling_follows_the_star() {
    let (mut record, agent, customer) = live_call();
    let lead = person("lead", Role::Supervisor, ModeSet::ALL);
    arrive(&mut record, &lead);
    let data = serde_json::json!({ "sdp": "x" });
    let send = |record: &mut CallRecord, from: &Identity, to: Party| {
        request(record, from, CallRequest::Signal { to, data: data.clone() }, None).map(|fx| fx.events)
    };
    assert!(send(&mut record, &customer, Party::Supervisor("lead".into())).is_err());
    assert!(send(&mut record, &lead, Party::Customer).is_err());
    assert!(send(&mut record, &customer, Party::Customer).is_err());
    let relayed = send(&mut record, &agent, Party::Supervisor("lead".into())).unwrap();
    assert!(
        matches!(relayed.as_slice(), [(Recipient::Party(Party::Supervisor(id)), CallEvent::Signal { from: Party::Agent, .. })] if id == "lead")
    );
    let relayed = send(&mut record, &lead, Party::Agent).unwrap();
    assert!(matches!(
        relayed.as_slice(),
        [(Recipient::Party(Party::Agent), CallEvent::Signal { from: Party::Supervisor(_), .. })]
    ));
}

#[test]
fn a_refused_change_leaves_the_record_untouched() {
    let (mut record, _, customer) = live_call();
    let lead = person("lead", Role::Supervisor, ModeSet::MONITOR_ONLY);
    arrive(&mut record, &lead);
    let before = record.clone();
    let refused = request(&mut record, &lead, set_mode(Mode::Barge, false), Some(3)).unwrap_err();
    assert_eq!(refused.code(), "missing_capability");
    assert_eq!(refused.reference(), Some(3));
    assert!(request(&mut record, &customer, set_mode(Mode::Monitor, false), None).is_err());
    assert_eq!(record, before);
}

#[test]
fn a_vanished_agent_has_a_grace_period() {
    let (mut record, agent, _) = live_call();
    depart(&mut record, &agent, 1_000, "disconnected");
    assert_eq!(grace_deadline(&record, 30_000), Some(31_000));
    assert!(expire_grace(&mut record, 30_999, 30_000).is_none());
    arrive(&mut record, &agent);
    assert_eq!(grace_deadline(&record, 30_000), None, "back in time: the call goes on");
    depart(&mut record, &agent, 40_000, "disconnected");
    let ended = expire_grace(&mut record, 70_000, 30_000).unwrap();
    assert!(ended.ended && record.ended.is_some());
    assert_eq!(record.admit(&agent), Err(EdgeError::Gone));
}

#[test]
fn a_call_rings_until_its_agent_first_joins_and_stays_answered_while_they_are_away() {
    let (mut record, agent, _) = live_call();
    let mut ringing = CallRecord::new(record.init.clone());
    assert!(!ringing.summary().answered, "nobody answered yet");
    arrive(&mut ringing, &agent);
    assert!(ringing.summary().answered);
    depart(&mut record, &agent, 1_000, "disconnected");
    let away = record.summary();
    assert!(away.answered && !away.agent_connected, "away, not ringing again");
}

pub(super) fn set_mode(mode: Mode, confirm: bool) -> CallRequest {
    CallRequest::SetMode { mode, tone: false, confirm }
}

#[test]
fn barging_in_a_calls_first_minutes_needs_confirming_and_is_audited_as_early() {
    let (mut record, _, _) = live_call();
    let lead = person("lead", Role::Supervisor, ModeSet::ALL);
    arrive(&mut record, &lead);
    let minute = 60_000;
    for mode in [Mode::Monitor, Mode::Whisper] {
        handle(&mut record, &mut None, &lead, set_mode(mode, false), None, minute).expect("not guarded");
    }
    let before = record.clone();
    for mode in [Mode::Barge, Mode::Takeover] {
        let refused =
            handle(&mut record, &mut None, &lead, set_mode(mode, false), Some(4), minute).unwrap_err();
        assert_eq!((refused.code(), refused.reference()), ("confirm_required", Some(4)));
        assert!(refused.to_string().contains("1:00 old"), "{refused}");
        // The frame carries the call's age and the guard as numbers, beside the message.
        let frame = serde_json::to_value(CallEvent::Error((&refused).into())).unwrap();
        assert_eq!(
            (
                frame["code"].as_str(),
                frame["ref"].as_u64(),
                frame["call_age_ms"].as_u64(),
                frame["guard_minutes"].as_u64()
            ),
            (Some("confirm_required"), Some(4), Some(minute), Some(3)),
            "{frame}"
        );
        assert_eq!(record, before, "a refused request changes nothing");
    }
    let barge = handle(&mut record, &mut None, &lead, set_mode(Mode::Barge, true), None, minute).unwrap();
    assert_eq!(barge.audit[0].detail.as_deref(), Some("early barge confirmed at 1:00"));
    // Already heard by the customer: going on to takeover is not a new barge.
    let takeover =
        handle(&mut record, &mut None, &lead, set_mode(Mode::Takeover, false), None, minute).unwrap();
    assert_eq!(takeover.audit[0].detail, None);
    // Past the guard (three minutes by default), nobody is asked.
    handle(&mut record, &mut None, &lead, set_mode(Mode::Monitor, false), None, minute).unwrap();
    handle(&mut record, &mut None, &lead, set_mode(Mode::Barge, false), None, 3 * minute).unwrap();
    // A team that turned the guard off.
    let (mut record, _, _) = live_call();
    record.init.settings.early_barge_minutes = 0;
    arrive(&mut record, &lead);
    handle(&mut record, &mut None, &lead, set_mode(Mode::Barge, false), None, 1).unwrap();
}

pub(super) fn second(customer_db: f32) -> HealthSample {
    HealthSample {
        window_ms: 1000,
        agent_talk_ms: 300,
        customer_talk_ms: 600,
        overtalk_ms: 0,
        silence_ms: 0,
        customer_db: Some(customer_db),
        customer_baseline_db: Some(-30.0),
        agent_talk_total_ms: 10_000,
        customer_talk_total_ms: 10_000,
    }
}

#[test]
fn health_samples_raise_and_clear_flags_on_the_team_feed_and_in_the_audit_trail() {
    let (mut record, agent, customer) = live_call();
    let mut tracker = None;
    let mut observe = |record: &mut CallRecord, db: f32, at: u64| {
        observe_health(record, &mut tracker, &agent, &second(db), None, at).unwrap()
    };
    let quiet = observe(&mut record, -30.0, 1_000);
    assert!(quiet.summary.is_none() && quiet.audit.is_empty() && quiet.events.is_empty());
    let rev = record.summary_rev;
    let mut effects: Vec<Effects> = (2..=4).map(|s| observe(&mut record, -15.0, s * 1000)).collect();
    let raised = effects.pop().unwrap();
    assert!(effects.iter().all(|fx| fx.summary.is_none()), "not before three seconds");
    let summary = raised.summary.expect("the feed learns of the flag");
    assert_eq!(summary.rev, rev + 1);
    assert_eq!(summary.health_flags, record.health_flags);
    assert_eq!(record.health_flags[0].reason(4_000), "customer loud for 3 s");
    assert_eq!(raised.audit[0].kind, "flag_raised");
    assert_eq!(raised.audit[0].target.as_deref(), Some("customer_loud"));
    assert_eq!(raised.audit[0].detail.as_deref(), Some("+15 dB over their usual level"));
    assert!(raised.events.is_empty(), "nobody's socket hears of it, only the console feed");
    let cleared: Vec<Effects> = (5..=9).map(|s| observe(&mut record, -30.0, s * 1000)).collect();
    let cleared = cleared.last().unwrap();
    assert_eq!(cleared.audit[0].kind, "flag_cleared");
    assert_eq!(cleared.audit[0].detail.as_deref(), Some("after 8 s"));
    assert!(record.health_flags.is_empty() && cleared.summary.is_some());
    // Only the agent's hub reports, and only samples that can be.
    let not_agent = observe_health(&mut record, &mut None, &customer, &second(-30.0), None, 0).unwrap_err();
    assert_eq!(not_agent.code(), "not_allowed");
    let nan = observe_health(&mut record, &mut None, &agent, &second(f32::NAN), Some(2), 0).unwrap_err();
    assert_eq!((nan.code(), nan.reference()), ("invalid", Some(2)));
}

#[test]
fn a_tracker_rebuilt_after_eviction_keeps_the_raised_flags() {
    let (mut record, agent, _) = live_call();
    let mut tracker = None;
    for s in 1..=3 {
        observe_health(&mut record, &mut tracker, &agent, &second(-15.0), None, s * 1000).unwrap();
    }
    assert_eq!(record.health_flags.len(), 1);
    let mut fresh = None;
    let still = observe_health(&mut record, &mut fresh, &agent, &second(-15.0), None, 4_000).unwrap();
    assert!(still.audit.is_empty() && record.health_flags.len() == 1, "no second raise");
}

#[test]
fn levels_go_to_supervisors_only() {
    let (mut record, agent, customer) = live_call();
    let report =
        |levels: Vec<PartyLevel>, hears: Vec<PartyLevel>| CallRequest::Levels(LevelReport { levels, hears });
    let said = vec![PartyLevel { party: Party::Customer, db: -20.0 }];
    let heard = vec![PartyLevel { party: Party::Agent, db: -21.0 }];
    let relayed = request(&mut record, &agent, report(said.clone(), heard.clone()), None).unwrap();
    let expected = CallEvent::Levels(LevelReport { levels: said.clone(), hears: heard });
    assert_eq!(relayed.events, vec![(Recipient::Supervisors, expected)]);
    let refused = request(&mut record, &customer, report(said, vec![]), None).unwrap_err();
    assert_eq!(refused.code(), "not_allowed");
    let bad = vec![PartyLevel { party: Party::Agent, db: f32::INFINITY }];
    assert_eq!(
        request(&mut record, &agent, report(bad.clone(), vec![]), None).unwrap_err().code(),
        "invalid"
    );
    assert_eq!(request(&mut record, &agent, report(vec![], bad), None).unwrap_err().code(), "invalid");
    let many = vec![PartyLevel { party: Party::Agent, db: -10.0 }; MAX_LEVELS + 1];
    assert!(request(&mut record, &agent, report(many.clone(), vec![]), None).is_err());
    assert!(request(&mut record, &agent, report(vec![], many), None).is_err());
}
