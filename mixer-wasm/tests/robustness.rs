//! Property tests: whatever the control messages, block sizes and input samples (NaN, ±Inf, huge),
//! `process` neither panics nor lets a non-finite sample or one over the limiter's ceiling out.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use earshot_mixer::limiter::CEILING;
use earshot_mixer::{Mixer, MixerConfig, ToneSpec};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Matrix(usize, usize, Vec<f32>, Option<f32>),
    Gain(usize, usize, f32, Option<f32>),
    Resize(usize, usize),
    Ramp(f32),
    Tone(f32, f32, Vec<usize>),
    Process(usize, Vec<f32>),
}

fn sample() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => -1.5f32..1.5,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => Just(f32::MAX),
        1 => Just(f32::MIN_POSITIVE / 8.0),
    ]
}

fn gain() -> impl Strategy<Value = f32> {
    prop_oneof![Just(0.0f32), Just(1.0), 0.0f32..20.0, Just(f32::NAN), Just(-1.0)]
}

fn op() -> impl Strategy<Value = Op> {
    let ramp = proptest::option::of(-1.0f32..50.0);
    prop_oneof![
        (0usize..5, 0usize..5, proptest::collection::vec(gain(), 0..20), ramp.clone())
            .prop_map(|(o, i, g, r)| Op::Matrix(o, i, g, r)),
        (0usize..5, 0usize..5, gain(), ramp).prop_map(|(o, i, g, r)| Op::Gain(o, i, g, r)),
        (0usize..5, 0usize..5).prop_map(|(i, o)| Op::Resize(i, o)),
        (-5.0f32..100.0).prop_map(Op::Ramp),
        (-100.0f32..30_000.0, 0.0f32..2.0, proptest::collection::vec(0usize..5, 0..4))
            .prop_map(|(hz, g, outs)| Op::Tone(hz, g, outs)),
        (0usize..300, proptest::collection::vec(sample(), 0..64)).prop_map(|(f, s)| Op::Process(f, s)),
    ]
}

proptest! {
    #[test]
    fn outputs_stay_finite_and_under_the_ceiling(ops in proptest::collection::vec(op(), 1..40)) {
        let (inputs, outputs) = (4, 4);
        let mut mixer = Mixer::new(MixerConfig { queue_capacity: 8, ..MixerConfig::new(48_000.0, inputs, outputs) }).unwrap();
        for op in ops {
            // Control calls may refuse (that is their job); they must not panic.
            let _ = match op {
                Op::Matrix(o, i, gains, ramp) => mixer.set_matrix(o, i, &gains, ramp),
                Op::Gain(o, i, g, ramp) => mixer.set_gain(o, i, g, ramp),
                Op::Resize(i, o) => mixer.resize(i, o),
                Op::Ramp(ms) => mixer.set_ramp_ms(ms),
                Op::Tone(hz, g, outs) => {
                    mixer.play_tone(ToneSpec { frequency_hz: hz, gain: g, ..ToneSpec::JOIN_BEEP }, &outs)
                }
                Op::Process(frames, pattern) => {
                    let mut input: Vec<f32> =
                        (0..inputs * frames).map(|k| pattern.get(k % pattern.len().max(1)).copied().unwrap_or(0.5)).collect();
                    let mut output = vec![f32::NAN; outputs * frames];
                    mixer.process(&mut input, &mut output, frames).unwrap();
                    prop_assert!(output.iter().all(|x| x.is_finite() && x.abs() <= CEILING), "{:?}", output);
                    Ok(())
                }
            };
        }
    }
}
