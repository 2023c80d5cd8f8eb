//! Native benchmark of `Mixer::process`: µs per 128-frame block for 3×4 and 32×32 dense matrices,
//! with quiet sources (sums under the limiter's ceiling: its idle path) and loud ones (every sum
//! over it: every sample through the limiter's gain computer). Prints JSON (`{"3x4": µs, "32x32": µs,
//! "3x4-limiting": µs, "32x32-limiting": µs}`); scripts/bench-mixer.sh runs it with `--release`.

use std::time::{Duration, Instant};

use earshot_mixer::{Mixer, MixerConfig};

const FRAMES: usize = 128;

/// µs per block with every cell at gain 0.5 (the multiply path, as a GainNode graph does), sources
/// of `amplitude`.
fn bench(inputs: usize, outputs: usize, amplitude: f32) -> f64 {
    // Outputs metered at 20 Hz, as the worklet meters them (kernel-processor.js does the same).
    let config = MixerConfig { output_meter_frames: 2400, ..MixerConfig::new(48_000.0, inputs, outputs) };
    let mut mixer = Mixer::new(config).unwrap();
    mixer.set_matrix(outputs, inputs, &vec![0.5; inputs * outputs], Some(0.0)).unwrap();
    let source: Vec<f32> = (0..inputs * FRAMES)
        .map(|k| amplitude * ((k % FRAMES) as f32 * 0.05 * (1 + k / FRAMES) as f32).sin())
        .collect();
    let (mut input, mut output) = (source.clone(), vec![0.0; outputs * FRAMES]);
    let mut run = |blocks: usize| {
        let start = Instant::now();
        for _ in 0..blocks {
            mixer.process(&mut input, &mut output, FRAMES).unwrap();
        }
        std::hint::black_box(&output);
        start.elapsed()
    };
    run(1000); // warm up
    let mut blocks = 1000;
    while run(blocks) < Duration::from_millis(200) {
        blocks *= 2;
    }
    let best = (0..5).map(|_| run(blocks)).min().unwrap();
    best.as_secs_f64() * 1e6 / blocks as f64
}

fn main() {
    // 0.02 keeps 32 inputs at gain 0.5 under the ceiling; 0.8 puts even three over it.
    let [quiet_small, quiet_large] = [bench(3, 4, 0.02), bench(32, 32, 0.02)];
    let [loud_small, loud_large] = [bench(3, 4, 0.8), bench(32, 32, 0.8)];
    println!(
        "{{\"3x4\": {quiet_small:.4}, \"32x32\": {quiet_large:.4}, \"3x4-limiting\": {loud_small:.4}, \
         \"32x32-limiting\": {loud_large:.4}}}"
    );
}
