//! The mixer end to end: per-output content follows the matrix, switches glide, limits and
//! sanitising hold, block sizes and resizing work.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

mod common;

use common::{goertzel, max_step, render, render_aligned, sine, RATE};
use earshot_mixer::limiter::CEILING;
use earshot_mixer::{Mixer, MixerConfig, MixerError, ToneSpec};

/// Three talkers (agent, customer, supervisor) at distinct pitches.
const SOURCES: [(f32, f32); 3] = [(375.0, 0.3), (750.0, 0.2), (1500.0, 0.1)];

fn mixer(inputs: usize, outputs: usize) -> Mixer {
    Mixer::new(MixerConfig::new(RATE, inputs, outputs)).unwrap()
}

#[test]
fn each_output_contains_its_inputs_at_the_matrix_gains() {
    // Whisper: the customer hears the agent; the agent hears customer and supervisor; the
    // supervisor hears agent and customer; the recording gets the agent at −6 dB.
    let gains = [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.5, 0.0, 0.0]];
    let mut mixer = mixer(3, 4);
    mixer.set_matrix(4, 3, gains.as_flattened(), Some(0.0)).unwrap();
    let outputs = render_aligned(&mut mixer, &SOURCES, 9600, 128);
    for (o, row) in gains.iter().enumerate() {
        for (&gain, &(hz, amplitude)) in row.iter().zip(&SOURCES) {
            let measured = goertzel(&outputs[o], hz);
            assert!((measured - gain * amplitude).abs() < 1e-4, "output {o} at {hz} Hz: {measured}");
        }
    }
}

#[test]
fn outputs_equal_the_matrix_product_sample_by_sample() {
    let gains = [0.25f32, 0.0, 1.0, 0.7, 0.3, 0.0];
    let mut mixer = mixer(3, 2);
    mixer.set_matrix(2, 3, &gains, Some(0.0)).unwrap();
    let outputs = render_aligned(&mut mixer, &SOURCES, 1000, 100);
    let inputs: Vec<Vec<f32>> = SOURCES.iter().map(|&(hz, a)| sine(hz, a, 0, 1000)).collect();
    for (o, output) in outputs.iter().enumerate() {
        for (t, &y) in output.iter().enumerate() {
            let expected: f32 = (0..3).map(|i| gains[o * 3 + i] * inputs[i][t]).sum();
            assert!((y - expected).abs() < 1e-6, "output {o} frame {t}: {y} vs {expected}");
        }
    }
}

#[test]
fn a_gain_switch_on_a_sine_glides_without_a_step() {
    let mut mixer = mixer(1, 1);
    mixer.set_matrix(1, 1, &[1.0], Some(0.0)).unwrap();
    let mut output = render(&mut mixer, &[(1000.0, 0.9)], 480, 128)[0].clone();
    mixer.set_gain(0, 0, 0.0, None).unwrap(); // default 10 ms
    output.extend(render(&mut mixer, &[(1000.0, 0.9)], 960, 128)[0].iter());
    // The sine alone moves at most 2π·1000/48000·0.9 ≈ 0.118 per sample; the ramp adds ≤ 0.9/480.
    let natural = 2.0 * std::f32::consts::PI * 1000.0 / RATE * 0.9;
    assert!(max_step(&output) <= natural + 0.9 / 480.0 + 1e-4, "step {}", max_step(&output));
    let late = mixer.latency_frames();
    assert!(
        output[480 + 480 + late..].iter().all(|&x| x == 0.0),
        "muted after the ramp (and the look-ahead)"
    );
    assert_eq!(mixer.gain(0, 0), Some(0.0));
    // Without a ramp the same switch is a click: the test can tell the difference.
    mixer.set_gain(0, 0, 1.0, Some(0.0)).unwrap();
    let mut clicked = vec![0.0];
    clicked.extend(render(&mut mixer, &[(250.0, 0.9)], 100 + late, 128)[0].iter().skip(40 + late));
    assert!(max_step(&clicked) > 0.5, "an instant switch mid-sine jumps");
}

