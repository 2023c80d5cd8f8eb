//! Block reductions (sum of squares, peak, count) written over independent lanes so they vectorise.
//!
//! A plain `fold` over floats is one long dependency chain that LLVM may not reorder (float addition
//! is not associative), so it runs a sample per add latency. Eight lanes accumulated side by side
//! and combined at the end let it use SIMD registers (f32x4 on wasm `+simd128`, SSE/AVX natively).

use dasp::{peak, Sample};

const LANES: usize = 8;

/// Sum of `x²` over the block.
pub fn sum_of_squares(block: &[f32]) -> f32 {
    let mut lanes = [f32::EQUILIBRIUM; LANES];
    let chunks = block.chunks_exact(LANES);
    let tail: f32 = chunks.remainder().iter().map(|x| x * x).sum();
    for chunk in chunks {
        lanes.iter_mut().zip(chunk).for_each(|(lane, x)| *lane += x * x);
    }
    lanes.iter().sum::<f32>() + tail
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
            let squares: f32 = block.iter().map(|x| x * x).sum();
            assert!((sum_of_squares(&block) - squares).abs() < 1e-4, "len {len}");
            assert_eq!(peak(&block), block.iter().fold(0.0f32, |m, x| m.max(x.abs())), "len {len}");
            assert_eq!(count(&block, |x| x > 0.0), block.iter().filter(|&&x| x > 0.0).count() as u32);
        }
        assert_eq!(peak(&[f32::NAN, -0.5]), 0.5);
    }
}
