//! Block reductions (input stats, peak, count) written over independent lanes so they vectorise.
//!
//! [`stats`] fuses what sanitising and metering need, so a clean input costs one pass.
//!
//! A plain `fold` over floats is one long dependency chain that LLVM may not reorder (float addition
//! is not associative), so it runs a sample per add latency. Eight lanes accumulated side by side
//! and combined at the end let it use SIMD registers (f32x4 on wasm `+simd128`, SSE/AVX natively).

use dasp::{peak, Sample};

const LANES: usize = 8;

/// What one pass over an input block learns.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BlockStats {
    /// Number of samples in the block.
    pub frames: usize,
    /// Sum of `x²` (NaN if a sample is NaN, +∞ if one is infinite).
    pub sum_of_squares: f32,
    /// Largest `|x|` (NaN samples are skipped).
    pub peak: f32,
    /// Largest denormal `|x|`, 0 if there is none.
    pub largest_denormal: f32,
}

/// Sum of squares, peak and largest denormal in one pass: eight SIMD operations per four samples.
pub fn stats(block: &[f32]) -> BlockStats {
    let [mut squares, mut peaks, mut denormals] = [[f32::EQUILIBRIUM; LANES]; 3];
    let add = |((square, peak), denormal): ((&mut f32, &mut f32), &mut f32), x: f32| {
        let magnitude = x.abs();
        *square += x * x;
        *peak = max(*peak, magnitude);
        *denormal = max(*denormal, if magnitude < f32::MIN_POSITIVE { magnitude } else { 0.0 });
    };
    let chunks = block.chunks_exact(LANES);
    // The tail (shorter than a chunk) goes into the first lanes.
    let tail = chunks.remainder();
    squares.iter_mut().zip(&mut peaks).zip(&mut denormals).zip(tail).for_each(|(lane, &x)| add(lane, x));
    for chunk in chunks {
        squares.iter_mut().zip(&mut peaks).zip(&mut denormals).zip(chunk).for_each(|(lane, &x)| add(lane, x));
    }
    BlockStats {
        frames: block.len(),
        sum_of_squares: squares.iter().sum(),
        peak: peaks.into_iter().fold(f32::EQUILIBRIUM, max),
        largest_denormal: denormals.into_iter().fold(f32::EQUILIBRIUM, max),
    }
}

/// Largest `|x|` over the block (0 for an empty block; NaN samples are skipped).
pub fn peak(block: &[f32]) -> f32 {
    let mut lanes = [f32::EQUILIBRIUM; LANES];
    let chunks = block.chunks_exact(LANES);
    let tail = chunks.remainder().iter().fold(f32::EQUILIBRIUM, |m, &x| max(m, peak::full_wave(x)));
    for chunk in chunks {
        lanes.iter_mut().zip(chunk).for_each(|(lane, &x)| *lane = max(*lane, peak::full_wave(x)));
    }
    lanes.into_iter().fold(tail, max)
}

/// How many samples of the block satisfy `predicate`.
pub fn count(block: &[f32], predicate: impl Fn(f32) -> bool) -> u32 {
    let mut lanes = [0u32; LANES];
    let chunks = block.chunks_exact(LANES);
    let tail = chunks.remainder().iter().filter(|&&x| predicate(x)).count() as u32;
    for chunk in chunks {
        lanes.iter_mut().zip(chunk).for_each(|(lane, &x)| *lane += u32::from(predicate(x)));
    }
    lanes.iter().sum::<u32>() + tail
}

/// A compare-and-select max, which maps to one SIMD instruction where `f32::max`'s NaN rules do not.
fn max(a: f32, b: f32) -> f32 {
    if b > a {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_match_plain_folds_for_every_length() {
        for len in 0..40 {
            let block: Vec<f32> = (0..len).map(|k| ((k * 7919) % 23) as f32 / 10.0 - 1.1).collect();
            assert_eq!(peak(&block), block.iter().fold(0.0f32, |m, x| m.max(x.abs())), "len {len}");
            assert_eq!(count(&block, |x| x > 0.0), block.iter().filter(|&&x| x > 0.0).count() as u32);
        }
        assert_eq!(peak(&[f32::NAN, -0.5]), 0.5);
        for len in [0, 5, 8, 29] {
            let mut block: Vec<f32> = (0..len).map(|k| (k as f32 * 0.37).sin()).collect();
            let fused = stats(&block);
            assert!((fused.sum_of_squares - block.iter().map(|x| x * x).sum::<f32>()).abs() < 1e-5);
            assert_eq!((fused.peak, fused.largest_denormal, fused.frames), (peak(&block), 0.0, len));
            if len > 0 {
                block[len - 1] = -f32::MIN_POSITIVE / 2.0;
                assert_eq!(stats(&block).largest_denormal, f32::MIN_POSITIVE / 2.0);
            }
        }
    }
}
