//! The secure pause, checked for every combination of modes for one to four supervisors and every
//! recording policy: while paused nobody but the agent hears the customer, only the customer hears
//! the agent, no supervisor hears or is heard, nothing is recorded; who may pause; what is refused.

use earshot_policy::{
    routing, Actor, Call, Listener, Mode, ModeSet, Party, RecordingPolicy, Refusal, Role, Supervisor,
};

/// Every assignment of modes to `n` supervisors (5^n of them).
fn mode_combinations(n: usize) -> Vec<Vec<Mode>> {
    (0..n).fold(vec![Vec::new()], |combos, _| {
        combos
            .into_iter()
            .flat_map(|prefix| {
                Mode::ALL.into_iter().map(move |mode| {
                    let mut next = prefix.clone();
                    next.push(mode);
                    next
                })
            })
            .collect()
    })
}

const RECORDINGS: [RecordingPolicy; 3] = [
    RecordingPolicy { active: false, include_whisper: false },
    RecordingPolicy { active: true, include_whisper: false },
    RecordingPolicy { active: true, include_whisper: true },
];

fn call_with(modes: &[Mode], recording: RecordingPolicy, paused: bool) -> Call {
    let mut call = Call::new("blue");
    call.recording = recording;
    call.paused = paused;
    call.supervisors =
        modes.iter().enumerate().map(|(i, mode)| Supervisor { id: format!("s{i}"), mode: *mode }).collect();
    call
}

fn actor(id: &str, role: Role) -> Actor<'_> {
    let capabilities = if role == Role::Supervisor { ModeSet::ALL } else { ModeSet::EMPTY };
    Actor { id, role, team: "blue", capabilities }
}

#[test]
fn while_paused_the_call_is_the_agent_and_the_customer_alone() {
    let mut checked = 0;
    for n in 1..=4 {
        for modes in mode_combinations(n) {
            for recording in RECORDINGS {
                let call = call_with(&modes, recording, true);
                let matrix = routing(&call);
                let context = format!("modes {modes:?}, {recording:?}");
                assert_eq!(
                    matrix.heard_by(&Listener::Customer),
                    vec![&Party::Agent],
                    "the customer hears the agent only: {context}"
                );
                assert_eq!(
                    matrix.heard_by(&Listener::Agent),
                    vec![&Party::Customer],
                    "the agent hears the customer only: {context}"
                );
                for listener in &matrix.listeners {
                    let hears_customer = matrix.hears(listener, &Party::Customer);
                    let hears_agent = matrix.hears(listener, &Party::Agent);
                    assert_eq!(hears_customer, *listener == Listener::Agent, "{listener:?}: {context}");
                    assert_eq!(hears_agent, *listener == Listener::Customer, "{listener:?}: {context}");
                }
                for i in 0..n {
                    let listener = Listener::Supervisor(format!("s{i}"));
                    assert!(matrix.heard_by(&listener).is_empty(), "s{i} hears nothing: {context}");
                }
                for recording_channel in [Listener::RecordingCustomer, Listener::RecordingAgent] {
                    assert!(
                        matrix.heard_by(&recording_channel).is_empty(),
                        "{recording_channel:?}: {context}"
                    );
                }
                // The modes are kept: the same call unpaused routes exactly as it did before.
                let resumed = call_with(&modes, recording, false);
                let mut unpaused = call.clone();
                unpaused.paused = false;
                assert_eq!(routing(&unpaused), routing(&resumed), "resume restores the matrix: {context}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * (5 + 25 + 125 + 625));
}

#[test]
fn resuming_brings_supervisors_and_the_recording_back() {
    let recording = RecordingPolicy { active: true, include_whisper: false };
    let mut call = call_with(&[Mode::Monitor, Mode::Barge], recording, true);
    call.paused = false;
    let matrix = routing(&call);
    assert_eq!(matrix.heard_by(&Listener::Supervisor("s0".into())).len(), 3, "agent, customer, s1");
    assert!(matrix.hears(&Listener::Customer, &Party::Supervisor("s1".into())));
    assert_eq!(matrix.heard_by(&Listener::RecordingCustomer), vec![&Party::Customer]);
    assert!(matrix.hears(&Listener::RecordingAgent, &Party::Agent));
}

#[test]
fn only_the_calls_agent_may_pause() {
    let call = Call::new("blue");
    assert_eq!(call.authorize_pause(&actor("a1", Role::Agent)), Ok(()));
    for role in [Role::Supervisor, Role::Customer] {
        assert_eq!(call.authorize_pause(&actor("x", role)), Err(Refusal::NotTheAgent { role }));
    }
    let other_team = Actor { team: "red", ..actor("a2", Role::Agent) };
    assert_eq!(call.authorize_pause(&other_team), Err(Refusal::OtherTeam));
}

#[test]
fn while_paused_nobody_starts_being_heard() {
    for from in Mode::ALL {
        let mut call = call_with(&[from], RecordingPolicy::default(), true);
        let lead = actor("s0", Role::Supervisor);
        for to in Mode::ALL {
            let result = call.authorize(&lead, "s0", to);
            if to.agent_hears() {
                let refusal = result.expect_err("whisper, barge and takeover wait for the pause's end");
                assert_eq!(refusal, Refusal::SecurePause { mode: to });
                assert!(refusal.to_string().contains("secure pause"), "{refusal}");
            } else {
                assert!(result.is_ok(), "{from:?} → {to:?} is allowed while paused (it is heard by nobody)");
            }
        }
        // A newcomer may join (in no mode) and monitor, hearing nothing until the pause ends.
        let newcomer = actor("s9", Role::Supervisor);
        assert!(call.request_mode(&newcomer, "s9", Mode::None).is_ok());
        assert!(call.request_mode(&newcomer, "s9", Mode::Monitor).is_ok());
        assert!(routing(&call).heard_by(&Listener::Supervisor("s9".into())).is_empty());
        // Leaving is always allowed.
        assert!(call.leave("s0").is_ok());
    }
}
