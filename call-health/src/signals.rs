//! The hub's half of call health: turns the mixer's per-input meter readings (about 20 a second) into
//! one [`HealthSample`] per window (a second by default), and keeps per-input levels for live meters.
//!
//! # Time
//!
//! [`SignalTracker::push`] takes a monotonic time in milliseconds (`AudioContext.currentTime * 1000`
//! at the hub) with each reading. Each push accounts for the time since the previous push, `dt`,
//! clamped to 0–[`MAX_STEP_MS`]: a clock that went backwards counts nothing, and a throttled or
//! backgrounded tab that delivers a reading after 10 s counts 250 ms, not 10 s of talk or silence
//! nobody measured. The first push only starts the clock; a non-finite time is ignored.
//!
//! A reading describes the `dt` that ends with it: the mixer's voice flag (which already holds for
//! 300 ms after the level drops, so pauses between words do not count as silence) tells whether the
//! party talked during that time. Windows are cut exactly: the push that crosses a window's end is
//! split at the boundary, its first part closing the window and the rest opening the next one, so
//! every sample covers exactly `window_ms` of measured time. Durations are summed in `f64`
//! milliseconds and rounded once per window; the call totals are the sums of the windows' rounded
//! figures, so they always equal what the samples reported.
//!
//! # Talk, overtalk, silence
//!
//! A party talks during `dt` when its voice flag is set; both at once is overtalk. `silence_ms` is the
//! current run of nobody talking, as of the window's end: it grows across windows (saturating at
//! `u32::MAX`) and returns to 0 as soon as either party talks.
//!
//! # Customer level
//!
//! `customer_db` is the customer's speech level within the window: the energy mean (Leq) of the RMS
//! readings over the time they spoke, `10·log10(Σ rms²·dt / Σ dt)`, in dBFS, clamped to
//! [`FLOOR_DB`]–[`CEILING_DB`]. Only readings at or above [`SPEECH_GATE_DB`] (the mixer's voice
//! threshold) count toward the level, though the whole voiced time counts as talk: a reading under
//! the threshold with the voice flag set is the hangover after a word, a pause rather than speech, and
//! averaging such near-silent blocks in would drag the level down by tens of dB in any window where an
//! utterance ends. An energy mean rather than a mean of dB values, because loudness is what the flag
//! is about and the energy mean is what level meters (Leq) report; it is `None` when no reading of the
//! customer passed the gate.
//!
//! # Customer baseline
//!
//! `customer_baseline_db` is the customer's usual speech level, as of the window's end. It is `None`
//! until [`BASELINE_AFTER_MS`] (5 s) of gated customer speech was heard, and then starts as the energy
//! mean of that speech. From there each window with customer speech moves it toward the window's
//! level by an exponential average over *speech time* (silence changes nothing):
//! `baseline += (level − baseline)·(1 − e^(−speech/τ))`, with τ = [`BASELINE_TIME_CONSTANT_MS`]
//! (60 s of speech), so it follows a customer who slowly gets louder or quieter, or a gain change on
//! the line. While the window's level is more than [`SHOUT_GATE_DB`] (6 dB) above the baseline, τ is
//! [`SHOUT_TIME_CONSTANT_MS`] (10 minutes) instead: a shout must not become the new normal, or the
//! "customer loud" flag (level − baseline ≥ 10 dB, held for a few seconds) would clear itself while
//! the customer still shouts. 15 s of shouting at +15 dB raise the baseline by about 0.4 dB; only a
//! customer who stays that loud for minutes of speech (a moved microphone, a noisy room they now
//! speak over) is slowly taken as their new normal. Downward moves always use the 60 s constant, so a
//! baseline that started high (a customer who began the call upset) comes down within a minute or two
//! of calm speech.
//!
//! # Robustness
//!
//! An RMS that is NaN, infinite or negative is silence (level-wise; the voice flag still counts for
//! talk time), so no level is ever non-finite, and every sample passes [`HealthSample::validate`].
//! Pushing never allocates: [`SignalTracker`] is a few numbers, [`Levels::new`] sizes its slots once.

use crate::sample::{HealthSample, MAX_WINDOW_MS};

