//! Native benchmark of `Mixer::process`: µs per 128-frame block for 3×4 and 32×32 dense matrices.
//! Prints JSON (`{"3x4": µs, "32x32": µs}`); scripts/bench-mixer.sh runs it with `--release`.

use std::time::{Duration, Instant};

use earshot_mixer::{Mixer, MixerConfig};

const FRAMES: usize = 128;

/// µs per block with every cell at gain 0.5 (the multiply path, as a GainNode graph does).
fn bench(inputs: usize, outputs: usize) -> f64 {
    // Outputs metered at 20 Hz, as the worklet meters them (kernel-processor.js does the same).
    let config = MixerConfig { output_meter_frames: 2400, ..MixerConfig::new(48_000.0, inputs, outputs) };
    let mut mixer = Mixer::new(config).unwrap();
    mixer.set_matrix(outputs, inputs, &vec![0.5; inputs * outputs], Some(0.0)).unwrap();
    let source: Vec<f32> = (0..inputs * FRAMES)
        .map(|k| 0.02 * ((k % FRAMES) as f32 * 0.05 * (1 + k / FRAMES) as f32).sin())
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
    println!("{{\"3x4\": {:.4}, \"32x32\": {:.4}}}", bench(3, 4), bench(32, 32));
}
