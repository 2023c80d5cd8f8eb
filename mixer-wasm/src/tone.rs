//! The tone generator: enveloped sine beeps (a barge's join tone, prompts) mixed into chosen outputs.
//!
//! The phase comes from dasp's phase signal and the sine from a short polynomial over one quarter
//! turn (error < 1e-7): a bounded argument needs no range reduction, which keeps libm's large
//! `sin` out of the wasm binary. The envelope fades in, holds and fades out linearly, so a tone
//! never starts or stops with a step. A tone asked for while another sounds fades the current one out
//! first and then starts, for the same reason.

use dasp::signal::{self, ConstHz, Phase};

/// What to play.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneSpec {
    /// Pitch in Hz (above 0, below half the sample rate).
    pub frequency_hz: f32,
    /// Total length in milliseconds, fades included.
    pub duration_ms: f32,
    /// Linear peak amplitude, 0..=1.
    pub gain: f32,
    /// Length of the fade-in and of the fade-out in milliseconds (at most half the duration).
    pub fade_ms: f32,
}

impl ToneSpec {
    /// A short, quiet join beep: 880 Hz, 150 ms, −18 dBFS, 5 ms fades.
    pub const JOIN_BEEP: ToneSpec =
        ToneSpec { frequency_hz: 880.0, duration_ms: 150.0, gain: 0.125, fade_ms: 5.0 };
}

/// Where the envelope is; fades count frames so a tone lasts exactly its duration.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Idle,
    /// Frames of the fade-in done so far.
    FadeIn(u32),
    /// Frames of full level still to go.
    Hold(u32),
    /// Frames of the fade-out still to go (the level is `left / fade`).
    FadeOut(u32),
}

/// The generator's state; it renders silence while idle.
#[derive(Clone)]
pub struct Tone {
    sample_rate: f32,
    phase: Phase<ConstHz>,
    gain: f32,
    fade: u32,
    hold: u32,
    stage: Stage,
    route: u64,
    pending: Option<(ToneSpec, u64)>,
}

impl Tone {
    /// An idle generator for `sample_rate`.
    pub fn new(sample_rate: f32) -> Tone {
        Tone {
            sample_rate,
            phase: signal::rate(f64::from(sample_rate)).const_hz(0.0).phase(),
            gain: 0.0,
            fade: 1,
            hold: 0,
            stage: Stage::Idle,
            route: 0,
            pending: None,
        }
    }

    /// Starts `spec` now, or after the sounding tone has faded out. `route` is an opaque tag that
    /// travels with the tone (the mixer's output bitmask), so a fading tone keeps its own.
    pub fn play(&mut self, spec: ToneSpec, route: u64) {
        if self.stage == Stage::Idle {
            self.start(spec, route);
        } else {
            self.pending = Some((spec, route));
            self.fade_out();
        }
    }

    /// Fades the sounding tone out and drops any waiting one.
    pub fn stop(&mut self) {
        self.pending = None;
        self.fade_out();
    }

    /// The route of the tone being rendered.
    pub fn route(&self) -> u64 {
        self.route
    }

    /// Whether the next rendered samples may be non-zero.
    pub fn is_active(&self) -> bool {
        self.stage != Stage::Idle
    }

    fn start(&mut self, spec: ToneSpec, route: u64) {
        let frames_per_ms = self.sample_rate / 1000.0;
        let total = ((spec.duration_ms * frames_per_ms) as u32).max(2);
        self.fade = ((spec.fade_ms * frames_per_ms) as u32).clamp(1, total / 2);
        self.hold = total - 2 * self.fade;
        self.phase = signal::rate(f64::from(self.sample_rate)).const_hz(f64::from(spec.frequency_hz)).phase();
        self.gain = spec.gain;
        self.route = route;
        self.stage = Stage::FadeIn(0);
    }

    /// Continues from the current level down to silence.
    fn fade_out(&mut self) {
        self.stage = match self.stage {
            Stage::Idle => Stage::Idle,
            Stage::FadeIn(done) => Stage::FadeOut(done),
            Stage::Hold(_) => Stage::FadeOut(self.fade),
            fading @ Stage::FadeOut(_) => fading,
        };
    }

    /// Writes up to `out.len()` samples of the tone (silence when idle) and returns how many. It
    /// stops early right after a pending tone has started, so that each written sample belongs to
    /// the tone whose [`Tone::route`] was current before the call.
    pub fn render(&mut self, out: &mut [f32]) -> usize {
        let route = self.route;
        for (written, sample) in out.iter_mut().enumerate() {
            *sample = self.next_sample();
            if self.route != route {
                return written + 1;
            }
        }
        out.len()
    }

