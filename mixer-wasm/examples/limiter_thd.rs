//! What the output limiter does to loud sums: THD+N of one, two and three full-scale sines mixed
//! into one output at unity gain, whether the single sine comes out bit-exact, and the latency.
//! Prints JSON; scripts/bench-mixer.sh runs it with `--release` and docs/bench/mixer.md quotes it.
//!
//! THD+N is everything in the output that is not the input tones, against the tones: each tone's
//! amplitude and phase are fitted by least squares (exact projections, since every tone makes whole
//! periods in the one-second window), the fit is subtracted, and the rest is noise and distortion.
//! A plain level change (the limiter's steady gain) is therefore not counted; its wobble is. The
//! largest single product (a 1 Hz bin of the residual, in dBFS) is reported beside it.

use earshot_mixer::{Mixer, MixerConfig};

const RATE: f32 = 48_000.0;
/// Frames rendered before the analysed window, so the limiter has settled (attack, first release).
const SETTLE: usize = 24_000;
/// The analysed window: one second, so integer-Hz tones make whole periods.
const WINDOW: usize = 48_000;
/// Longest delay the bit-exactness search tries, in frames.
const MAX_DELAY: usize = 256;

/// −1 dBFS, the limiter's ceiling.
const MINUS_1_DBFS: f32 = 0.891_250_9;

/// The cases measured: name, amplitude of each tone (1.0 is 0 dBFS) and tone frequencies. The
/// triad is near-harmonic (A major), so its peaks drift slowly; the inharmonic sets do not repeat.
const CASES: [(&str, f32, &[f64]); 7] = [
    ("one_at_minus_1_dbfs", MINUS_1_DBFS, &[440.0]),
    ("one", 1.0, &[440.0]),
    ("two", 1.0, &[440.0, 554.0]),
    ("three", 1.0, &[440.0, 554.0, 659.0]),
    ("two_inharmonic", 1.0, &[300.0, 437.0]),
    ("three_inharmonic", 1.0, &[300.0, 437.0, 1013.0]),
    ("three_at_minus_6_dbfs", 0.5, &[440.0, 554.0, 659.0]),
];

fn tone(hz: f64, amplitude: f32, frames: usize) -> Vec<f32> {
    let w = 2.0 * std::f64::consts::PI * hz / f64::from(RATE);
    (0..frames).map(|t| (f64::from(amplitude) * (w * t as f64).sin()) as f32).collect()
}

/// One output: the sum of `tones` at unity gain through the mixer, in 128-frame blocks.
fn render(tones: &[f64], amplitude: f32, frames: usize) -> (Vec<f32>, Vec<f32>) {
    let inputs = tones.len();
    let mut mixer = Mixer::new(MixerConfig::new(RATE, inputs, 1)).unwrap();
    mixer.set_matrix(1, inputs, &vec![1.0; inputs], Some(0.0)).unwrap();
    let sources: Vec<Vec<f32>> = tones.iter().map(|&hz| tone(hz, amplitude, frames)).collect();
    let sum: Vec<f32> = (0..frames).map(|t| sources.iter().map(|s| s[t]).sum()).collect();
    let mut output = Vec::with_capacity(frames);
    for start in (0..frames).step_by(128) {
        let len = 128.min(frames - start);
        let mut block: Vec<f32> =
            sources.iter().flat_map(|s| s[start..start + len].iter().copied()).collect();
        let mut out = vec![0.0; len];
        mixer.process(&mut block, &mut out, len).unwrap();
        output.extend_from_slice(&out);
    }
    (sum, output)
}

/// THD+N in dB of `signal` against `tones` (see the module docs), and the residual.
fn thd_n_db(signal: &[f32], tones: &[f64]) -> (f64, Vec<f64>) {
    let n = signal.len() as f64;
    let mut fitted = vec![0.0f64; signal.len()];
    for &hz in tones {
        let w = 2.0 * std::f64::consts::PI * hz / f64::from(RATE);
        let (mut c, mut s) = (0.0, 0.0);
        for (t, &y) in signal.iter().enumerate() {
            c += f64::from(y) * (w * t as f64).cos();
            s += f64::from(y) * (w * t as f64).sin();
        }
        let (a, b) = (2.0 * c / n, 2.0 * s / n);
        fitted
            .iter_mut()
            .enumerate()
            .for_each(|(t, f)| *f += a * (w * t as f64).cos() + b * (w * t as f64).sin());
    }
    let residual: Vec<f64> = signal.iter().zip(&fitted).map(|(&y, &f)| f64::from(y) - f).collect();
    let residual_power: f64 = residual.iter().map(|r| r * r).sum();
    let tone_power: f64 = fitted.iter().map(|f| f * f).sum();
    (10.0 * (residual_power.max(f64::MIN_POSITIVE) / tone_power).log10(), residual)
}

/// Amplitude in dBFS of the largest 1 Hz bin of `residual` (Goertzel over every bin to Nyquist).
fn largest_product_dbfs(residual: &[f64]) -> f64 {
    let n = residual.len() as f64;
    let largest = (1..(RATE / 2.0) as usize)
        .map(|hz| {
            let coefficient = 2.0 * (2.0 * std::f64::consts::PI * hz as f64 / f64::from(RATE)).cos();
            let (mut s1, mut s2) = (0.0f64, 0.0f64);
            for &x in residual {
                (s1, s2) = (x + coefficient * s1 - s2, s1);
            }
            2.0 * (s1 * s1 + s2 * s2 - coefficient * s1 * s2).max(0.0).sqrt() / n
        })
        .fold(0.0, f64::max);
    20.0 * largest.max(f64::MIN_POSITIVE).log10()
}

/// The delay after which `output` equals `input` sample for sample over the window, if any.
fn bit_exact_delay(input: &[f32], output: &[f32]) -> Option<usize> {
    (0..=MAX_DELAY).find(|&d| (SETTLE..SETTLE + WINDOW).all(|t| output[t + d] == input[t]))
}

fn main() {
    let frames = SETTLE + WINDOW + MAX_DELAY;
    let mut fields = Vec::new();
    for (name, amplitude, tones) in CASES {
        let (sum, output) = render(tones, amplitude, frames);
        let window = &output[SETTLE..SETTLE + WINDOW];
        let peak = output.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let exact = bit_exact_delay(&sum, &output).map_or("null".to_string(), |d| d.to_string());
        let (thd_n, residual) = thd_n_db(window, tones);
        let product = largest_product_dbfs(&residual);
        fields.push(format!(
            "\"{name}\": {{\"thd_n_db\": {thd_n:.1}, \"largest_product_dbfs\": {product:.1}, \
             \"peak\": {peak:.4}, \"bit_exact_delay\": {exact}}}"
        ));
    }
    println!("{{{}}}", fields.join(", "));
}