#[test]
fn when_everyone_shouts_the_gain_comes_down_smoothly_under_the_ceiling_and_goes_back() {
    let mut mixer = mixer(3, 1);
    let gains = [1.0, 1.0, 16.0];
    mixer.set_matrix(1, 3, &gains, Some(0.0)).unwrap();
    let late = mixer.latency_frames();
    let shouting = [(300.0, 1.0), (450.0, 1.0), (600.0, 1.0)];
    let output = &render_aligned(&mut mixer, &shouting, 4800, 128)[0];
    let peak = output.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak <= CEILING && peak > 0.99 * CEILING, "peak {peak}");
    // The applied gain, output over mix wherever the mix is not near a zero crossing.
    let inputs: Vec<Vec<f32>> = shouting.iter().map(|&(hz, a)| sine(hz, a, 0, 4800)).collect();
    let mix = (0..4800).map(|t| (0..3).map(|i| gains[i] * inputs[i][t]).sum::<f32>());
    let applied: Vec<Option<f32>> = mix.zip(output).map(|(m, &y)| (m.abs() > 0.05).then(|| y / m)).collect();
    let steps = applied.windows(2).filter_map(|w| Some((w[1]? - w[0]?).abs()));
    let largest = steps.fold(0.0, f32::max);
    assert!(largest <= 1.0 / (late + 1) as f32 + 1e-4, "gain step {largest}, a glide over the look-ahead");
    assert!(mixer.limiter_gain(0).unwrap() < 0.1, "about −26 dB for a sum of up to 18");

    // Quiet again: within a second and a half the gain is back at unity and the output is the
    // mix, delayed and bit-exact.
    mixer.set_matrix(1, 3, &[1.0, 1.0, 1.0], Some(0.0)).unwrap();
    let calm = [(300.0, 0.2), (450.0, 0.2), (600.0, 0.2)];
    render(&mut mixer, &calm, 72_000, 128);
    assert_eq!(mixer.limiter_gain(0), Some(1.0));
    let output = &render_aligned(&mut mixer, &calm, 4800, 128)[0];
    let inputs: Vec<Vec<f32>> = calm.iter().map(|&(hz, a)| sine(hz, a, 0, 4800)).collect();
    for (t, &y) in output.iter().enumerate() {
        let expected = inputs[0][t] + inputs[1][t] + inputs[2][t];
        assert_eq!(y.to_bits(), expected.to_bits(), "frame {t}");
    }
}

#[test]
fn nan_and_inf_inputs_never_reach_an_output() {
    let mut mixer = mixer(2, 2);
    mixer.set_matrix(2, 2, &[1.0, 1.0, 0.0, 1.0], Some(0.0)).unwrap();
    let frames = 64;
    let mut inputs = vec![f32::NAN; frames];
    inputs.extend(std::iter::repeat_n(f32::INFINITY, frames));
    inputs[frames + 1] = f32::NEG_INFINITY;
    let mut outputs = vec![1.0; 2 * frames];
    mixer.process(&mut inputs, &mut outputs, frames).unwrap();
    assert!(outputs.iter().all(|&x| x == 0.0), "silent, not NaN: {:?}", &outputs[..4]);
    assert_eq!(mixer.meter(0).unwrap().sanitized, 64);
    assert_eq!(mixer.meter(1).unwrap().sanitized, 64);
}

#[test]
fn every_block_size_from_1_to_1024_renders_the_same_signal() {
    let gains = [0.5f32, 1.0, 0.0, 0.25, 0.0, 1.0];
    let render_with = |block: usize| {
        let mut mixer = mixer(3, 2);
        mixer.set_matrix(2, 3, &gains, Some(0.0)).unwrap();
        mixer.set_gain(1, 2, 0.0, Some(5.0)).unwrap(); // a glide spanning several blocks
        render(&mut mixer, &SOURCES, 2048, block)
    };
    let reference = render_with(128);
    for block in 1..=1024 {
        let outputs = render_with(block);
        for (channel, expected) in outputs.iter().zip(&reference) {
            let error = channel.iter().zip(expected).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(error < 1e-6, "block {block}: differs by {error}");
        }
    }
}