/// Default window: one sample a second.
pub const DEFAULT_WINDOW_MS: u32 = 1_000;
/// Most time one push accounts for, in milliseconds; meters arrive every 50 ms when all is well.
pub const MAX_STEP_MS: f64 = 250.0;
/// Shortest window; at least [`MAX_STEP_MS`], so one push never spans two window boundaries.
pub const MIN_WINDOW_MS: u32 = 250;
/// Level reported for silence, in dBFS (and the lowest any level reads).
pub const FLOOR_DB: f32 = -90.0;
/// Highest level reported, in dBFS (an RMS of 10; the mixer's sanitised inputs stay far below).
pub const CEILING_DB: f32 = 20.0;
/// Readings below this level (dBFS) do not count toward the customer's level: −45 dBFS, the mixer's
/// default voice threshold, under which a set voice flag can only be the hangover.
pub const SPEECH_GATE_DB: f32 = -45.0;
/// Gated customer speech heard before the baseline is established, in milliseconds.
pub const BASELINE_AFTER_MS: f64 = 5_000.0;
/// Time constant of the baseline, in milliseconds of customer speech.
pub const BASELINE_TIME_CONSTANT_MS: f64 = 60_000.0;
/// A window this many dB or more above the baseline is a shout, which moves the baseline only at
/// [`SHOUT_TIME_CONSTANT_MS`].
pub const SHOUT_GATE_DB: f64 = 6.0;
/// Time constant of the baseline while the customer is [`SHOUT_GATE_DB`] above it.
pub const SHOUT_TIME_CONSTANT_MS: f64 = 600_000.0;
/// Most inputs a [`Levels`] keeps (the mixer's own limit).
pub const MAX_INPUTS: usize = 1_024;

/// `10^(SPEECH_GATE_DB / 10)`: the gate as a power (RMS squared).
const SPEECH_GATE_POWER: f64 = 3.162_277_660_168_379_4e-5;
const FLOOR_POWER: f64 = 1e-9; // 10^(FLOOR_DB / 10)
const CEILING_POWER: f64 = 100.0; // 10^(CEILING_DB / 10)

/// One party's meter reading, as the mixer reports it for one input.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PartyMeter {
    /// RMS of the latest block, linear (non-finite or negative values are taken as silence).
    pub rms: f32,
    /// The mixer's voice-activity flag (with its hangover).
    pub voice: bool,
}

impl PartyMeter {
    /// A reading of `rms` (linear) with the voice flag `voice`.
    pub fn new(rms: f32, voice: bool) -> PartyMeter {
        PartyMeter { rms, voice }
    }

    /// Silence with no voice.
    pub const SILENT: PartyMeter = PartyMeter { rms: 0.0, voice: false };

    /// The reading's power (RMS squared), 0 for anything that is not a finite non-negative RMS.
    fn power(self) -> f64 {
        let rms = f64::from(self.rms);
        if rms.is_finite() && rms > 0.0 {
            (rms * rms).min(CEILING_POWER)
        } else {
            0.0
        }
    }
}

/// A power (RMS squared) in dBFS, within [`FLOOR_DB`]–[`CEILING_DB`]; 0 and below read the floor.
fn power_to_db(power: f64) -> f32 {
    if power.is_nan() || power <= FLOOR_POWER {
        return FLOOR_DB;
    }
    (10.0 * power.min(CEILING_POWER).log10()) as f32
}

/// Rounds a duration in milliseconds to whole milliseconds, saturating at `u32::MAX`.
fn whole_ms(ms: f64) -> u32 {
    // `as` saturates and maps NaN to 0.
    ms.round() as u32
}

/// What the current window has accumulated.
#[derive(Debug, Clone, Copy, Default)]
struct Window {
    elapsed: f64,
    agent: f64,
    customer: f64,
    overtalk: f64,
    /// Time the customer's readings passed the speech gate, and their power integrated over it.
    speech: f64,
    energy: f64,
}

/// The customer's running speech level.
#[derive(Debug, Clone, Copy, Default)]
struct Baseline {
    /// Established level in dBFS.
    level_db: Option<f64>,
    /// Before it is established: gated speech time and energy heard so far.
    warmup_ms: f64,
    warmup_energy: f64,
}

