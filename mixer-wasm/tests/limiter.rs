//! Property tests of the look-ahead limiter alone: bit-exact (delayed) below the ceiling, never
//! above it at any level, a gain that moves in small steps, and a release that ends at unity.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use earshot_mixer::limiter::{Limiter, CEILING};
use proptest::prelude::*;

/// Any finite sample a mixer sum can be: 1024 sanitised inputs (≤ 1e6) at the largest gain (16).
fn level() -> impl Strategy<Value = f32> {
    prop_oneof![Just(0.5f32), Just(1.0), 0.0f32..4.0, 1.0f32..1e3, Just(1.6e10)]
}

/// A signal of `frames` samples: a few sines and some noise-like jumps, scaled to `level`.
fn signal() -> impl Strategy<Value = Vec<f32>> {
    (level(), proptest::collection::vec(-1.0f32..1.0, 1..400), 0.001f32..0.3).prop_map(|(level, jumps, w)| {
        (0..4000).map(|t| level * (0.6 * (w * t as f32).sin() + 0.4 * jumps[t % jumps.len()])).collect()
    })
}

fn blocks() -> impl Strategy<Value = usize> {
    prop_oneof![Just(1usize), Just(128), 1usize..300]
}

proptest! {
    #[test]
    fn the_ceiling_is_never_passed(signal in signal(), block in blocks(), rate in 8_000.0f32..192_000.0) {
        let mut limiter = Limiter::new(rate);
        let mut out = signal.clone();
        out.chunks_mut(block).for_each(|b| limiter.process(b));
        prop_assert!(out.iter().all(|y| y.is_finite() && y.abs() <= CEILING));
    }

    #[test]
    fn under_the_ceiling_the_output_is_the_input_delayed(signal in signal(), block in blocks()) {
        let peak = signal.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let scale = if peak > CEILING { CEILING / peak } else { 1.0 };
        let quiet: Vec<f32> = signal.iter().map(|x| (x * scale).clamp(-CEILING, CEILING)).collect();
        let mut limiter = Limiter::new(48_000.0);
        let mut out = quiet.clone();
        out.chunks_mut(block).for_each(|b| limiter.process(b));
        let late = limiter.latency();
        prop_assert!(out[..late].iter().all(|&y| y == 0.0));
        prop_assert!(out[late..].iter().zip(&quiet).all(|(y, x)| y.to_bits() == x.to_bits()));
    }

    #[test]
    fn the_gain_moves_in_small_steps_and_returns_to_unity(signal in signal()) {
        let mut limiter = Limiter::new(48_000.0);
        let largest_step = 1.0 / (limiter.latency() + 1) as f32 + 1e-6;
        let mut previous = 1.0;
        let mut pending = std::collections::VecDeque::from(vec![0.0f32; limiter.latency()]);
        // One frame at a time, so every applied gain is seen; then 1.5 s of silence.
        for x in signal.into_iter().chain(std::iter::repeat_n(0.0, 72_000)) {
            let mut y = x;
            limiter.process(std::slice::from_mut(&mut y));
            let gain = limiter.gain();
            prop_assert!((gain - previous).abs() <= largest_step, "step {previous} → {gain}");
            previous = gain;
            // The gain alone keeps the sample under the ceiling: the final clamp only absorbs rounding.
            pending.push_back(x);
            let delayed = pending.pop_front().unwrap();
            prop_assert!((delayed * gain).abs() <= CEILING * (1.0 + 1e-6), "{delayed} × {gain}");
            prop_assert_eq!(y, (delayed * gain).clamp(-CEILING, CEILING));
        }
        prop_assert_eq!(limiter.gain(), 1.0);
    }
}
