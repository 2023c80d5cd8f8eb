//! Input sanitising: NaN, ±Inf and denormals are replaced before anything is mixed, and counted.
//!
//! A NaN from a broken decoder would otherwise poison every output it is routed to, and denormals
//! make some CPUs crawl. Absurdly large finite samples are clamped too, so that sums of many inputs
//! times the largest gain stay finite.

use crate::lanes::{self, BlockStats};

/// Largest magnitude a sanitised sample keeps (about +120 dBFS); larger finite samples are clamped.
pub const MAX_SAMPLE: f32 = 1.0e6;

/// Cleans `block` in place and returns its stats (of the cleaned block) and how many samples were
/// replaced. A clean block (the normal case) costs the one stats pass: NaN shows in the sum of
/// squares, ±Inf and huge samples in the peak, denormals in `largest_denormal`.
pub fn sanitize(block: &mut [f32]) -> (BlockStats, u32) {
    let stats = lanes::stats(block);
    let clean = stats.sum_of_squares.is_finite() && stats.peak <= MAX_SAMPLE && stats.largest_denormal == 0.0;
    if clean {
        return (stats, 0);
    }
    let replaced = lanes::count(block, is_unclean);
    for x in block.iter_mut().filter(|x| is_unclean(**x)) {
        let magnitude = x.abs();
        *x = if magnitude.is_finite() && magnitude > MAX_SAMPLE { MAX_SAMPLE.copysign(*x) } else { 0.0 };
    }
    (lanes::stats(block), replaced)
}

/// Anything but zero or a normal float no larger than `MAX_SAMPLE`. NaN fails every comparison.
fn is_unclean(x: f32) -> bool {
    let magnitude = x.abs();
    !((f32::MIN_POSITIVE..=MAX_SAMPLE).contains(&magnitude) || x == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_counts_non_finite_and_denormal_samples() {
        let denormal = f32::MIN_POSITIVE / 4.0;
        let mut block = [0.5, f32::NAN, f32::INFINITY, -f32::INFINITY, denormal, -0.0, 2e7, -1.0];
        let (stats, replaced) = sanitize(&mut block);
        assert_eq!(block, [0.5, 0.0, 0.0, 0.0, 0.0, -0.0, MAX_SAMPLE, -1.0]);
        assert_eq!((replaced, stats.peak, stats.frames), (5, MAX_SAMPLE, 8), "stats of the cleaned block");
        for unclean in [f32::NAN, f32::INFINITY, -2e7, f32::MIN_POSITIVE / 3.0] {
            assert_eq!(sanitize(&mut [0.1, unclean, 0.2]).1, 1, "{unclean} is caught by the stats pass");
        }
    }

    #[test]
    fn clean_audio_is_untouched() {
        let mut block = [0.0, 1.0, -1.0, f32::MIN_POSITIVE, MAX_SAMPLE];
        assert_eq!(sanitize(&mut block).1, 0);
        assert_eq!(block, [0.0, 1.0, -1.0, f32::MIN_POSITIVE, MAX_SAMPLE]);
    }
}
