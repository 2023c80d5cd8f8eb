//! The join tone, checked for every transition of one supervisor next to every mode combination of
//! up to three others.

use earshot_policy::{join_tone, routing, Call, Listener, Mode, Party, Supervisor};

/// Every assignment of modes to `n` supervisors, at most one of them in takeover (the policy allows
/// no more).
fn others(n: usize) -> Vec<Vec<Mode>> {
    let all = (0..n).fold(vec![Vec::new()], |combos, _| {
        combos
            .into_iter()
            .flat_map(|prefix: Vec<Mode>| {
                Mode::ALL.into_iter().map(move |mode| [prefix.clone(), vec![mode]].concat())
            })
            .collect()
    });
    all.into_iter().filter(|modes| modes.iter().filter(|m| **m == Mode::Takeover).count() <= 1).collect()
}

/// The call with the other supervisors, and `target` (absent when `None`) first or last.
fn call(others: &[Mode], target: Option<Mode>, target_first: bool) -> Call {
    let mut call = Call::new("blue");
    call.supervisors =
        others.iter().enumerate().map(|(i, mode)| Supervisor { id: format!("o{i}"), mode: *mode }).collect();
    if let Some(mode) = target {
        let index = if target_first { 0 } else { call.supervisors.len() };
        call.supervisors.insert(index, Supervisor { id: "s".into(), mode });
    }
    call
}

/// The target's state before or after: absent, or one of the five modes.
const STATES: [Option<Mode>; 6] = [
    None,
    Some(Mode::None),
    Some(Mode::Monitor),
    Some(Mode::Whisper),
    Some(Mode::Barge),
    Some(Mode::Takeover),
];

/// Calls `check(before, after, others, tone)` for every transition in every surrounding call.
fn for_every_transition(mut check: impl FnMut(Option<Mode>, Option<Mode>, &[Mode], &[Listener])) -> usize {
    let mut checked = 0;
    for n in 0..=3 {
        for others in others(n) {
            let takeover_taken = others.contains(&Mode::Takeover);
            for before in STATES {
                for after in STATES {
                    if takeover_taken && (before == Some(Mode::Takeover) || after == Some(Mode::Takeover)) {
                        continue; // two takeovers at once is a state the policy never reaches
                    }
                    for first in [true, false] {
                        let tone =
                            join_tone(&call(&others, before, first), &call(&others, after, first), "s");
                        check(before, after, &others, &tone);
                        checked += 1;
                    }
                }
            }
        }
    }
    checked
}

// The brief's hearing table, written out rather than taken from the policy's own helpers.
fn agent_hears(mode: Option<Mode>) -> bool {
    matches!(mode, Some(Mode::Whisper | Mode::Barge | Mode::Takeover))
}

fn customer_hears(mode: Option<Mode>) -> bool {
    matches!(mode, Some(Mode::Barge | Mode::Takeover))
}

fn listens(mode: Option<Mode>) -> bool {
    matches!(mode, Some(Mode::Monitor | Mode::Whisper | Mode::Barge | Mode::Takeover))
}

#[test]
fn the_agent_is_toned_when_a_supervisor_starts_listening_or_being_heard() {
    let checked = for_every_transition(|before, after, others, tone| {
        let expected = (!listens(before) && listens(after)) || (!agent_hears(before) && agent_hears(after));
        assert_eq!(tone.contains(&Listener::Agent), expected, "{before:?} -> {after:?} beside {others:?}");
    });
    // 85 surroundings without a takeover (4^0 + … + 4^3) × 36 transitions, 57 with one (1 + 2·4 + 3·16)
    // × 25 (the target never takes over beside them), each with the target first and last.
    assert_eq!(checked, (85 * 36 + 57 * 25) * 2);
}

#[test]
fn the_customer_is_toned_only_when_they_start_hearing_the_supervisor() {
    for_every_transition(|before, after, others, tone| {
        let expected = !customer_hears(before) && customer_hears(after);
        assert_eq!(tone.contains(&Listener::Customer), expected, "{before:?} -> {after:?} beside {others:?}");
    });
}

#[test]
fn a_supervisor_the_customer_does_not_hear_never_tones_the_customer() {
    for_every_transition(|_, after, others, tone| {
        if matches!(after, None | Some(Mode::None | Mode::Monitor | Mode::Whisper)) {
            assert!(!tone.contains(&Listener::Customer), "{after:?} beside {others:?}: {tone:?}");
        }
        // Only the agent and the customer ever hear a tone, each at most once, agent first.
        assert!(matches!(
            tone,
            [] | [Listener::Agent] | [Listener::Customer] | [Listener::Agent, Listener::Customer]
        ));
    });
}

#[test]
fn a_customer_tone_always_comes_with_the_supervisor_in_the_customers_mix() {
    for n in 0..=3 {
        for others in others(n).into_iter().filter(|o| !o.contains(&Mode::Takeover)) {
            for (from, to) in
                [(Mode::Whisper, Mode::Barge), (Mode::None, Mode::Takeover), (Mode::Monitor, Mode::Barge)]
            {
                let after = call(&others, Some(to), false);
                let tone = join_tone(&call(&others, Some(from), false), &after, "s");
                assert!(tone.contains(&Listener::Customer), "{from:?} -> {to:?} beside {others:?}");
                assert!(routing(&after).hears(&Listener::Customer, &Party::Supervisor("s".into())));
            }
        }
    }
}

/// The usual escalation for one supervisor, step by step, written out literally.
#[test]
fn one_supervisor_escalating_and_stepping_back() {
    use Listener::{Agent as A, Customer as C};
    let steps: [(Option<Mode>, Mode, Vec<Listener>); 10] = [
        (Some(Mode::None), Mode::Monitor, vec![A]),
        (Some(Mode::Monitor), Mode::Whisper, vec![A]),
        (Some(Mode::Whisper), Mode::Barge, vec![C]),
        (Some(Mode::Barge), Mode::Takeover, vec![]),
        (Some(Mode::Takeover), Mode::Barge, vec![]),
        (Some(Mode::Barge), Mode::Monitor, vec![]),
        (Some(Mode::Monitor), Mode::None, vec![]),
        (Some(Mode::None), Mode::Barge, vec![A, C]),
        (Some(Mode::None), Mode::None, vec![]),
        (None, Mode::Whisper, vec![A]),
    ];
    for (from, to, expected) in steps {
        assert_eq!(
            join_tone(&call(&[], from, true), &call(&[], Some(to), true), "s"),
            expected,
            "{from:?} -> {to:?}"
        );
    }
}
