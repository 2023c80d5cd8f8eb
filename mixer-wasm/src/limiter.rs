//! The per-output look-ahead peak limiter: bit-exact (only delayed) until a sum would pass −1 dBFS,
//! then a smooth gain that never lets a sample past that ceiling.
//!
//! Every output sample leaves `D` frames late ([`Limiter::latency`], the look-ahead: 1.5 ms, 72
//! frames at 48 kHz), so the gain computer sees each peak before it is played:
//!
//! 1. required gain `r[n] = min(1, CEILING / |x[n]|)` of each incoming sample;
//! 2. hold: the minimum of `r` over at least the last `HOLD_MS` (two running block minima, so no
//!    sorted window is kept);
//! 3. release: `e[n] = min(hold[n], e[n−1] + (1 + ε − e[n−1]) · c)`, a fall at once and a rise with
//!    the `RELEASE_MS` time constant that reaches exactly 1 in finite time (the ε);
//! 4. attack: the applied gain is the mean of `e` over the last `D + 1` frames, so it glides
//!    linearly over the look-ahead and moves at most `1 / (D + 1)` per sample.
//!
//! The sample played at `n` is `x[n − D]`, and every `e` in that mean is at most `r[n − D]` (each
//! one's hold window contains `n − D`), so `|x[n − D]| · gain ≤ CEILING`. The mean is kept exactly
//! in integers (`e` in 24-bit fixed point), so when every `e` is back at 1 the gain is exactly 1.0
//! and the output is the input delayed, bit for bit; a final clamp only absorbs float rounding.
//!
//! Why not dasp's `envelope::Detector`: its attack is a one-pole, which approaches a peak without
//! reaching it (no ceiling guarantee), and its release decays towards unity without ever arriving,
//! so the output would never be bit-exact again. The delay lines are dasp's `ring_buffer::Fixed`.

use dasp::ring_buffer::Fixed;

use crate::lanes;

/// The ceiling: −1 dBFS. No output sample is ever larger.
pub const CEILING: f32 = 0.891_250_9;
/// Look-ahead (and attack) time.
pub const LOOKAHEAD_MS: f32 = 1.5;
/// The gain stays at its lowest for at least this long after a peak.
pub const HOLD_MS: f32 = 100.0;
/// Time constant of the release back to unity gain.
pub const RELEASE_MS: f32 = 150.0;

/// Gains aim a hair under the ceiling, so that float rounding in the mean never carries a sample
/// over it (the clamp after it is a guard, not a shaper).
const TARGET: f32 = CEILING * (1.0 - 1e-6);
/// The release aims past unity by this much and stops at 1: it arrives in finite time.
const RELEASE_OVERSHOOT: f32 = 0.01;
/// Unity gain in the fixed point of the attack mean (2^24: f32's mantissa).
const UNITY: u32 = 1 << 24;

/// One output's limiter. Built with its buffers; [`Limiter::process`] never allocates.
#[derive(Debug, Clone)]
pub struct Limiter {
    /// The last `D` input samples, oldest first.
    delay: Fixed<Vec<f32>>,
    /// The last `D + 1` envelope values in fixed point, as reductions `UNITY − e` (so that unity
    /// is zero: buffers start and reset as plain zeroed memory), and their sum.
    reductions: Fixed<Vec<u32>>,
    reduction: u64,
    /// `(D + 1) · UNITY`, the sum of a window at unity, and `1 / full`, which turns the window's
    /// sum of `e` into a gain.
    full: u64,
    inverse: f32,
    envelope: f32,
    /// The release as `e · keep + step` (one multiply-add on the per-sample critical path).
    keep: f32,
    step: f32,
    hold_frames: u32,
    /// Frames into the current hold block, its minimum, and the whole previous block's.
    held: u32,
    current_min: f32,
    previous_min: f32,
}

