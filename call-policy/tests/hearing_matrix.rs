//! The hearing matrix, checked for every combination of modes for one to four supervisors.

use earshot_policy::{routing, Call, GainMatrix, Listener, Mode, Party, RecordingPolicy, Supervisor};

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

fn call_with(modes: &[Mode], recording: RecordingPolicy) -> Call {
    let mut call = Call::new("blue");
    call.recording = recording;
    call.supervisors =
        modes.iter().enumerate().map(|(i, mode)| Supervisor { id: format!("s{i}"), mode: *mode }).collect();
    call
}

fn sup(i: usize) -> Party {
    Party::Supervisor(format!("s{i}"))
}

fn sup_listener(i: usize) -> Listener {
    Listener::Supervisor(format!("s{i}"))
}

fn speaks(mode: Mode) -> bool {
    matches!(mode, Mode::Whisper | Mode::Barge | Mode::Takeover)
}

const RECORDINGS: [RecordingPolicy; 3] = [
    RecordingPolicy { active: false, include_whisper: false },
    RecordingPolicy { active: true, include_whisper: false },
    RecordingPolicy { active: true, include_whisper: true },
];

/// Calls `check` for every mode combination of 1..=4 supervisors and every recording policy.
fn for_every_call(mut check: impl FnMut(&[Mode], &Call, &GainMatrix)) -> usize {
    let mut checked = 0;
    for n in 1..=4 {
        for modes in mode_combinations(n) {
            for recording in RECORDINGS {
                let call = call_with(&modes, recording);
                check(&modes, &call, &routing(&call));
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn enumerates_every_combination() {
    let checked = for_every_call(|_, _, _| {});
    assert_eq!(checked, 3 * (5 + 25 + 125 + 625));
}

#[test]
fn the_customer_never_hears_a_supervisor_outside_barge_or_takeover() {
    for_every_call(|modes, _, matrix| {
        for (i, mode) in modes.iter().enumerate() {
            let heard = matrix.hears(&Listener::Customer, &sup(i));
            assert_eq!(heard, matches!(mode, Mode::Barge | Mode::Takeover), "{modes:?} s{i}");
            assert!(!matrix.hears(&Listener::RecordingCustomer, &sup(i)), "{modes:?} s{i}");
        }
    });
}

#[test]
fn nobody_hears_themselves() {
    for_every_call(|modes, _, matrix| {
        for (row, listener) in matrix.listeners.iter().enumerate() {
            for (column, source) in matrix.sources.iter().enumerate() {
                let same = match (listener, source) {
                    (Listener::Customer, Party::Customer) | (Listener::Agent, Party::Agent) => true,
                    (Listener::Supervisor(l), Party::Supervisor(s)) => l == s,
                    _ => false,
                };
                if same {
                    assert_eq!(matrix.gains[row][column], 0.0, "{modes:?} {listener:?}");
                }
            }
        }
    });
}

#[test]
fn agent_and_customer_hear_each_other_except_the_customer_during_takeover() {
    for_every_call(|modes, _, matrix| {
        assert!(matrix.hears(&Listener::Agent, &Party::Customer), "{modes:?}");
        let takeover = modes.contains(&Mode::Takeover);
        assert_eq!(matrix.hears(&Listener::Customer, &Party::Agent), !takeover, "{modes:?}");
    });
}

#[test]
fn the_agent_hears_exactly_the_supervisors_who_speak_into_the_call() {
    for_every_call(|modes, _, matrix| {
        for (i, mode) in modes.iter().enumerate() {
            assert_eq!(matrix.hears(&Listener::Agent, &sup(i)), speaks(*mode), "{modes:?} s{i}");
        }
    });
}

#[test]
fn supervisors_hear_the_call_and_each_other_only_when_the_other_speaks() {
    for_every_call(|modes, _, matrix| {
        for (l, listener_mode) in modes.iter().enumerate() {
            let listener = sup_listener(l);
            let listening = *listener_mode != Mode::None;
            assert_eq!(matrix.hears(&listener, &Party::Agent), listening, "{modes:?} s{l}");
            assert_eq!(matrix.hears(&listener, &Party::Customer), listening, "{modes:?} s{l}");
            for (s, source_mode) in modes.iter().enumerate().filter(|(s, _)| *s != l) {
                let expected = listening && speaks(*source_mode);
                assert_eq!(matrix.hears(&listener, &sup(s)), expected, "{modes:?} s{l}<-s{s}");
            }
        }
    });
}

#[test]
fn a_monitoring_or_idle_supervisor_is_heard_by_nobody() {
    for_every_call(|modes, _, matrix| {
        for (i, mode) in modes.iter().enumerate() {
            if !speaks(*mode) {
                for listener in &matrix.listeners {
                    assert!(!matrix.hears(listener, &sup(i)), "{modes:?} {listener:?} hears s{i}");
                }
            }
        }
    });
}

#[test]
fn recording_channels_follow_the_recording_policy() {
    for_every_call(|modes, call, matrix| {
        let rec = call.recording;
        let expected_customer: Vec<&Party> = if rec.active { vec![&Party::Customer] } else { vec![] };
        assert_eq!(matrix.heard_by(&Listener::RecordingCustomer), expected_customer, "{modes:?}");
        for source in &matrix.sources {
            let whisper = matches!(source, Party::Supervisor(id)
                if call.supervisor(id).unwrap().mode == Mode::Whisper);
            let expected =
                rec.active && (matrix.hears(&Listener::Customer, source) || (whisper && rec.include_whisper));
            let actual = matrix.hears(&Listener::RecordingAgent, source);
            assert_eq!(actual, expected, "{modes:?} {source:?} {rec:?}");
        }
    });
}

#[test]
fn gains_are_unity_or_silence_and_the_shape_is_stable() {
    for_every_call(|modes, _, matrix| {
        assert_eq!(matrix.sources.len(), modes.len() + 2);
        assert_eq!(matrix.listeners.len(), modes.len() + 4);
        assert_eq!(matrix.sources[..2], [Party::Agent, Party::Customer]);
        for row in &matrix.gains {
            assert_eq!(row.len(), matrix.sources.len());
            assert!(row.iter().all(|g| *g == 0.0 || *g == 1.0), "{modes:?} {row:?}");
        }
    });
}

/// The brief's table for one supervisor, row by row, written out literally.
#[test]
fn one_supervisor_matches_the_brief_table() {
    use Party::{Agent as A, Customer as C};
    let s = sup(0);
    // (mode, customer hears, agent hears, supervisor hears)
    type Row<'a> = (Mode, Vec<&'a Party>, Vec<&'a Party>, Vec<&'a Party>);
    let table: [Row; 5] = [
        (Mode::None, vec![&A], vec![&C], vec![]),
        (Mode::Monitor, vec![&A], vec![&C], vec![&A, &C]),
        (Mode::Whisper, vec![&A], vec![&C, &s], vec![&A, &C]),
        (Mode::Barge, vec![&A, &s], vec![&C, &s], vec![&A, &C]),
        (Mode::Takeover, vec![&s], vec![&C, &s], vec![&A, &C]),
    ];
    for (mode, customer, agent, supervisor) in table {
        let matrix = routing(&call_with(&[mode], RECORDINGS[0]));
        assert_eq!(matrix.heard_by(&Listener::Customer), customer, "C in {mode:?}");
        assert_eq!(matrix.heard_by(&Listener::Agent), agent, "A in {mode:?}");
        assert_eq!(matrix.heard_by(&sup_listener(0)), supervisor, "S in {mode:?}");
    }
}

#[test]
fn a_call_without_supervisors_is_a_plain_two_way_call() {
    let matrix = routing(&Call::new("blue"));
    assert_eq!(matrix.heard_by(&Listener::Customer), vec![&Party::Agent]);
    assert_eq!(matrix.heard_by(&Listener::Agent), vec![&Party::Customer]);
}

#[test]
fn the_matrix_serializes_for_the_agent_hub() {
    let matrix = routing(&call_with(&[Mode::Whisper], RECORDINGS[0]));
    let json = serde_json::to_value(&matrix).unwrap();
    assert_eq!(json["sources"], serde_json::json!(["agent", "customer", {"supervisor": "s0"}]));
    assert_eq!(json["listeners"][2], serde_json::json!({"supervisor": "s0"}));
    assert_eq!(json["gains"][0], serde_json::json!([0.0, 1.0, 1.0]));
    let back: GainMatrix = serde_json::from_value(json).unwrap();
    assert_eq!(back, matrix);
}
