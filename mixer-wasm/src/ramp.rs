//! A ramped gain: one matrix cell that glides linearly to a new target so gain changes never click.
//!
//! Mixing a matrix row is the mixer's inner loop, so it has fast paths: a settled cell at 0 skips its
//! input; settled cells are summed four inputs at a time (one load and store of the output per four
//! multiply-adds, which is what bounds a large matrix; two or three leftovers are padded to four);
//! a single leftover cell at 1 is a plain add. Only
//! gliding cells take the per-sample gain path. The loops are slice zips that LLVM vectorises (f32x4
//! with `+simd128`).

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

/// Adds every cell's input times its gain into `output`: one row of the matrix. `inputs` yields one
/// block per cell, each as long as `output`.
pub fn mix_row<'a>(cells: &mut [Ramp], inputs: impl Iterator<Item = &'a [f32]>, output: &mut [f32]) {
    let mut group: [(f32, &[f32]); 4] = [(0.0, &[]); 4];
    let mut grouped = 0;
    for (cell, input) in cells.iter_mut().zip(inputs) {
        if cell.remaining > 0 {
            cell.mix_into(input, output);
        } else if cell.current != f32::EQUILIBRIUM {
            group[grouped] = (cell.current, input);
            grouped += 1;
            if grouped == group.len() {
                add_scaled4(&group, output);
                grouped = 0;
            }
        }
    }
    match grouped {
        0 => {}
        1 => add_scaled(group[0].0, group[0].1, output),
        // Two or three leftovers are still one pass: pad with gain 0 (inputs are finite, so 0·x = 0).
        _ => {
            let pad = (f32::EQUILIBRIUM, group[0].1);
            group[grouped..].fill(pad);
            add_scaled4(&group, output);
        }
    }
}

/// `output += g0·x0 + g1·x1 + g2·x2 + g3·x3`.
fn add_scaled4(group: &[(f32, &[f32]); 4], output: &mut [f32]) {
    let [(g0, x0), (g1, x1), (g2, x2), (g3, x3)] = *group;
    let inputs = x0.iter().zip(x1).zip(x2).zip(x3);
    for (out, (((a, b), c), d)) in output.iter_mut().zip(inputs) {
        *out += g0 * a + g1 * b + g2 * c + g3 * d;
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
    fn a_row_mixes_groups_leftovers_and_glides_alike() {
        let inputs: Vec<Vec<f32>> = (0..7).map(|i| vec![(i + 1) as f32 * 0.01; 5]).collect();
        let gains = [0.5, 0.0, 1.0, 0.25, 2.0, 1.0, 0.75];
        let mut cells: Vec<Ramp> = gains.iter().map(|&g| Ramp::settled(g)).collect();
        cells[6] = Ramp::settled(0.0);
        cells[6].set(0.75, 1); // gliding: takes the per-sample path, reaching 0.75 at the first sample
        let mut output = vec![0.0; 5];
        mix_row(&mut cells, inputs.iter().map(Vec::as_slice), &mut output);
        let expected: f32 = gains.iter().zip(&inputs).map(|(g, x)| g * x[0]).sum();
        assert!(output.iter().all(|&y| (y - expected).abs() < 1e-6), "{output:?} vs {expected}");
    }

    #[test]
    fn zero_frames_jumps() {
        let mut ramp = Ramp::MUTED;
        ramp.set(0.3, 0);
        assert_eq!(ramp, Ramp::settled(0.3));
    }
}