impl Baseline {
    /// Takes in one window's gated speech: `speech` ms with `energy` (power × ms).
    fn update(&mut self, speech: f64, energy: f64) {
        if speech <= 0.0 {
            return;
        }
        match self.level_db {
            None => {
                self.warmup_ms += speech;
                self.warmup_energy += energy;
                if self.warmup_ms >= BASELINE_AFTER_MS {
                    self.level_db = Some(f64::from(power_to_db(self.warmup_energy / self.warmup_ms)));
                }
            }
            Some(baseline) => {
                let level = f64::from(power_to_db(energy / speech));
                let tau = if level - baseline > SHOUT_GATE_DB {
                    SHOUT_TIME_CONSTANT_MS
                } else {
                    BASELINE_TIME_CONSTANT_MS
                };
                let moved = baseline + (level - baseline) * (1.0 - (-speech / tau).exp());
                self.level_db = Some(moved.clamp(f64::from(FLOOR_DB), f64::from(CEILING_DB)));
            }
        }
    }
}

/// Turns the agent's and the customer's meter readings into a [`HealthSample`] per window. See the
/// module docs for the rules.
#[derive(Debug, Clone)]
pub struct SignalTracker {
    window_ms: u32,
    last_now: Option<f64>,
    window: Window,
    silence: f64,
    agent_total: u64,
    customer_total: u64,
    baseline: Baseline,
}

impl Default for SignalTracker {
    fn default() -> SignalTracker {
        SignalTracker::new(DEFAULT_WINDOW_MS)
    }
}

impl SignalTracker {
    /// A tracker producing a sample every `window_ms` of measured time, clamped to
    /// [`MIN_WINDOW_MS`]–[`MAX_WINDOW_MS`] (shorter windows would let one push span two; longer ones
    /// would not validate).
    pub fn new(window_ms: u32) -> SignalTracker {
        SignalTracker {
            window_ms: window_ms.clamp(MIN_WINDOW_MS, MAX_WINDOW_MS),
            last_now: None,
            window: Window::default(),
            silence: 0.0,
            agent_total: 0,
            customer_total: 0,
            baseline: Baseline::default(),
        }
    }

    /// The window length in use.
    pub fn window_ms(&self) -> u32 {
        self.window_ms
    }

    /// The customer's baseline as of the last completed window, in dBFS.
    pub fn customer_baseline_db(&self) -> Option<f32> {
        self.baseline.level_db.map(|db| db as f32)
    }

    /// Takes in one meter event at `now_ms` (monotonic milliseconds); returns the sample of the window
    /// this push completed, if it completed one.
    pub fn push(&mut self, now_ms: f64, agent: PartyMeter, customer: PartyMeter) -> Option<HealthSample> {
        if !now_ms.is_finite() {
            return None;
        }
        let last = self.last_now.replace(now_ms)?;
        // Both are finite, so the difference is a number (possibly infinite, which clamps to the cap).
        let dt = (now_ms - last).clamp(0.0, MAX_STEP_MS);
        let left = f64::from(self.window_ms) - self.window.elapsed;
        if dt < left {
            self.account(dt, agent, customer);
            return None;
        }
        self.account(left, agent, customer);
        let sample = self.close_window();
        self.account(dt - left, agent, customer);
        Some(sample)
    }

    fn account(&mut self, dt: f64, agent: PartyMeter, customer: PartyMeter) {
        let window = &mut self.window;
        window.elapsed += dt;
        if agent.voice {
            window.agent += dt;
        }
        if customer.voice {
            window.customer += dt;
            let power = customer.power();
            if power >= SPEECH_GATE_POWER {
                window.speech += dt;
                window.energy += power * dt;
            }
        }
        if agent.voice && customer.voice {
            window.overtalk += dt;
        }
        if agent.voice || customer.voice {
            self.silence = 0.0;
        } else {
            self.silence += dt;
        }
    }