#[test]
fn resizing_activates_and_mutes_cells() {
    let mut mixer = mixer(3, 4);
    mixer.set_matrix(2, 2, &[0.0, 1.0, 1.0, 0.0], Some(0.0)).unwrap();
    // 3840 frames are whole periods of every source, so Goertzel sees no leakage.
    let outputs = render_aligned(&mut mixer, &SOURCES, 3840, 128);
    assert_eq!((mixer.inputs(), mixer.outputs()), (2, 2));
    assert!(goertzel(&outputs[0], 750.0) > 0.19);
    assert!(outputs[2].iter().chain(&outputs[3]).all(|&x| x == 0.0), "inactive outputs are silent");
    assert!(goertzel(&outputs[1], 1500.0) < 1e-6, "inactive input 2 is not mixed");
    assert_eq!(mixer.gain(0, 2), None);
    assert!(mixer.set_gain(0, 2, 1.0, None).is_err(), "input 2 is outside the active matrix");

    // A supervisor joins: a third input and third output, both starting muted.
    mixer.resize(3, 3).unwrap();
    mixer.set_gain(2, 0, 1.0, Some(0.0)).unwrap();
    let outputs = render_aligned(&mut mixer, &SOURCES, 3840, 128);
    assert_eq!(mixer.target_gain(0, 2), Some(0.0));
    assert!((goertzel(&outputs[2], 375.0) - 0.3).abs() < 1e-4);
    assert!(goertzel(&outputs[0], 1500.0) < 1e-6);

    // Shrinking mutes what leaves, so growing again starts from silence.
    mixer.set_matrix(3, 3, &[1.0; 9], Some(0.0)).unwrap();
    mixer.resize(1, 1).unwrap();
    render(&mut mixer, &SOURCES, 128, 128);
    assert_eq!(mixer.meter(2).unwrap().rms, 0.0, "inactive inputs are not metered");
    mixer.resize(3, 3).unwrap();
    render(&mut mixer, &SOURCES, 128, 128);
    assert_eq!(mixer.gain(0, 0), Some(1.0), "the cell that stayed keeps its gain");
    assert_eq!(mixer.gain(0, 1), Some(0.0));
    assert_eq!(mixer.gain(2, 2), Some(0.0));
}

#[test]
fn the_tone_reaches_only_its_outputs() {
    let mut mixer = mixer(1, 3);
    let beep = ToneSpec { frequency_hz: 1000.0, duration_ms: 100.0, gain: 0.25, fade_ms: 5.0 };
    mixer.play_tone(beep, &[0, 2]).unwrap();
    let outputs = render(&mut mixer, &[], 4800, 100);
    for (o, expected_peak) in [(0, 0.25), (1, 0.0), (2, 0.25)] {
        let peak = outputs[o].iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!((peak - expected_peak).abs() < 1e-3, "output {o}: peak {peak}");
    }
    assert!(max_step(&outputs[0]) < 0.04);
}

#[test]
fn meters_follow_each_input() {
    let mut mixer = mixer(3, 1);
    render(&mut mixer, &[(375.0, 0.5), (750.0, 0.001)], 1280, 128);
    let loud = mixer.meter(0).unwrap();
    assert!((loud.rms - 0.5 / 2f32.sqrt()).abs() < 0.01 && loud.peak <= 0.5 && loud.peak > 0.45, "{loud:?}");
    assert!(loud.voice);
    let quiet = mixer.meter(1).unwrap();
    assert!(!quiet.voice && quiet.rms < 0.001, "{quiet:?}");
    assert_eq!(mixer.meters().len(), 3);
}

#[test]
fn output_meters_show_what_each_listener_hears_after_the_limiter() {
    let mut mixer = mixer(2, 3);
    // Output 0 hears input 0; output 1 both inputs driven far past full scale; output 2 nothing.
    mixer.set_matrix(3, 2, &[1.0, 0.0, 4.0, 4.0, 0.0, 0.0], Some(0.0)).unwrap();
    let rendered = render(&mut mixer, &[(375.0, 0.25), (750.0, 0.5)], 1280, 128);
    let meters: Vec<_> = mixer.output_meters().collect();
    assert_eq!(meters.len(), 3);
    assert!((meters[0].rms - 0.25 / 2f32.sqrt()).abs() < 0.01 && meters[0].voice, "{:?}", meters[0]);
    let last_block_peak = rendered[1][1152..].iter().fold(0.0f32, |peak, x| peak.max(x.abs()));
    assert_eq!(meters[1].peak, last_block_peak, "metered after the limiter");
    assert!(meters[1].peak <= 1.0, "{:?}", meters[1]);
    assert_eq!((meters[2].rms, meters[2].voice, meters[2].sanitized), (0.0, false, 0));
    mixer.resize(2, 1).unwrap();
    render(&mut mixer, &[], 128, 128);
    assert_eq!(
        mixer.output_meters().nth(1).unwrap(),
        earshot_mixer::MeterReading::default(),
        "reset when inactive"
    );
}