impl Limiter {
    /// A limiter at `sample_rate` frames per second (at least one frame of look-ahead).
    pub fn new(sample_rate: f32) -> Limiter {
        let frames = |ms: f32| (ms * sample_rate / 1000.0).floor().max(1.0);
        let lookahead = frames(LOOKAHEAD_MS) as usize;
        let window = lookahead + 1;
        let full = window as u64 * u64::from(UNITY);
        // The one-pole coefficient 1 − e^(−1/N) as 1/(N + ½): off by under 1/(12·N³), and it keeps
        // `expf` out of the wasm binary.
        let release = 1.0 / (frames(RELEASE_MS) + 0.5);
        Limiter {
            delay: Fixed::from(vec![0.0; lookahead]),
            reductions: Fixed::from(vec![0; window]),
            reduction: 0,
            full,
            inverse: (1.0 / full as f64) as f32,
            envelope: 1.0,
            keep: 1.0 - release,
            step: (1.0 + RELEASE_OVERSHOOT) * release,
            hold_frames: frames(HOLD_MS).max(window as f32) as u32,
            held: 0,
            current_min: 1.0,
            previous_min: 1.0,
        }
    }

    /// How many frames late every sample comes out: the look-ahead.
    pub fn latency(&self) -> usize {
        self.delay.len()
    }

    /// The gain applied to the latest sample: 1.0 unless limiting.
    pub fn gain(&self) -> f32 {
        if self.reduction == 0 {
            1.0
        } else {
            (self.full - self.reduction) as f32 * self.inverse
        }
    }

    /// Back to silence in the delay line and unity gain, as when built.
    pub fn reset(&mut self) {
        let (older, newer) = self.delay.slices_mut();
        older.fill(0.0);
        newer.fill(0.0);
        let (older, newer) = self.reductions.slices_mut();
        older.fill(0);
        newer.fill(0);
        (self.reduction, self.envelope, self.held, self.current_min, self.previous_min) =
            (0, 1.0, 0, 1.0, 1.0);
    }

    /// Limits one block in place: `block` comes back as the limited signal `latency()` frames late.
    /// Expects finite samples (the mixer sanitises its inputs, so its sums are finite).
    pub fn process(&mut self, block: &mut [f32]) {
        // At unity with nothing loud coming, the per-sample path would change nothing but the
        // delay: the common case costs a peak scan and a block copy through the delay line.
        if self.reduction == 0 && self.envelope == 1.0 && lanes::peak(block) <= CEILING {
            self.delay_block(block);
        } else {
            block.iter_mut().for_each(|x| *x = self.next(*x));
        }
    }

    fn next(&mut self, x: f32) -> f32 {
        let magnitude = x.abs();
        let required = if magnitude > CEILING { TARGET / magnitude } else { 1.0 };
        self.current_min = lower(self.current_min, required);
        let hold = lower(self.previous_min, self.current_min);
        self.held += 1;
        if self.held == self.hold_frames {
            (self.previous_min, self.current_min, self.held) = (self.current_min, 1.0, 0);
        }
        self.envelope = lower(hold, self.envelope * self.keep + self.step);
        // Truncation rounds down, so the fixed-point envelope never exceeds the float one.
        let reduction = UNITY - (self.envelope * UNITY as f32) as u32;
        let oldest = self.reductions.push(reduction);
        self.reduction = self.reduction + u64::from(reduction) - u64::from(oldest);
        let delayed = self.delay.push(x);
        (delayed * self.gain()).clamp(-CEILING, CEILING)
    }

    /// Passes `block` through the delay line unchanged: swaps it, a ring's length at a time, with
    /// the ring's contents in order (oldest first), then turns the ring by what went through.
    fn delay_block(&mut self, block: &mut [f32]) {
        let len = self.delay.len();
        for chunk in block.chunks_mut(len) {
            let first = len - self.delay.slices().0.len();
            let (older, newer) = self.delay.slices_mut();
            let (head, tail) = chunk.split_at_mut(chunk.len().min(older.len()));
            swap(head, older);
            swap(tail, newer);
            self.delay.set_first(first + chunk.len());
        }
    }
}