    fn close_window(&mut self) -> HealthSample {
        let window = std::mem::take(&mut self.window);
        let window_ms = self.window_ms;
        // Float sums of the pushes' parts may land a hair beyond the window; rounding is monotonic,
        // so overtalk ≤ either party's talk ≤ window holds after it, and the `min`s only guard that.
        let agent_talk_ms = whole_ms(window.agent).min(window_ms);
        let customer_talk_ms = whole_ms(window.customer).min(window_ms);
        let overtalk_ms = whole_ms(window.overtalk).min(agent_talk_ms).min(customer_talk_ms);
        let customer_db = (window.speech > 0.0).then(|| power_to_db(window.energy / window.speech));
        self.baseline.update(window.speech, window.energy);
        self.agent_total += u64::from(agent_talk_ms);
        self.customer_total += u64::from(customer_talk_ms);
        HealthSample {
            window_ms,
            agent_talk_ms,
            customer_talk_ms,
            overtalk_ms,
            silence_ms: whole_ms(self.silence),
            customer_db,
            customer_baseline_db: self.customer_baseline_db(),
            agent_talk_total_ms: self.agent_total,
            customer_talk_total_ms: self.customer_total,
        }
    }
}

/// Per-input levels for live meters: the loudest RMS each input reached since the last read, read as
/// dBFS (floor [`FLOOR_DB`] for silence). Meter events come at 20 Hz, a console redraws less often;
/// keeping the maximum means a short word between two reads still shows.
#[derive(Debug, Clone)]
pub struct Levels {
    max_rms: Vec<f32>,
}

impl Levels {
    /// Levels for `inputs` inputs (at most [`MAX_INPUTS`]), all silent.
    pub fn new(inputs: usize) -> Levels {
        Levels { max_rms: vec![0.0; inputs.min(MAX_INPUTS)] }
    }

    /// How many inputs this keeps.
    pub fn len(&self) -> usize {
        self.max_rms.len()
    }

    /// Whether it keeps no input at all.
    pub fn is_empty(&self) -> bool {
        self.max_rms.is_empty()
    }

    /// Takes in one RMS reading (linear) of `input`; inputs beyond [`Levels::len`] and readings that
    /// are not finite non-negative numbers (silence) change nothing.
    pub fn observe(&mut self, input: usize, rms: f32) {
        if let Some(max) = self.max_rms.get_mut(input) {
            // `f32::max` returns the other operand when one is NaN, so NaN never gets in.
            if rms.is_finite() {
                *max = max.max(rms);
            }
        }
    }

    /// Writes each input's level in dBFS since the last read into `out` (as many as both hold) and
    /// starts a new reading period.
    pub fn read_into(&mut self, out: &mut [f32]) {
        for (max, db) in self.max_rms.iter_mut().zip(out.iter_mut()) {
            *db = power_to_db(f64::from(*max) * f64::from(*max));
            *max = 0.0;
        }
    }

    /// Each input's level in dBFS since the last read; starts a new reading period.
    pub fn read(&mut self) -> Vec<f32> {
        let mut out = vec![FLOOR_DB; self.max_rms.len()];
        self.read_into(&mut out);
        out
    }
}

/// Writes `sample` as the JSON object its serde form is (same field names, same flat shape), without
/// serde_json or `core::fmt`: for the hub's wasm build, where either would add several KiB of code.
/// Levels are written to a hundredth of a dB, more than a meter reading is worth.
pub fn write_sample_json(sample: &HealthSample, out: &mut String) {
    let fields: [(&str, u64); 5] = [
        ("window_ms", sample.window_ms.into()),
        ("agent_talk_ms", sample.agent_talk_ms.into()),
        ("customer_talk_ms", sample.customer_talk_ms.into()),
        ("overtalk_ms", sample.overtalk_ms.into()),
        ("silence_ms", sample.silence_ms.into()),
    ];
    out.push('{');
    for (name, value) in fields {
        push_key(out, name);
        push_u64(out, value);
        out.push(',');
    }
    for (name, level) in
        [("customer_db", sample.customer_db), ("customer_baseline_db", sample.customer_baseline_db)]
    {
        push_key(out, name);
        match level {
            Some(db) if db.is_finite() => push_hundredths(out, (f64::from(db) * 100.0).round() as i64),
            _ => out.push_str("null"),
        }
        out.push(',');
    }
    push_key(out, "agent_talk_total_ms");
    push_u64(out, sample.agent_talk_total_ms);
    out.push(',');
    push_key(out, "customer_talk_total_ms");
    push_u64(out, sample.customer_talk_total_ms);
    out.push('}');
}