    fn next_sample(&mut self) -> f32 {
        let (level, next) = match self.stage {
            Stage::Idle => return 0.0,
            Stage::FadeIn(done) if done + 1 >= self.fade => (self.fade, Stage::Hold(self.hold)),
            Stage::FadeIn(done) => (done + 1, Stage::FadeIn(done + 1)),
            Stage::Hold(0) => (self.fade, Stage::FadeOut(self.fade - 1)),
            Stage::Hold(left) => (self.fade, Stage::Hold(left - 1)),
            Stage::FadeOut(0) => {
                self.stage = Stage::Idle;
                if let Some((spec, route)) = self.pending.take() {
                    self.start(spec, route);
                }
                return 0.0;
            }
            Stage::FadeOut(left) => (left, Stage::FadeOut(left - 1)),
        };
        self.stage = next;
        let envelope = level as f32 / self.fade as f32;
        sin_turns(self.phase.next_phase()) as f32 * envelope * self.gain
    }
}

/// `sin(2π·turns)` for `turns` in `[0, 1)`: folded onto a quarter turn, then Taylor to degree 13.
fn sin_turns(turns: f64) -> f64 {
    let folded = if turns < 0.25 {
        turns
    } else if turns < 0.75 {
        0.5 - turns
    } else {
        turns - 1.0
    };
    let x = 2.0 * std::f64::consts::PI * folded;
    let x2 = x * x;
    // 1/3!, 1/5!, … 1/13! with alternating signs, in Horner form.
    let series =
        [-1.0 / 6.0, 1.0 / 120.0, -1.0 / 5040.0, 1.0 / 362_880.0, -1.0 / 39_916_800.0, 1.0 / 6_227_020_800.0];
    x * (1.0 + x2 * series.iter().rev().fold(0.0, |acc, c| c + x2 * acc))
}

// dasp's phase has no Debug; the envelope is what is worth seeing anyway.
impl std::fmt::Debug for Tone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tone").field("stage", &self.stage).field("route", &self.route).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: f32 = 48_000.0;

    fn render(tone: &mut Tone, frames: usize) -> Vec<f32> {
        let mut out = vec![1.0; frames];
        let mut written = 0;
        while written < frames {
            written += tone.render(&mut out[written..]);
        }
        out
    }

    fn max_step(samples: &[f32]) -> f32 {
        samples.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn envelope_fades_in_holds_and_fades_out() {
        let mut tone = Tone::new(RATE);
        let spec = ToneSpec { frequency_hz: 1000.0, duration_ms: 100.0, gain: 0.5, fade_ms: 5.0 };
        tone.play(spec, 1);
        let out = render(&mut tone, 6000);
        let fade = 240; // 5 ms at 48 kHz
        let peak = |range: std::ops::Range<usize>| out[range].iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(out[0].abs() < 0.01, "starts from silence: {}", out[0]);
        assert!(peak(0..fade / 4) < 0.5 / 3.0, "still fading in");
        assert!((peak(fade..4800 - fade) - 0.5).abs() < 0.01, "holds at the gain");
        assert!(peak(4800 - fade / 4..4800) < 0.5 / 3.0, "fading out");
        assert_eq!(peak(4801..6000), 0.0, "silent after its duration");
        assert!(!tone.is_active());
        // A 1 kHz sine at 0.5 moves at most 2π·1000/48000·0.5 ≈ 0.065 per sample; no step beyond that.
        assert!(max_step(&out[..4900]) < 0.066, "max step {}", max_step(&out));
    }

    #[test]
    fn retrigger_fades_the_current_tone_out_first() {
        let mut tone = Tone::new(RATE);
        tone.play(ToneSpec::JOIN_BEEP, 1);
        let mut out = render(&mut tone, 1000);
        tone.play(ToneSpec { frequency_hz: 440.0, ..ToneSpec::JOIN_BEEP }, 2);
        assert_eq!(tone.route(), 1, "the fading tone keeps its route");
        out.extend(render(&mut tone, 10_000));
        assert!(max_step(&out) < 0.02, "no click at the retrigger: {}", max_step(&out));
        assert!(!tone.is_active());
        let sounding = out.iter().filter(|x| x.abs() > 0.0).count();
        assert!(sounding > 1000 + 7000, "the second tone played too ({sounding} samples)");
    }

    #[test]
    fn the_polynomial_sine_matches_std() {
        for i in 0..10_000 {
            let turns = i as f64 / 10_000.0;
            let error = (sin_turns(turns) - (2.0 * std::f64::consts::PI * turns).sin()).abs();
            assert!(error < 1e-7, "turns {turns}: error {error}");
        }
    }

    #[test]
    fn stop_fades_out_and_idle_renders_silence() {
        let mut tone = Tone::new(RATE);
        assert_eq!(render(&mut tone, 64), vec![0.0; 64]);
        tone.play(ToneSpec::JOIN_BEEP, 1);
        render(&mut tone, 1000);
        tone.stop();
        let out = render(&mut tone, 400);
        assert!(max_step(&out) < 0.02);
        assert_eq!(out[300..], vec![0.0; 100]);
    }
}
