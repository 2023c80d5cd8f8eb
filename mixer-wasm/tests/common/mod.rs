//! Helpers shared by the mixer's integration tests: test signals, planar buffers, a Goertzel meter.
#![allow(dead_code)] // each test binary uses its own subset

use earshot_mixer::Mixer;

pub const RATE: f32 = 48_000.0;

/// `amplitude · sin(2π·hz·t)` for frames `start..start + frames`.
pub fn sine(hz: f32, amplitude: f32, start: usize, frames: usize) -> Vec<f32> {
    let w = 2.0 * std::f64::consts::PI * f64::from(hz) / f64::from(RATE);
    (start..start + frames).map(|t| (f64::from(amplitude) * (w * t as f64).sin()) as f32).collect()
}

/// Amplitude of the `hz` component of `signal` (Goertzel; exact for whole periods).
pub fn goertzel(signal: &[f32], hz: f32) -> f32 {
    let w = 2.0 * std::f64::consts::PI * f64::from(hz) / f64::from(RATE);
    let coefficient = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in signal {
        let s0 = f64::from(x) + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    (2.0 * power.sqrt() / signal.len() as f64) as f32
}

/// Runs `total` frames of per-input sines through `mixer` in blocks of `block` frames and returns the
/// outputs, one `Vec` per output channel (capacity).
pub fn render(mixer: &mut Mixer, sources: &[(f32, f32)], total: usize, block: usize) -> Vec<Vec<f32>> {
    let (inputs, outputs) = (mixer.config().inputs, mixer.config().outputs);
    let mut rendered = vec![Vec::with_capacity(total); outputs];
    let mut start = 0;
    while start < total {
        let frames = block.min(total - start);
        let mut input: Vec<f32> = (0..inputs)
            .flat_map(|i| sources.get(i).map_or(vec![0.0; frames], |&(hz, a)| sine(hz, a, start, frames)))
            .collect();
        let mut output = vec![f32::NAN; outputs * frames];
        mixer.process(&mut input, &mut output, frames).unwrap();
        for (channel, block) in rendered.iter_mut().zip(output.chunks_exact(frames)) {
            channel.extend_from_slice(block);
        }
        start += frames;
    }
    rendered
}

/// [`render`], lined up with the inputs: renders `latency_frames()` more frames and drops that
/// many from the front, so output frame `t` is what the inputs' frame `t` became.
pub fn render_aligned(
    mixer: &mut Mixer,
    sources: &[(f32, f32)],
    total: usize,
    block: usize,
) -> Vec<Vec<f32>> {
    let late = mixer.latency_frames();
    let mut rendered = render(mixer, sources, total + late, block);
    rendered.iter_mut().for_each(|channel| drop(channel.drain(..late)));
    rendered
}

/// Largest difference between consecutive samples.
pub fn max_step(signal: &[f32]) -> f32 {
    signal.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max)
}