fn push_key(out: &mut String, name: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

fn push_u64(out: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    digits[start..].iter().for_each(|&digit| out.push(char::from(digit)));
}

/// Writes `hundredths / 100` as a JSON number: `-23.45`, `-23.4`, `-90`.
fn push_hundredths(out: &mut String, hundredths: i64) {
    if hundredths < 0 {
        out.push('-');
    }
    let magnitude = hundredths.unsigned_abs();
    push_u64(out, magnitude / 100);
    let fraction = magnitude % 100;
    if fraction != 0 {
        out.push('.');
        out.push(char::from(b'0' + (fraction / 10) as u8));
        if !fraction.is_multiple_of(10) {
            out.push(char::from(b'0' + (fraction % 10) as u8));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: f64 = 50.0; // 20 Hz meter events
    const TALK: PartyMeter = PartyMeter { rms: 0.1, voice: true }; // −20 dBFS
    const QUIET: PartyMeter = PartyMeter::SILENT;

    /// Pushes `count` readings 50 ms apart from `*now`, collecting the samples.
    fn run(
        tracker: &mut SignalTracker,
        now: &mut f64,
        count: usize,
        agent: PartyMeter,
        customer: PartyMeter,
    ) -> Vec<HealthSample> {
        let mut samples = Vec::new();
        for _ in 0..count {
            *now += STEP;
            samples.extend(tracker.push(*now, agent, customer));
        }
        samples
    }

    /// A tracker whose clock has started at 0.
    fn started() -> (SignalTracker, f64) {
        let mut tracker = SignalTracker::default();
        assert_eq!(tracker.push(0.0, QUIET, QUIET), None, "the first push only starts the clock");
        (tracker, 0.0)
    }

    fn rms_at(db: f32) -> f32 {
        10f32.powf(db / 20.0)
    }

    #[test]
    fn talk_overtalk_and_silence_are_exact_to_the_push() {
        let (mut tracker, mut now) = started();
        // Agent alone 600 ms, both 300 ms, customer alone 100 ms: one window.
        let mut samples = run(&mut tracker, &mut now, 12, TALK, QUIET);
        samples.extend(run(&mut tracker, &mut now, 6, TALK, TALK));
        samples.extend(run(&mut tracker, &mut now, 2, QUIET, TALK));
        assert_eq!(samples.len(), 1);
        let first = &samples[0];
        assert_eq!(
            (
                first.window_ms,
                first.agent_talk_ms,
                first.customer_talk_ms,
                first.overtalk_ms,
                first.silence_ms
            ),
            (1000, 900, 400, 300, 0)
        );
        assert_eq!((first.agent_talk_total_ms, first.customer_talk_total_ms), (900, 400));
        assert_eq!(first.agent_talk_ratio(), Some(900.0 / 1300.0));
        // Then 2.5 s of nobody: silence grows across windows and is 500 ms into the third one...
        let quiet = run(&mut tracker, &mut now, 50, QUIET, QUIET);
        let silences: Vec<u32> = quiet.iter().map(|sample| sample.silence_ms).collect();
        assert_eq!(silences, [1000, 2000]);
        assert!(quiet.iter().all(|sample| sample.agent_talk_ms == 0 && sample.customer_talk_ms == 0));
        // ...and one push of talk resets it, counting 50 ms of talk.
        let next = run(&mut tracker, &mut now, 10, QUIET, QUIET);
        assert_eq!(next[0].silence_ms, 3000);
        run(&mut tracker, &mut now, 1, TALK, QUIET);
        let after = run(&mut tracker, &mut now, 19, QUIET, QUIET);
        assert_eq!((after[0].agent_talk_ms, after[0].silence_ms), (50, 950));
        assert_eq!((after[0].agent_talk_total_ms, after[0].customer_talk_total_ms), (950, 400));
    }

    #[test]
    fn a_push_across_the_window_end_is_split_at_the_boundary() {
        let mut tracker = SignalTracker::default();
        tracker.push(1_000.0, QUIET, QUIET);
        // 960 ms of quiet, then one 80 ms push of agent talk: 40 ms in this window, 40 in the next.
        for t in 1..=8 {
            assert_eq!(tracker.push(1_000.0 + f64::from(t) * 120.0, QUIET, QUIET), None);
        }
        let sample = tracker.push(2_040.0, TALK, QUIET).expect("the window closed");
        assert_eq!((sample.window_ms, sample.agent_talk_ms, sample.silence_ms), (1000, 40, 0));
        for t in [2_200.0, 2_400.0, 2_600.0, 2_800.0, 2_999.5] {
            assert_eq!(tracker.push(t, QUIET, QUIET), None, "{t}: still in the next window");
        }
        let next = tracker.push(3_000.0, QUIET, QUIET).expect("exactly at the boundary");
        assert_eq!((next.agent_talk_ms, next.silence_ms, next.agent_talk_total_ms), (40, 960, 80));
    }

    #[test]
    fn a_ten_second_gap_counts_as_250_ms_and_a_clock_going_back_as_nothing() {
        let (mut tracker, mut now) = started();
        run(&mut tracker, &mut now, 10, TALK, QUIET); // 500 ms
        now += 10_000.0; // the tab was throttled for 10 s
        assert_eq!(tracker.push(now, TALK, QUIET), None, "750 ms accounted, not 10.5 s");
        now -= 5_000.0; // a new AudioContext: the clock restarts lower
        assert_eq!(tracker.push(now, TALK, QUIET), None, "a clock going back counts nothing");
        let samples = run(&mut tracker, &mut now, 5, TALK, QUIET);
        assert_eq!(samples.len(), 1);
        assert_eq!((samples[0].agent_talk_ms, samples[0].agent_talk_total_ms), (1000, 1000));
        assert_eq!(tracker.push(f64::NAN, TALK, QUIET), None, "a NaN time is ignored");
        assert_eq!(tracker.push(f64::INFINITY, TALK, QUIET), None);
        let samples = run(&mut tracker, &mut now, 20, QUIET, QUIET);
        assert_eq!((samples.len(), samples[0].agent_talk_ms, samples[0].silence_ms), (1, 0, 1000));
    }

    #[test]
    fn the_customer_level_is_their_speech_energy_and_ignores_the_hangover() {
        let (mut tracker, mut now) = started();
        // Half the window at −20 dBFS, half at −30: energy mean 10·log10((0.01 + 0.001) / 2).
        run(&mut tracker, &mut now, 10, QUIET, PartyMeter::new(rms_at(-20.0), true));
        run(&mut tracker, &mut now, 6, QUIET, PartyMeter::new(rms_at(-30.0), true));
        // The hangover: voice still set, level near silence. Talk, not level.
        let samples = run(&mut tracker, &mut now, 4, QUIET, PartyMeter::new(1e-5, true));
        let sample = &samples[0];
        assert_eq!(sample.customer_talk_ms, 1000);
        let expected = 10.0 * ((10.0 * 0.01 + 6.0 * 0.001) / 16.0f32).log10();
        let level = sample.customer_db.expect("the customer spoke");
        assert!((level - expected).abs() < 0.01, "{level} vs {expected}");
        assert_eq!(sample.customer_baseline_db, None, "1 s of speech is not enough for a baseline");
        // A window of only hangover has talk but no level.
        let mut samples = run(&mut tracker, &mut now, 16, QUIET, PartyMeter::new(0.0, true));
        samples.extend(run(&mut tracker, &mut now, 4, QUIET, QUIET));
        assert_eq!((samples[0].customer_talk_ms, samples[0].customer_db), (800, None));
    }

    #[test]
    fn the_baseline_appears_after_5_s_of_speech_and_does_not_chase_a_15_s_shout() {
        let (mut tracker, mut now) = started();
        let normal = PartyMeter::new(rms_at(-30.0), true);
        let shout = PartyMeter::new(rms_at(-15.0), true);
        // 4.9 s of speech, with a pause that must not count: no baseline yet.
        let mut samples = run(&mut tracker, &mut now, 60, QUIET, normal);
        samples.extend(run(&mut tracker, &mut now, 40, TALK, QUIET));
        samples.extend(run(&mut tracker, &mut now, 38, QUIET, normal));
        assert!(samples.iter().all(|sample| sample.customer_baseline_db.is_none()), "{samples:?}");
        // The window in which speech reaches 5 s establishes it, at the speech's level.
        let samples = run(&mut tracker, &mut now, 22, QUIET, normal);
        let baseline = samples[0].customer_baseline_db.expect("5 s of speech");
        assert!((baseline + 30.0).abs() < 0.01, "{baseline}");
        // A minute of normal speech keeps it there.
        let samples = run(&mut tracker, &mut now, 1200, QUIET, normal);
        assert!(samples.iter().all(|s| (s.customer_baseline_db.unwrap() + 30.0).abs() < 0.01));
        // 15 s of shouting at +15 dB: every window stays ≥ 10 dB over the baseline.
        let samples = run(&mut tracker, &mut now, 300, QUIET, shout);
        assert_eq!(samples.len(), 15);
        for sample in &samples {
            let over = sample.customer_db.unwrap() - sample.customer_baseline_db.unwrap();
            assert!(over >= 14.0, "only {over} dB over the baseline: {sample:?}");
        }
        // Back to normal: the level comes back to the baseline at once, the baseline hardly moved.
        let samples = run(&mut tracker, &mut now, 100, QUIET, normal);
        for sample in &samples {
            let over = sample.customer_db.unwrap() - sample.customer_baseline_db.unwrap();
            assert!(over.abs() < 1.0, "{over} dB off the baseline after the shout: {sample:?}");
        }
    }

    #[test]
    fn the_baseline_follows_slow_drift_and_comes_down_from_a_loud_start() {
        let (mut tracker, mut now) = started();
        // The call starts upset: the baseline forms at −15 dBFS.
        run(&mut tracker, &mut now, 120, QUIET, PartyMeter::new(rms_at(-15.0), true));
        assert!((tracker.customer_baseline_db().unwrap() + 15.0).abs() < 0.01);
        // Calm speech at −25: the gap shrinks with the 60 s constant (e^-2 after 2 min).
        run(&mut tracker, &mut now, 2400, QUIET, PartyMeter::new(rms_at(-25.0), true));
        let gap = tracker.customer_baseline_db().unwrap() + 25.0;
        assert!((gap - 10.0 * (-2.0f32).exp()).abs() < 0.1, "gap {gap} dB");
        // A line that gets 4 dB louder (under the shout gate) is followed.
        run(&mut tracker, &mut now, 6000, QUIET, PartyMeter::new(rms_at(-21.0), true));
        assert!((tracker.customer_baseline_db().unwrap() + 21.0).abs() < 0.1);
    }

    #[test]
    fn bad_readings_are_silence_and_never_make_a_level_non_finite() {
        let (mut tracker, mut now) = started();
        for rms in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.5, 0.0, f32::MAX, f32::MIN_POSITIVE] {
            for sample in run(&mut tracker, &mut now, 20, QUIET, PartyMeter::new(rms, true)) {
                assert_eq!(sample.validate(), Ok(()), "{rms}: {sample:?}");
                assert!(sample.customer_db.is_none_or(f32::is_finite), "{rms}: {sample:?}");
            }
        }
        let mut levels = Levels::new(3);
        for rms in [f32::NAN, f32::INFINITY, -1.0] {
            levels.observe(0, rms);
        }
        levels.observe(1, f32::MAX);
        levels.observe(7, 0.5); // no such input
        assert_eq!(levels.read(), [FLOOR_DB, CEILING_DB, FLOOR_DB]);
    }

    #[test]
    fn levels_keep_the_loudest_reading_since_the_last_read() {
        let mut levels = Levels::new(6);
        assert_eq!(levels.len(), 6);
        levels.observe(0, 0.1);
        levels.observe(0, 0.01);
        levels.observe(1, 0.5);
        levels.observe(1, 1.0);
        let mut out = [0.0; 6];
        levels.read_into(&mut out);
        assert!((out[0] + 20.0).abs() < 1e-4 && out[1].abs() < 1e-4, "{out:?}");
        assert!(out[2..].iter().all(|&db| db == FLOOR_DB));
        assert_eq!(levels.read(), [FLOOR_DB; 6], "a read starts a new period");
        assert_eq!(Levels::new(5_000).len(), MAX_INPUTS);
    }

    #[test]
    fn windows_are_clamped_to_what_a_sample_may_cover() {
        assert_eq!(SignalTracker::new(10).window_ms(), MIN_WINDOW_MS);
        assert_eq!(SignalTracker::new(60_000).window_ms(), MAX_WINDOW_MS);
        // The shortest window still closes once per boundary, never skipping one.
        let mut tracker = SignalTracker::new(0);
        tracker.push(0.0, QUIET, QUIET);
        let closed = (1..=40).filter(|t| tracker.push(f64::from(*t) * 250.0, TALK, QUIET).is_some()).count();
        assert_eq!(closed, 40);
    }

    #[test]
    fn the_hand_written_json_is_the_serde_form() {
        let (mut tracker, mut now) = started();
        let mut samples = run(&mut tracker, &mut now, 200, TALK, PartyMeter::new(0.0123, true));
        samples.extend(run(&mut tracker, &mut now, 40, QUIET, QUIET));
        samples.push(HealthSample {
            silence_ms: u32::MAX,
            customer_db: Some(-0.004),
            customer_baseline_db: Some(-89.999),
            agent_talk_total_ms: u64::MAX,
            ..samples[0].clone()
        });
        samples.push(HealthSample {
            customer_db: Some(-0.05),
            customer_baseline_db: Some(7.0),
            ..samples[0].clone()
        });
        assert!(
            samples.iter().any(|s| s.customer_baseline_db.is_some())
                && samples.iter().any(|s| s.customer_db.is_none())
        );
        for sample in samples {
            let mut json = String::new();
            write_sample_json(&sample, &mut json);
            let mut parsed: serde_json::Value = serde_json::from_str(&json).expect(&json);
            let mut expected = serde_json::to_value(&sample).unwrap();
            for level in ["customer_db", "customer_baseline_db"] {
                // Levels go out to a hundredth of a dB; everything else must be identical.
                let got = parsed[level].take().as_f64();
                let want = expected[level].take().as_f64().map(|db| (db * 100.0).round() / 100.0);
                assert_eq!(got.is_some(), want.is_some(), "{level}: {json}");
                assert!(got.zip(want).is_none_or(|(got, want)| (got - want).abs() < 1e-9), "{level}: {json}");
            }
            assert_eq!(parsed, expected, "{json}");
            let back: HealthSample = serde_json::from_str(&json).unwrap();
            assert_eq!(back.silence_ms, sample.silence_ms);
        }
    }

    /// xorshift64*: a tiny deterministic generator, so failures reproduce from the seed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn meter(&mut self) -> PartyMeter {
            let rms = match self.below(8) {
                0 => f32::NAN,
                1 => f32::INFINITY,
                2 => -(self.below(100) as f32),
                3 => 0.0,
                _ => (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0,
            };
            PartyMeter::new(rms, self.below(2) == 0)
        }
    }

    #[test]
    fn random_streams_always_give_valid_consistent_samples() {
        for seed in 1..=200u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let window = [250, 500, 1000, 1500, 5000, 7][rng.below(6) as usize];
            let mut tracker = SignalTracker::new(window);
            let mut now = rng.below(1_000_000) as f64;
            let (mut agent_sum, mut customer_sum, mut samples) = (0u64, 0u64, 0);
            for _ in 0..2_000 {
                now += match rng.below(20) {
                    0 => -(rng.below(5_000) as f64),
                    1 => rng.below(20_000) as f64,
                    2 => f64::NAN,
                    _ => rng.below(120) as f64 + rng.below(1000) as f64 / 1000.0,
                };
                if now.is_nan() {
                    now = rng.below(1_000_000) as f64;
                    assert_eq!(tracker.push(f64::NAN, rng.meter(), rng.meter()), None);
                    continue;
                }
                if let Some(sample) = tracker.push(now, rng.meter(), rng.meter()) {
                    assert_eq!(sample.validate(), Ok(()), "seed {seed}: {sample:?}");
                    assert_eq!(sample.window_ms, tracker.window_ms());
                    assert!(sample.customer_db.is_none_or(|db| (FLOOR_DB..=CEILING_DB).contains(&db)));
                    agent_sum += u64::from(sample.agent_talk_ms);
                    customer_sum += u64::from(sample.customer_talk_ms);
                    assert_eq!(
                        (sample.agent_talk_total_ms, sample.customer_talk_total_ms),
                        (agent_sum, customer_sum)
                    );
                    samples += 1;
                }
            }
            assert!(samples > 0, "seed {seed}: no window closed");
        }
    }
}
