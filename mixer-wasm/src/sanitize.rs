//! Input sanitising: NaN, ±Inf and denormals are replaced before anything is mixed, and counted.
//!
//! A NaN from a broken decoder would otherwise poison every output it is routed to, and denormals
//! make some CPUs crawl. Absurdly large finite samples are clamped too, so that sums of many inputs
//! times the largest gain stay finite.

use crate::lanes::count;

/// Largest magnitude a sanitised sample keeps (about +120 dBFS); larger finite samples are clamped.
pub const MAX_SAMPLE: f32 = 1.0e6;

/// Cleans `block` in place and returns how many samples had to be replaced. Clean blocks (the
/// normal case) cost one vectorised counting pass and no writes.
pub fn sanitize(block: &mut [f32]) -> u32 {
    let replaced = count(block, |x| !is_clean(x));
    if replaced > 0 {
        for x in block.iter_mut().filter(|x| !is_clean(**x)) {
            let magnitude = x.abs();
            *x = if magnitude.is_finite() && magnitude > MAX_SAMPLE { MAX_SAMPLE.copysign(*x) } else { 0.0 };
        }
    }
    replaced
}

/// Zero, or a normal float no larger than `MAX_SAMPLE`. NaN fails every comparison, so is unclean.
fn is_clean(x: f32) -> bool {
    let magnitude = x.abs();
    (magnitude >= f32::MIN_POSITIVE && magnitude <= MAX_SAMPLE) || x == 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_counts_non_finite_and_denormal_samples() {
        let denormal = f32::MIN_POSITIVE / 4.0;
        let mut block = [0.5, f32::NAN, f32::INFINITY, -f32::INFINITY, denormal, -0.0, 2e7, -1.0];
        assert_eq!(sanitize(&mut block), 5);
        assert_eq!(block, [0.5, 0.0, 0.0, 0.0, 0.0, -0.0, MAX_SAMPLE, -1.0]);
    }

    #[test]
    fn clean_audio_is_untouched() {
        let mut block = [0.0, 1.0, -1.0, f32::MIN_POSITIVE, MAX_SAMPLE];
        assert_eq!(sanitize(&mut block), 0);
        assert_eq!(block, [0.0, 1.0, -1.0, f32::MIN_POSITIVE, MAX_SAMPLE]);
    }
}