#[test]
fn control_calls_are_validated() {
    let mut mixer = mixer(2, 2);
    assert_eq!(
        mixer.set_matrix(2, 2, &[1.0; 3], None),
        Err(MixerError::MatrixSize { expected: 4, actual: 3 })
    );
    assert!(matches!(mixer.set_matrix(3, 2, &[1.0; 6], None), Err(MixerError::OutOfRange { .. })));
    assert!(matches!(mixer.set_gain(0, 0, f32::NAN, None), Err(MixerError::InvalidValue(_))));
    assert!(matches!(mixer.set_gain(0, 0, -1.0, None), Err(MixerError::InvalidValue(_))));
    assert!(matches!(mixer.set_gain(0, 0, 1.0, Some(-1.0)), Err(MixerError::InvalidValue(_))));
    assert!(matches!(mixer.set_gain_db(0, 0, f32::NAN, None), Err(MixerError::InvalidValue(_))));
    assert!(matches!(mixer.play_tone(ToneSpec::JOIN_BEEP, &[2]), Err(MixerError::OutOfRange { .. })));
    let too_high = ToneSpec { frequency_hz: 30_000.0, ..ToneSpec::JOIN_BEEP };
    assert!(matches!(mixer.play_tone(too_high, &[0]), Err(MixerError::InvalidValue(_))));
    assert!(Mixer::new(MixerConfig::new(RATE, 0, 2)).is_err());
    assert!(Mixer::new(MixerConfig { ramp_ms: f32::NAN, ..MixerConfig::new(RATE, 1, 1) }).is_err());
    let (mut short, mut outputs) = (vec![0.0; 3], vec![0.0; 4]);
    assert_eq!(
        mixer.process(&mut short, &mut outputs, 2),
        Err(MixerError::BufferTooShort { expected: 4, actual: 3 })
    );
}

#[test]
fn the_queue_applies_in_order_at_the_next_block_and_refuses_when_full() {
    let mut mixer = Mixer::new(MixerConfig { queue_capacity: 2, ..MixerConfig::new(RATE, 1, 1) }).unwrap();
    mixer.set_gain_db(0, 0, 0.0, Some(0.0)).unwrap();
    mixer.set_gain_db(0, 0, -6.0206, Some(0.0)).unwrap();
    assert_eq!(mixer.set_ramp_ms(1.0), Err(MixerError::QueueFull));
    assert_eq!(mixer.gain(0, 0), Some(0.0), "nothing applies before the next block");
    render(&mut mixer, &[], 1, 1);
    assert!((mixer.gain(0, 0).unwrap() - 0.5).abs() < 1e-4, "the later message wins");
    mixer.set_ramp_ms(1.0).unwrap();
    mixer.set_gain(0, 0, 0.0, None).unwrap();
    render(&mut mixer, &[], 47, 47);
    assert!(mixer.gain(0, 0).unwrap() > 0.0, "a 1 ms ramp is 48 frames");
    render(&mut mixer, &[], 1, 1);
    assert_eq!(mixer.gain(0, 0), Some(0.0));
}

#[test]
fn outputs_metered_at_an_interval_read_the_latest_block_and_hold_voice_across_it() {
    let mut config = MixerConfig::new(RATE, 1, 1);
    config.output_meter_frames = 1024; // metered on every 8th 128-frame block
    let mut mixer = Mixer::new(config).unwrap();
    mixer.set_matrix(1, 1, &[1.0], Some(0.0)).unwrap();
    render(&mut mixer, &[(375.0, 0.5)], 896, 128); // 7 blocks: not metered yet
    assert_eq!(mixer.output_meters().next().unwrap(), earshot_mixer::MeterReading::default());
    render(&mut mixer, &[(375.0, 0.5)], 128, 128); // the 8th block completes the interval
    let talking = mixer.output_meters().next().unwrap();
    assert!((talking.rms - 0.5 / 2f32.sqrt()).abs() < 0.01 && talking.voice, "{talking:?}");
    // Silence: the 300 ms (14,400-frame) hangover counts every frame, not only the metered blocks.
    render(&mut mixer, &[], 14 * 1024, 128);
    assert!(mixer.output_meters().next().unwrap().voice, "within the hangover");
    render(&mut mixer, &[], 1024, 128);
    assert!(!mixer.output_meters().next().unwrap().voice, "hangover over after 15 · 1024 frames");
}
