//! The per-output soft limiter: three people shouting at once bend smoothly instead of hard-clipping.
//!
//! The curve is static (no attack, release or latency) and odd-symmetric. With threshold
//! `T = 0.5` (−6 dBFS) and `u = (|x| − T) / (1 − T)`:
//!
//! ```text
//! |x| ≤ T:  y = x                                  (bit-exact: the limiter is transparent)
//! |x| > T:  y = sign(x) · (1 − (1 − T) / (1 + u))   (= T + (1 − T) · u / (1 + u))
//! ```
//!
//! The knee is smooth (value and slope 1 are continuous at `T`) and the output approaches ±1 without
//! ever passing it: |x| = 1 → 0.75 (−2.5 dBFS), 2 → 0.875, 4 → 0.93; +∞ → 1.0.

/// Level below which the limiter leaves samples untouched: 0.5, about −6 dBFS.
pub const THRESHOLD: f32 = 0.5;

/// The limiter curve for one sample.
pub fn soft_limit(x: f32) -> f32 {
    let magnitude = x.abs();
    if magnitude <= THRESHOLD {
        return x;
    }
    let u = (magnitude - THRESHOLD) / (1.0 - THRESHOLD);
    (1.0 - (1.0 - THRESHOLD) / (1.0 + u)).copysign(x)
}

/// Limits one output block in place; a block whose peak is under the threshold is not touched.
pub fn limit(block: &mut [f32]) {
    if crate::lanes::peak(block) > THRESHOLD {
        block.iter_mut().for_each(|x| *x = soft_limit(*x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transparent_below_the_threshold() {
        for x in [0.0, 0.1, -0.3, 0.49, THRESHOLD, -THRESHOLD] {
            assert_eq!(soft_limit(x), x);
        }
    }

    #[test]
    fn the_ceiling_holds_and_the_curve_is_monotonic() {
        let mut previous = 0.0;
        for i in 0..=100_000 {
            let x = i as f32 * 1e-3;
            let y = soft_limit(x);
            assert!(y >= previous && y <= 1.0, "x={x} y={y}");
            assert_eq!(soft_limit(-x), -y);
            previous = y;
        }
        assert_eq!(soft_limit(1.0), 0.75);
        assert_eq!(soft_limit(f32::INFINITY), 1.0);
        assert_eq!(soft_limit(f32::MAX), 1.0);
    }

    #[test]
    fn the_knee_has_slope_one() {
        let h = 1e-3;
        let slope = (soft_limit(THRESHOLD + h) - soft_limit(THRESHOLD)) / h;
        assert!((slope - 1.0).abs() < 0.01, "slope {slope}");
    }

    #[test]
    fn quiet_blocks_stay_bit_exact() {
        let mut block = [0.1, -0.2, 0.45];
        limit(&mut block);
        assert_eq!(block, [0.1, -0.2, 0.45]);
        let mut loud = [0.1, 3.0, -0.2];
        limit(&mut loud);
        assert_eq!(loud[0], 0.1);
        assert!(loud[1] < 1.0 && loud[1] > 0.9);
    }
}
