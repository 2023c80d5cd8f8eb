//! Changes scheduled on the mixer's clock: a matrix or gain change naming a frame lands on exactly
//! that frame, whatever the block size, in the order sent; past frames mean "now"; the schedule is
//! bounded and says so. A change applies to the mix at its frame, so it is heard the limiter's
//! look-ahead later (`Mixer::latency_frames`): these tests read the output that far on.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

mod common;

use common::{render, RATE};
use earshot_mixer::{Mixer, MixerConfig, MixerError};

/// A 1 × 1 mixer at unity fed a constant, so every output sample shows the gain applied to it.
fn unity() -> Mixer {
    let mut mixer = Mixer::new(MixerConfig::new(RATE, 1, 1)).unwrap();
    mixer.set_matrix(1, 1, &[1.0], Some(0.0)).unwrap();
    mixer
}

/// `total` frames of the mix of a constant 0.5, in blocks of `block`: frame `t` of the result is the
/// mix of input frame `t` (the first `latency_frames` output frames, the look-ahead's, are dropped).
fn constant(mixer: &mut Mixer, total: usize, block: usize) -> Vec<f32> {
    let total = total + mixer.latency_frames();
    let mut out = Vec::with_capacity(total);
    while out.len() < total {
        let frames = block.min(total - out.len());
        let mut input = vec![0.5; frames];
        let mut output = vec![0.0; frames];
        mixer.process(&mut input, &mut output, frames).unwrap();
        out.extend_from_slice(&output);
    }
    out.split_off(mixer.latency_frames())
}

#[test]
fn a_scheduled_gain_lands_on_its_frame_for_every_block_size() {
    for block in [1, 7, 128, 129, 1024] {
        let mut mixer = unity();
        mixer.set_gain_at(0, 0, 0.5, Some(0.0), 1000).unwrap();
        mixer.set_gain_at(0, 0, 0.0, Some(0.0), 1500).unwrap();
        let out = constant(&mut mixer, 2048, block);
        assert!(out[..1000].iter().all(|&x| x == 0.5), "block {block}: before frame 1000");
        assert!(out[1000..1500].iter().all(|&x| x == 0.25), "block {block}: frames 1000..1500");
        assert!(out[1500..].iter().all(|&x| x == 0.0), "block {block}: from frame 1500");
    }
}

#[test]
fn a_scheduled_glide_starts_on_its_frame() {
    let mut mixer = unity();
    // 100 frames of glide from 1 to 0 starting at frame 300: the first step lands on frame 300.
    mixer.set_gain_at(0, 0, 0.0, Some(100.0 / RATE * 1000.0), 300).unwrap();
    let out = constant(&mut mixer, 512, 128);
    assert_eq!(out[299], 0.5);
    assert!((out[300] - 0.5 * 0.99).abs() < 1e-6, "{}", out[300]);
    assert!((out[349] - 0.25).abs() < 1e-6, "{}", out[349]);
    assert!(out[399].abs() < 1e-6, "{}", out[399]);
    assert_eq!(out[400], 0.0, "landed exactly on the target");
}

#[test]
fn scheduled_matrices_apply_in_time_order_then_sending_order() {
    let mut mixer = Mixer::new(MixerConfig::new(RATE, 2, 1)).unwrap();
    mixer.set_matrix(1, 2, &[1.0, 0.0], Some(0.0)).unwrap();
    // Sent out of order; two due at the same frame: the later sent wins.
    mixer.set_matrix_at(1, 2, &[0.0, 1.0], Some(0.0), 600).unwrap();
    mixer.set_matrix_at(1, 2, &[0.5, 0.0], Some(0.0), 200).unwrap();
    mixer.set_matrix_at(1, 2, &[0.0, 0.5], Some(0.0), 600).unwrap();
    let rendered = render(&mut mixer, &[(0.0, 0.0), (0.0, 0.0)], 1, 1); // warm-up: nothing due yet
    assert_eq!(rendered[0].len(), 1);
    let mut out = Vec::new();
    for _ in 0..9 {
        let mut input = [vec![0.25; 128], vec![-0.25; 128]].concat();
        let mut output = vec![0.0; 128];
        mixer.process(&mut input, &mut output, 128).unwrap();
        out.extend(output);
    }
    // The clock had advanced one frame in the warm-up, so output frame t (after the look-ahead) is
    // mixer frame t + 1.
    let out = out.split_off(mixer.latency_frames());
    assert!(out[..199].iter().all(|&x| x == 0.25), "input 0 at unity until frame 200");
    assert!(out[199..599].iter().all(|&x| x == 0.125), "input 0 at 0.5 from frame 200");
    assert!(out[599..].iter().all(|&x| x == -0.125), "input 1 at 0.5 from frame 600");
}

#[test]
fn frames_already_rendered_apply_at_the_next_block_and_the_clock_can_be_set() {
    let mut mixer = unity();
    mixer.set_clock(48_000);
    assert_eq!(mixer.clock(), 48_000);
    mixer.set_gain_at(0, 0, 0.0, Some(0.0), 10).unwrap(); // long past on this clock
    mixer.set_gain_at(0, 0, 1.0, Some(0.0), 48_064).unwrap();
    let out = constant(&mut mixer, 128, 128);
    assert!(out[..64].iter().all(|&x| x == 0.0) && out[64..].iter().all(|&x| x == 0.5), "{out:?}");
    assert_eq!(mixer.clock(), 48_128 + mixer.latency_frames() as u64);
}

#[test]
fn the_schedule_is_bounded_and_frees_as_changes_apply() {
    let mut config = MixerConfig::new(RATE, 1, 1);
    config.queue_capacity = 4;
    config.scheduled_matrices = 1;
    let mut mixer = Mixer::new(config).unwrap();
    mixer.set_matrix_at(1, 1, &[1.0], None, 640).unwrap();
    assert_eq!(
        mixer.set_matrix_at(1, 1, &[0.5], None, 700),
        Err(MixerError::ScheduleFull),
        "one matrix slot"
    );
    for at in [1000, 2000, 3000] {
        mixer.set_gain_at(0, 0, 0.5, None, at).unwrap();
    }
    constant(&mut mixer, 128, 128); // the queue drains into the schedule: four changes wait
    assert_eq!(mixer.set_gain_at(0, 0, 0.5, None, 4000), Err(MixerError::ScheduleFull));
    mixer.set_gain(0, 0, 0.25, None).unwrap(); // a change due now still fits
    constant(&mut mixer, 1024, 128); // frames 640 and 1000 have passed: two places free again
    mixer.set_matrix_at(1, 1, &[1.0], None, 5000).unwrap();
    mixer.set_gain_at(0, 0, 0.5, None, 4000).unwrap();
}

#[test]
fn a_scheduled_gain_after_a_scheduled_matrix_lands_on_the_new_matrix() {
    let mut mixer = unity();
    mixer.set_matrix_at(1, 1, &[0.5], Some(0.0), 1001).unwrap();
    mixer.set_gain_at(0, 0, 0.0, Some(0.0), 24_003).unwrap();
    let out = constant(&mut mixer, 48_000, 128);
    assert_eq!((out[1000], out[1001], out[24_002], out[24_003]), (0.5, 0.25, 0.25, 0.0));
}
