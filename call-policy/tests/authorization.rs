//! Who may change which mode: the whole authorization matrix, every refusal path, and random
//! request sequences that must never leave a call in a state the policy forbids.

use earshot_policy::{routing, Actor, Call, Listener, Mode, ModeSet, Party, Refusal, Role, MAX_SUPERVISORS};
use proptest::prelude::*;

const OWN_TEAM: &str = "blue";
const OTHER_TEAM: &str = "green";

fn supervisor<'a>(id: &'a str, team: &'a str, capabilities: ModeSet) -> Actor<'a> {
    Actor { id, role: Role::Supervisor, team, capabilities }
}

fn call() -> Call {
    Call::new(OWN_TEAM)
}

/// Role × mode × own/other team × capabilities × exemption × consent, against the rule written as
/// one boolean expression.
#[test]
fn the_authorization_matrix() {
    let roles = [Role::Customer, Role::Agent, Role::Supervisor];
    let capability_sets = [ModeSet::EMPTY, ModeSet::MONITOR_ONLY, ModeSet::ALL];
    let exemptions =
        [ModeSet::EMPTY, ModeSet::of(&[Mode::Barge]), ModeSet::of(&[Mode::Barge, Mode::Takeover])];
    let consents = [(false, false), (true, false), (true, true)];
    let mut cases = 0;
    for role in roles {
        for team in [OWN_TEAM, OTHER_TEAM] {
            for capabilities in capability_sets {
                for exempt in exemptions {
                    for (required, acknowledged) in consents {
                        for mode in Mode::ALL {
                            let mut call = call();
                            call.agent_exempt_from = exempt;
                            call.consent.required = required;
                            call.consent.acknowledged = acknowledged;
                            let actor = Actor { id: "x", role, team, capabilities };
                            let result = call.authorize(&actor, "x", mode);

                            let allowed = role == Role::Supervisor
                                && team == OWN_TEAM
                                && (mode == Mode::None
                                    || (capabilities.contains(mode)
                                        && !exempt.contains(mode)
                                        && (!required || acknowledged)));
                            assert_eq!(result.is_ok(), allowed, "{role:?} {team} {capabilities:?} {exempt:?} consent={required}/{acknowledged} {mode:?}: {result:?}");
                            if role != Role::Supervisor {
                                assert_eq!(result, Err(Refusal::NotASupervisor { role }));
                            } else if team == OTHER_TEAM {
                                assert_eq!(result, Err(Refusal::OtherTeam));
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(cases, 3 * 2 * 3 * 3 * 3 * 5);
}

#[test]
fn a_monitor_only_lead_cannot_barge_or_whisper() {
    let mut call = call();
    let lead = supervisor("lead", OWN_TEAM, ModeSet::MONITOR_ONLY);
    assert!(call.request_mode(&lead, "lead", Mode::Monitor).is_ok());
    for mode in [Mode::Whisper, Mode::Barge, Mode::Takeover] {
        assert_eq!(call.request_mode(&lead, "lead", mode), Err(Refusal::MissingCapability { mode }));
    }
    assert_eq!(call.supervisor("lead").unwrap().mode, Mode::Monitor, "a refusal changes nothing");
}

#[test]
fn barge_on_an_exempt_agent_is_refused_but_whisper_is_not() {
    let mut call = call();
    call.agent_exempt_from = ModeSet::of(&[Mode::Barge]);
    let s = supervisor("s", OWN_TEAM, ModeSet::ALL);
    assert_eq!(call.request_mode(&s, "s", Mode::Barge), Err(Refusal::AgentExempt { mode: Mode::Barge }));
    assert!(call.request_mode(&s, "s", Mode::Whisper).is_ok());
    assert!(call.request_mode(&s, "s", Mode::Takeover).is_ok(), "exemptions are per mode");
}

#[test]
fn customers_and_agents_never_change_a_supervisors_mode() {
    let mut call = call();
    let s = supervisor("s", OWN_TEAM, ModeSet::ALL);
    call.request_mode(&s, "s", Mode::Barge).unwrap();
    for role in [Role::Customer, Role::Agent] {
        let actor = Actor { id: "a", role, team: OWN_TEAM, capabilities: ModeSet::ALL };
        for mode in Mode::ALL {
            assert_eq!(call.request_mode(&actor, "s", mode), Err(Refusal::NotASupervisor { role }));
            assert_eq!(call.request_mode(&actor, "a", mode), Err(Refusal::NotASupervisor { role }));
        }
    }
    assert_eq!(call.supervisor("s").unwrap().mode, Mode::Barge);
}

#[test]
fn a_supervisor_changes_only_their_own_mode() {
    let mut call = call();
    let lead = supervisor("lead", OWN_TEAM, ModeSet::ALL);
    let trainee = supervisor("trainee", OWN_TEAM, ModeSet::ALL);
    call.request_mode(&trainee, "trainee", Mode::Monitor).unwrap();
    assert_eq!(call.request_mode(&lead, "trainee", Mode::None), Err(Refusal::NotYourOwn));
}

#[test]
fn a_supervisor_of_another_team_can_never_join() {
    let mut call = call();
    let stranger = supervisor("g", OTHER_TEAM, ModeSet::ALL);
    for mode in Mode::ALL {
        assert_eq!(call.request_mode(&stranger, "g", mode), Err(Refusal::OtherTeam));
    }
    assert!(call.supervisors.is_empty());
}

#[test]
fn listening_waits_for_consent_but_joining_silently_does_not() {
    let mut call = call();
    call.consent.required = true;
    let s = supervisor("s", OWN_TEAM, ModeSet::ALL);
    for mode in [Mode::Monitor, Mode::Whisper, Mode::Barge, Mode::Takeover] {
        assert_eq!(call.request_mode(&s, "s", mode), Err(Refusal::AwaitingConsent));
    }
    assert_eq!(call.authorize_recording(), Err(Refusal::AwaitingConsent));
    assert!(call.request_mode(&s, "s", Mode::None).is_ok());
    call.consent.acknowledged = true;
    assert!(call.request_mode(&s, "s", Mode::Monitor).is_ok());
    assert_eq!(call.authorize_recording(), Ok(()));
}

#[test]
fn one_takeover_at_a_time() {
    let mut call = call();
    let a = supervisor("a", OWN_TEAM, ModeSet::ALL);
    let b = supervisor("b", OWN_TEAM, ModeSet::ALL);
    call.request_mode(&a, "a", Mode::Takeover).unwrap();
    assert_eq!(call.request_mode(&b, "b", Mode::Takeover), Err(Refusal::TakeoverHeld { by: "a".into() }));
    assert!(call.request_mode(&a, "a", Mode::Takeover).is_ok(), "re-asserting your own takeover is fine");
    call.request_mode(&a, "a", Mode::Barge).unwrap();
    assert!(call.request_mode(&b, "b", Mode::Takeover).is_ok(), "released takeover can be taken");
}

#[test]
fn a_call_takes_a_bounded_number_of_supervisors() {
    let mut call = call();
    let ids: Vec<String> = (0..=MAX_SUPERVISORS).map(|i| format!("s{i}")).collect();
    for id in &ids[..MAX_SUPERVISORS] {
        call.request_mode(&supervisor(id, OWN_TEAM, ModeSet::ALL), id, Mode::Monitor).unwrap();
    }
    let late = &ids[MAX_SUPERVISORS];
    let refused = call.request_mode(&supervisor(late, OWN_TEAM, ModeSet::ALL), late, Mode::Monitor);
    assert_eq!(refused, Err(Refusal::CallFull { max: MAX_SUPERVISORS }));
    let present = &ids[0];
    assert!(call.request_mode(&supervisor(present, OWN_TEAM, ModeSet::ALL), present, Mode::Whisper).is_ok());
}

#[test]
fn transitions_name_previous_and_new_modes() {
    let mut call = call();
    let s = supervisor("s", OWN_TEAM, ModeSet::ALL);
    let joined = call.request_mode(&s, "s", Mode::Monitor).unwrap();
    assert_eq!((joined.from, joined.to), (None, Some(Mode::Monitor)));
    let changed = call.request_mode(&s, "s", Mode::Barge).unwrap();
    assert_eq!((changed.from, changed.to), (Some(Mode::Monitor), Some(Mode::Barge)));
    let left = call.leave("s").unwrap();
    assert_eq!((left.from, left.to), (Some(Mode::Barge), None));
    assert_eq!(call.leave("s"), Err(Refusal::NotInCall));
}

#[test]
fn an_authorized_transition_applied_later_is_the_same_change_as_requesting_it() {
    let s = supervisor("s", OWN_TEAM, ModeSet::ALL);
    for (first, then) in
        [(None, Mode::None), (Some(Mode::Barge), Mode::None), (Some(Mode::Monitor), Mode::Takeover)]
    {
        let mut requested = call();
        if let Some(mode) = first {
            requested.request_mode(&s, "s", mode).unwrap();
        }
        let mut applied = requested.clone();
        let transition = applied.authorize(&s, "s", then).unwrap();
        applied.apply(&transition);
        assert_eq!(requested.request_mode(&s, "s", then).unwrap(), transition);
        assert_eq!(applied, requested, "{first:?} then {then:?}");
    }
    let mut call = call();
    call.request_mode(&s, "s", Mode::Whisper).unwrap();
    call.apply(&earshot_policy::Transition { supervisor: "s".into(), from: Some(Mode::Whisper), to: None });
    assert!(call.supervisors.is_empty(), "a transition to nothing removes the supervisor");
}

#[test]
fn a_partys_key_is_its_one_string_spelling() {
    assert_eq!(Party::Agent.key(), "agent");
    assert_eq!(Party::Customer.key(), "customer");
    assert_eq!(Party::Supervisor("lead-1".into()).key(), "supervisor:lead-1");
}

#[test]
fn a_supervisor_who_leaves_during_takeover_hands_the_call_back() {
    for mode in [Mode::Barge, Mode::Takeover] {
        let mut call = call();
        let s = supervisor("s", OWN_TEAM, ModeSet::ALL);
        call.request_mode(&s, "s", mode).unwrap();
        call.leave("s").unwrap();
        let matrix = routing(&call);
        assert_eq!(matrix.heard_by(&Listener::Customer), vec![&Party::Agent], "after {mode:?}");
        assert_eq!(matrix.heard_by(&Listener::Agent), vec![&Party::Customer], "after {mode:?}");
    }
}

#[test]
fn refusals_serialize_with_a_reason_tag_and_explain_themselves() {
    let refusal = Refusal::MissingCapability { mode: Mode::Barge };
    assert_eq!(
        serde_json::to_value(&refusal).unwrap(),
        serde_json::json!({"reason": "missing_capability", "mode": "barge"})
    );
    assert_eq!(refusal.to_string(), "your role may not use Barge");
}

#[derive(Debug, Clone)]
enum Request {
    Mode { actor: usize, target: usize, mode: Mode },
    Leave { who: usize },
}

fn request() -> impl Strategy<Value = Request> {
    let mode = prop::sample::select(Mode::ALL.to_vec());
    prop_oneof![
        4 => (0..8usize, 0..8usize, mode).prop_map(|(actor, target, mode)| Request::Mode { actor, target, mode }),
        1 => (0..8usize).prop_map(|who| Request::Leave { who }),
    ]
}

/// Eight would-be participants: full and monitor-only supervisors of both teams, a customer, an agent.
fn actors() -> Vec<Actor<'static>> {
    vec![
        supervisor("s0", OWN_TEAM, ModeSet::ALL),
        supervisor("s1", OWN_TEAM, ModeSet::ALL),
        supervisor("s2", OWN_TEAM, ModeSet::MONITOR_ONLY),
        supervisor("s3", OWN_TEAM, ModeSet::of(&[Mode::Monitor, Mode::Whisper])),
        supervisor("s4", OWN_TEAM, ModeSet::ALL),
        supervisor("g0", OTHER_TEAM, ModeSet::ALL),
        Actor { id: "c", role: Role::Customer, team: OWN_TEAM, capabilities: ModeSet::EMPTY },
        Actor { id: "a", role: Role::Agent, team: OWN_TEAM, capabilities: ModeSet::ALL },
    ]
}

proptest! {
    #[test]
    fn random_request_sequences_keep_every_invariant(
        requests in prop::collection::vec(request(), 1..60),
        exempt_barge in any::<bool>(),
    ) {
        let actors = actors();
        let mut call = call();
        if exempt_barge {
            call.agent_exempt_from = ModeSet::of(&[Mode::Barge]);
        }
        for request in requests {
            let before = call.clone();
            let result = match request {
                Request::Mode { actor, target, mode } => {
                    call.request_mode(&actors[actor], actors[target].id, mode).map(|_| ())
                }
                Request::Leave { who } => call.leave(actors[who].id).map(|_| ()),
            };
            if result.is_err() {
                prop_assert_eq!(&call, &before, "a refused request changed the call");
            }
            prop_assert!(call.supervisors.len() <= MAX_SUPERVISORS);
            prop_assert!(call.supervisors.iter().filter(|s| s.mode == Mode::Takeover).count() <= 1);
            for present in &call.supervisors {
                let actor = actors.iter().find(|a| a.id == present.id).unwrap();
                prop_assert_eq!(actor.role, Role::Supervisor);
                prop_assert_eq!(actor.team, OWN_TEAM);
                prop_assert!(present.mode == Mode::None || actor.capabilities.contains(present.mode));
                prop_assert!(!call.agent_exempt_from.contains(present.mode));
            }
            let matrix = routing(&call);
            for present in &call.supervisors {
                let party = Party::Supervisor(present.id.clone());
                let heard = matrix.hears(&Listener::Customer, &party);
                prop_assert_eq!(heard, matches!(present.mode, Mode::Barge | Mode::Takeover));
            }
        }
    }
}