/// The smaller of two finite numbers as one compare-and-select (`f32::min`'s NaN rules cost several
/// wasm instructions, and this one is on the per-sample critical path).
fn lower(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

/// Swaps `block` with the front of `ring`. One out-of-line copy of the (vectorised) loop serves both
/// halves of the ring, which keeps the wasm binary small.
#[inline(never)]
fn swap(block: &mut [f32], ring: &mut [f32]) {
    block.iter_mut().zip(ring).for_each(|(x, r)| std::mem::swap(x, r));
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f32 = 48_000.0;

    fn run(limiter: &mut Limiter, signal: &[f32], block: usize) -> Vec<f32> {
        let mut out = signal.to_vec();
        out.chunks_mut(block).for_each(|b| limiter.process(b));
        out
    }

    #[test]
    fn latency_is_the_lookahead_at_the_sample_rate() {
        assert_eq!(Limiter::new(48_000.0).latency(), 72);
        assert_eq!(Limiter::new(44_100.0).latency(), 66);
        assert_eq!(Limiter::new(8_000.0).latency(), 12);
        assert_eq!(Limiter::new(1.0).latency(), 1, "at least one frame");
    }

    #[test]
    fn below_the_ceiling_the_output_is_the_input_delayed_bit_for_bit() {
        let signal: Vec<f32> = (0..5000).map(|t| CEILING * (t as f32 * 0.0123).sin()).collect();
        for block in [1, 7, 71, 72, 73, 128, 5000] {
            let mut limiter = Limiter::new(RATE);
            let out = run(&mut limiter, &signal, block);
            let d = limiter.latency();
            assert!(out[..d].iter().all(|&x| x == 0.0));
            assert!(out[d..].iter().zip(&signal).all(|(y, x)| y.to_bits() == x.to_bits()), "block {block}");
        }
    }

    #[test]
    fn a_peak_is_met_by_a_gain_that_glides_down_before_it_and_back_after() {
        let mut limiter = Limiter::new(RATE);
        let mut signal = vec![0.5f32; 96_000];
        signal[1000] = 4.0;
        let out = run(&mut limiter, &signal, 128);
        let d = limiter.latency();
        let gain: Vec<f32> = out[d..].iter().zip(&signal).map(|(y, x)| y / x).collect();
        assert!((out[1000 + d] - CEILING).abs() < 1e-5, "the peak lands on the ceiling: {}", out[1000 + d]);
        assert!(gain[..1000 - d].iter().all(|&g| g == 1.0), "untouched before the attack");
        let step = gain.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max);
        assert!(step <= 1.0 / (d + 1) as f32 + 1e-6, "largest gain step {step}");
        assert_eq!(limiter.gain(), 1.0, "released");
        let back = gain.iter().rposition(|&g| g != 1.0).unwrap();
        assert!(back < 1000 + 48 * 1000, "unity again {back} frames after the peak");
        assert!(gain[1000 + 48 * 100] < 0.25, "held for 100 ms");
        assert!(gain.windows(2).skip(1000).all(|w| w[1] >= w[0]), "after the peak the gain only rises");
    }

    #[test]
    fn the_ceiling_holds_for_any_level_and_block_size() {
        for (k, level) in [0.9f32, 1.0, 2.0, 3.0, 16.0, 1e6, 1.6e10].into_iter().enumerate() {
            let mut limiter = Limiter::new(RATE);
            let signal: Vec<f32> = (0..9600)
                .map(|t| level * ((t as f32 * 0.05).sin() + 0.3 * (t as f32 * 0.71).sin()))
                .collect();
            let out = run(&mut limiter, &signal, [1, 3, 128, 1000, 9600, 77, 64][k]);
            let peak = out.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            assert!(peak <= CEILING, "level {level}: peak {peak}");
            assert!(out.iter().all(|x| x.is_finite()));
        }
    }

    #[test]
    fn reset_forgets_the_delay_line_and_the_gain() {
        let mut limiter = Limiter::new(RATE);
        run(&mut limiter, &[3.0; 200], 50);
        assert!(limiter.gain() < 0.5);
        limiter.reset();
        assert_eq!(limiter.gain(), 1.0);
        assert_eq!(run(&mut limiter, &[0.25; 100], 100)[..72], [0.0; 72]);
    }
}
