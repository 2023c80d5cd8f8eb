//! A ramped gain: one matrix cell that glides linearly to a new target so gain changes never click.
//!
//! Mixing through a cell is the mixer's inner loop, so it has three fast paths: a settled cell at 0
//! skips its input, one at 1 adds it, any other settled gain is one multiply-add per sample. Those
//! loops are plain slice zips that LLVM vectorises (f32x4 with `+simd128`).

use dasp::Sample;

/// One matrix cell: the gain applied now, its target and how far the glide still has to go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    current: f32,
    target: f32,
    step: f32,
    remaining: u32,
}

impl Ramp {
    /// A settled cell at gain 0.
    pub const MUTED: Ramp = Ramp::settled(f32::EQUILIBRIUM);

    /// A cell already at `gain`, not moving.
    pub const fn settled(gain: f32) -> Ramp {
        Ramp { current: gain, target: gain, step: 0.0, remaining: 0 }
    }

    /// Glides from the current gain to `target` over `frames` samples (0 jumps at once).
    pub fn set(&mut self, target: f32, frames: u32) {
        if frames == 0 || target == self.current {
            *self = Ramp::settled(target);
        } else {
            self.target = target;
            self.step = (target - self.current) / frames as f32;
            self.remaining = frames;
        }
    }

    /// The gain the next sample gets (during a glide, the last one applied).
    pub fn current(&self) -> f32 {
        self.current
    }

    /// The gain the cell is heading for.
    pub fn target(&self) -> f32 {
        self.target
    }

    /// Adds `input × gain` into `output` sample by sample, advancing the glide by the block length.
    pub fn mix_into(&mut self, input: &[f32], output: &mut [f32]) {
        let (mut input, mut output) = (input, output);
        if self.remaining > 0 {
            let frames = input.len().min(output.len()).min(self.remaining as usize);
            let (start, step) = (self.current, self.step);
            let (head, tail) = output.split_at_mut(frames);
            for (t, (out, x)) in head.iter_mut().zip(input).enumerate() {
                *out += x * (start + step * (t + 1) as f32);
            }
            self.remaining -= frames as u32;
            // Land exactly on the target so a finished glide is a fast-path gain again.
            self.current = if self.remaining == 0 { self.target } else { start + step * frames as f32 };
            input = input.get(frames..).unwrap_or_default();
            output = tail;
        }
        add_scaled(self.current, input, output);
    }
}

/// `output += gain × input`, with the mute and unity fast paths.
fn add_scaled(gain: f32, input: &[f32], output: &mut [f32]) {
    if gain == f32::EQUILIBRIUM {
        return;
    }
    if gain == f32::IDENTITY {
        output.iter_mut().zip(input).for_each(|(out, x)| *out += x);
    } else {
        output.iter_mut().zip(input).for_each(|(out, x)| *out += x * gain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mix(ramp: &mut Ramp, input: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; input.len()];
        ramp.mix_into(input, &mut out);
        out
    }

    #[test]
    fn settled_cells_use_mute_unity_and_scaled_paths() {
        let input = [0.5, -0.25, 1.0];
        assert_eq!(mix(&mut Ramp::settled(0.0), &input), [0.0; 3]);
        assert_eq!(mix(&mut Ramp::settled(1.0), &input), input);
        assert_eq!(mix(&mut Ramp::settled(0.5), &input), [0.25, -0.125, 0.5]);
    }

    #[test]
    fn a_glide_is_linear_and_lands_on_its_target_across_blocks() {
        let mut ramp = Ramp::MUTED;
        ramp.set(1.0, 4);
        assert_eq!(mix(&mut ramp, &[1.0; 3]), [0.25, 0.5, 0.75]);
        assert_eq!(ramp.current(), 0.75);
        assert_eq!(mix(&mut ramp, &[1.0; 3]), [1.0, 1.0, 1.0]);
        assert_eq!((ramp.current(), ramp.target(), ramp.remaining), (1.0, 1.0, 0));
    }

    #[test]
    fn retargeting_mid_glide_starts_from_the_current_gain() {
        let mut ramp = Ramp::settled(1.0);
        ramp.set(0.0, 10);
        mix(&mut ramp, &[1.0; 5]);
        ramp.set(1.0, 5);
        let out = mix(&mut ramp, &[1.0; 5]);
        assert!((out[0] - 0.6).abs() < 1e-6, "{out:?}");
        assert_eq!(ramp.target(), 1.0);
        assert_eq!(ramp.current(), 1.0);
    }

    #[test]
    fn zero_frames_jumps() {
        let mut ramp = Ramp::MUTED;
        ramp.set(0.3, 0);
        assert_eq!(ramp, Ramp::settled(0.3));
    }
}
