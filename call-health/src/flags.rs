//! Attention flags: the call object's reading of the hub's [`HealthSample`]s under a team's
//! [`HealthThresholds`], with hysteresis so a flag neither flickers nor lingers.
//!
//! Every flag follows one rule. A sample window either shows the flag's condition or not. Windows
//! showing it add to the flag's *held* time; windows without it add to its *gap*. The flag is raised
//! once held time reaches `raise_after_s`, and a gap of `clear_after_s` ends the spell: a raised flag
//! clears and the held time starts again from zero. So a shouting customer who pauses for breath
//! stays flagged, and one bad second never raises anything.
//!
//! Times are audio time (the samples' `window_ms`), mapped onto the wall clock the caller passes,
//! so a flag's `since` is when its condition began, not when it was raised.

use serde::{Deserialize, Serialize};

use crate::sample::HealthSample;

/// What a flag is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// The customer speaks well above their own usual level (shouting).
    CustomerLoud,
    /// Agent and customer talk at once for much of the time.
    Overtalk,
    /// Nobody has spoken for a long time.
    DeadAir,
    /// The agent does nearly all the talking.
    AgentTalkRatio,
}

impl FlagKind {
    pub const ALL: [FlagKind; 4] =
        [FlagKind::CustomerLoud, FlagKind::Overtalk, FlagKind::DeadAir, FlagKind::AgentTalkRatio];

    /// How a console names the flag: "customer loud" (for 12 s).
    pub fn label(self) -> &'static str {
        match self {
            FlagKind::CustomerLoud => "customer loud",
            FlagKind::Overtalk => "overtalk",
            FlagKind::DeadAir => "dead air",
            FlagKind::AgentTalkRatio => "agent talking most",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A team's thresholds; new calls take the team's current ones.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HealthThresholds {
    /// Dead air: nobody spoke for this many seconds (this is the flag's own delay; `raise_after_s`
    /// does not add to it).
    pub dead_air_s: u32,
    /// Customer loud: their level this many dB above their usual level.
    pub loud_db: f32,
    /// Overtalk: both talking for at least this share of a window (0–1).
    pub overtalk_share: f32,
    /// Agent talk ratio: the agent's share of all talk reaches this (0–1)…
    pub talk_ratio: f32,
    /// …once the call has had at least this many seconds of talk.
    pub talk_ratio_min_s: u32,
    /// Seconds a condition must hold before its flag is raised.
    pub raise_after_s: u32,
    /// Seconds a condition must stay away before its flag clears.
    pub clear_after_s: u32,
}

impl Default for HealthThresholds {
    fn default() -> Self {
        HealthThresholds {
            dead_air_s: 10,
            loud_db: 10.0,
            overtalk_share: 0.5,
            talk_ratio: 0.8,
            talk_ratio_min_s: 60,
            raise_after_s: 3,
            clear_after_s: 5,
        }
    }
}

impl HealthThresholds {
    /// Checks a team's settings before they are stored; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        let within = |name: &str, ok: bool, range: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("{name} must be {range}"))
            }
        };
        within("dead_air_s", (1..=600).contains(&self.dead_air_s), "1-600")?;
        within("loud_db", (3.0..=40.0).contains(&self.loud_db), "3-40")?;
        within("overtalk_share", (0.05..=1.0).contains(&self.overtalk_share), "0.05-1")?;
        within("talk_ratio", (0.5..=1.0).contains(&self.talk_ratio), "0.5-1")?;
        within("talk_ratio_min_s", self.talk_ratio_min_s <= 3600, "0-3600")?;
        within("raise_after_s", self.raise_after_s <= 120, "0-120")?;
        within("clear_after_s", (1..=300).contains(&self.clear_after_s), "1-300")
    }
}

/// A raised flag as consoles show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Flag {
    pub kind: FlagKind,
    /// Wall-clock milliseconds when the condition began.
    pub since: u64,
    /// What was measured when it was raised, e.g. "+14 dB over their usual level".
    pub note: String,
}

impl Flag {
    /// "customer loud for 12 s".
    pub fn reason(&self, now_ms: u64) -> String {
        format!("{} for {} s", self.kind.label(), now_ms.saturating_sub(self.since) / 1000)
    }
}

/// A flag raised or cleared by one sample.
#[derive(Debug, Clone, PartialEq)]
pub enum FlagChange {
    Raised(Flag),
    Cleared { flag: Flag, at: u64 },
}

/// One flag's hysteresis state.
#[derive(Debug, Clone, Default, PartialEq)]
struct Spell {
    held_ms: u64,
    gap_ms: u64,
    began: Option<u64>,
    raised: Option<Flag>,
}

/// Turns a call's samples into flags. Not persisted per sample: the call object keeps it in memory
/// and stores only the raised flags, from which [`FlagTracker::resume`] starts again.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagTracker {
    thresholds: HealthThresholds,
    spells: [Spell; 4],
}

impl FlagTracker {
    pub fn new(thresholds: HealthThresholds) -> FlagTracker {
        FlagTracker { thresholds, spells: Default::default() }
    }

    /// A tracker that carries on with flags already raised (after the object was evicted).
    pub fn resume(thresholds: HealthThresholds, raised: &[Flag]) -> FlagTracker {
        let mut tracker = FlagTracker::new(thresholds);
        for flag in raised {
            let raise_ms = tracker.raise_after_ms(flag.kind);
            let spell = &mut tracker.spells[flag.kind.index()];
            spell.held_ms = raise_ms;
            spell.began = Some(flag.since);
            spell.raised = Some(flag.clone());
        }
        tracker
    }

    /// The flags raised now, in [`FlagKind::ALL`] order.
    pub fn raised(&self) -> Vec<Flag> {
        self.spells.iter().filter_map(|spell| spell.raised.clone()).collect()
    }

    fn raise_after_ms(&self, kind: FlagKind) -> u64 {
        match kind {
            FlagKind::DeadAir => 0,
            _ => u64::from(self.thresholds.raise_after_s) * 1000,
        }
    }

    /// Reads one (validated) sample that ended at `now_ms`; returns what it raised or cleared.
    pub fn observe(&mut self, sample: &HealthSample, now_ms: u64) -> Vec<FlagChange> {
        let t = self.thresholds;
        let window = u64::from(sample.window_ms);
        let over_baseline = match (sample.customer_db, sample.customer_baseline_db) {
            (Some(level), Some(baseline)) => Some(level - baseline),
            _ => None,
        };
        let total_talk_s = (sample.agent_talk_total_ms + sample.customer_talk_total_ms) / 1000;
        let ratio = sample.agent_talk_ratio().filter(|_| total_talk_s >= u64::from(t.talk_ratio_min_s));
        let readings: [(FlagKind, Option<String>, u64); 4] = [
            (
                FlagKind::CustomerLoud,
                over_baseline
                    .filter(|db| *db >= t.loud_db)
                    // Whole numbers: formatting floats would cost the worker's bundle kilobytes.
                    .map(|db| format!("+{} dB over their usual level", db.round() as i32)),
                window,
            ),
            (
                FlagKind::Overtalk,
                (sample.overtalk_ms as f32 >= t.overtalk_share * sample.window_ms as f32).then(|| {
                    format!("both talking {} % of the time", sample.overtalk_ms * 100 / sample.window_ms)
                }),
                window,
            ),
            (
                FlagKind::DeadAir,
                (sample.silence_ms >= t.dead_air_s * 1000).then(|| "nobody speaking".to_owned()),
                // The silence began before the samples that show it: date the spell from its start.
                u64::from(sample.silence_ms),
            ),
            (
                FlagKind::AgentTalkRatio,
                ratio
                    .filter(|r| *r >= t.talk_ratio)
                    .map(|r| format!("agent talks {} % of the time", (r * 100.0).round() as u32)),
                window,
            ),
        ];
        let mut changes = Vec::new();
        for (kind, shown, lookback) in readings {
            let raise_ms = self.raise_after_ms(kind);
            let clear_ms = u64::from(t.clear_after_s) * 1000;
            let spell = &mut self.spells[kind.index()];
            match shown {
                Some(note) => {
                    spell.gap_ms = 0;
                    spell.began.get_or_insert(now_ms.saturating_sub(lookback));
                    spell.held_ms += window;
                    if spell.raised.is_none() && spell.held_ms >= raise_ms {
                        let flag = Flag { kind, since: spell.began.unwrap_or(now_ms), note };
                        spell.raised = Some(flag.clone());
                        changes.push(FlagChange::Raised(flag));
                    }
                }
                None if spell.began.is_some() => {
                    spell.gap_ms += window;
                    if spell.gap_ms >= clear_ms {
                        if let Some(flag) = spell.raised.take() {
                            changes.push(FlagChange::Cleared { flag, at: now_ms });
                        }
                        *spell = Spell::default();
                    }
                }
                None => {}
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-second window with nobody speaking, `silence_ms` into a silence.
    fn silent(silence_ms: u32) -> HealthSample {
        HealthSample {
            window_ms: 1000,
            agent_talk_ms: 0,
            customer_talk_ms: 0,
            overtalk_ms: 0,
            silence_ms,
            customer_db: None,
            customer_baseline_db: Some(-30.0),
            agent_talk_total_ms: 20_000,
            customer_talk_total_ms: 20_000,
        }
    }

    /// A normal second: both spoke in turn, the customer at their usual level.
    fn normal() -> HealthSample {
        HealthSample {
            agent_talk_ms: 500,
            customer_talk_ms: 400,
            silence_ms: 0,
            customer_db: Some(-30.0),
            ..silent(0)
        }
    }

    /// Feeds `samples` one second apart starting at `t0`; returns every change with its second.
    fn run(tracker: &mut FlagTracker, t0: u64, samples: &[HealthSample]) -> Vec<(u64, FlagChange)> {
        let mut changes = Vec::new();
        for (i, sample) in samples.iter().enumerate() {
            let now = t0 + (i as u64 + 1) * 1000;
            changes.extend(tracker.observe(sample, now).into_iter().map(|c| (now, c)));
        }
        changes
    }

    fn raised(changes: &[(u64, FlagChange)]) -> Vec<(u64, FlagKind, u64)> {
        changes
            .iter()
            .filter_map(|(at, c)| match c {
                FlagChange::Raised(flag) => Some((*at, flag.kind, flag.since)),
                FlagChange::Cleared { .. } => None,
            })
            .collect()
    }

    fn cleared(changes: &[(u64, FlagChange)]) -> Vec<(u64, FlagKind)> {
        changes
            .iter()
            .filter_map(|(at, c)| match c {
                FlagChange::Cleared { flag, .. } => Some((*at, flag.kind)),
                FlagChange::Raised(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_shouting_customer_is_flagged_after_three_seconds_and_cleared_five_after_calming() {
        let mut tracker = FlagTracker::new(HealthThresholds::default());
        let shout = HealthSample { customer_db: Some(-16.0), ..normal() };
        let mut samples = vec![normal(); 5];
        samples.extend(vec![shout.clone(); 12]);
        samples.extend(vec![normal(); 8]);
        let changes = run(&mut tracker, 0, &samples);
        // Shouting fills seconds 6..=17 (windows ending at 6 s..17 s); raised at the third, dated
        // from the first window's start.
        assert_eq!(raised(&changes), vec![(8_000, FlagKind::CustomerLoud, 5_000)]);
        assert_eq!(cleared(&changes), vec![(22_000, FlagKind::CustomerLoud)]);
        let FlagChange::Raised(flag) = &changes[0].1 else { panic!() };
        assert_eq!(flag.note, "+14 dB over their usual level");
        assert_eq!(flag.reason(17_000), "customer loud for 12 s");
    }

    #[test]
    fn one_loud_second_or_a_pause_for_breath_changes_nothing() {
        let mut tracker = FlagTracker::new(HealthThresholds::default());
        let shout = HealthSample { customer_db: Some(-12.0), ..normal() };
        let breath = HealthSample { customer_talk_ms: 0, customer_db: None, ..normal() };
        // One loud second alone: never raised.
        let mut samples = vec![normal(), shout.clone()];
        samples.extend(vec![normal(); 5]);
        let changes = run(&mut tracker, 0, &samples);
        assert!(changes.is_empty(), "{changes:?}");
        // Loud, a 2 s breath, loud again: the spell goes on and is raised at 3 s of shouting.
        let spell = [shout.clone(), shout.clone(), breath.clone(), breath, shout.clone(), shout];
        let changes = run(&mut tracker, 100_000, &spell);
        assert_eq!(raised(&changes), vec![(105_000, FlagKind::CustomerLoud, 100_000)]);
        assert_eq!(tracker.raised().len(), 1);
    }

    #[test]
    fn no_loudness_flag_before_the_customer_has_a_baseline() {
        let mut tracker = FlagTracker::new(HealthThresholds::default());
        let unknown = HealthSample { customer_db: Some(-5.0), customer_baseline_db: None, ..normal() };
        assert!(run(&mut tracker, 0, &vec![unknown; 20]).is_empty());
    }

    #[test]
    fn dead_air_is_raised_at_the_threshold_and_dated_from_the_silences_start() {
        let mut tracker = FlagTracker::new(HealthThresholds::default());
        let mut samples = vec![normal(); 3];
        samples.extend((1..=14).map(|s| silent(s * 1000)));
        samples.extend(vec![normal(); 6]);
        let changes = run(&mut tracker, 0, &samples);
        // Silence starts at 3 s; the window ending at 13 s shows 10 s of it.
        assert_eq!(raised(&changes), vec![(13_000, FlagKind::DeadAir, 3_000)]);
        // Speech from 17 s; five seconds of it clear the flag at 22 s.
        assert_eq!(cleared(&changes), vec![(22_000, FlagKind::DeadAir)]);
    }

    #[test]
    fn overtalk_needs_half_of_each_window_for_three_seconds() {
        let mut tracker = FlagTracker::new(HealthThresholds::default());
        let clash = HealthSample { agent_talk_ms: 900, customer_talk_ms: 800, overtalk_ms: 700, ..normal() };
        let brush = HealthSample { overtalk_ms: 300, ..clash.clone() };
        let mut samples = vec![brush; 6];
        samples.extend(vec![clash; 4]);
        samples.extend(vec![normal(); 5]);
        let changes = run(&mut tracker, 0, &samples);
        assert_eq!(raised(&changes), vec![(9_000, FlagKind::Overtalk, 6_000)]);
        assert_eq!(cleared(&changes), vec![(15_000, FlagKind::Overtalk)]);
        let FlagChange::Raised(flag) = &changes[0].1 else { panic!() };
        assert_eq!(flag.note, "both talking 70 % of the time");
    }

    #[test]
    fn the_talk_ratio_counts_only_after_a_minute_of_talk() {
        let mut tracker = FlagTracker::new(HealthThresholds::default());
        let talkative = |total_s: u64| HealthSample {
            agent_talk_total_ms: total_s * 900,
            customer_talk_total_ms: total_s * 100,
            ..normal()
        };
        let early: Vec<_> = (40..55).map(talkative).collect();
        assert!(run(&mut tracker, 0, &early).is_empty(), "under 60 s of talk: no judgement yet");
        let later: Vec<_> = (60..64).map(talkative).collect();
        let changes = run(&mut tracker, 100_000, &later);
        assert_eq!(raised(&changes), vec![(103_000, FlagKind::AgentTalkRatio, 100_000)]);
        let balanced =
            HealthSample { agent_talk_total_ms: 40_000, customer_talk_total_ms: 40_000, ..normal() };
        let changes = run(&mut tracker, 200_000, &vec![balanced; 5]);
        assert_eq!(cleared(&changes), vec![(205_000, FlagKind::AgentTalkRatio)]);
    }

    #[test]
    fn team_thresholds_change_the_timing() {
        let quick =
            HealthThresholds { dead_air_s: 3, raise_after_s: 1, clear_after_s: 1, ..Default::default() };
        let mut tracker = FlagTracker::new(quick);
        let changes = run(&mut tracker, 0, &[silent(1000), silent(2000), silent(3000), normal()]);
        assert_eq!(raised(&changes), vec![(3_000, FlagKind::DeadAir, 0)]);
        assert_eq!(cleared(&changes), vec![(4_000, FlagKind::DeadAir)]);
    }

    #[test]
    fn a_resumed_tracker_keeps_raised_flags_until_they_clear() {
        let flag =
            Flag { kind: FlagKind::CustomerLoud, since: 1_000, note: "+12 dB over their usual level".into() };
        let mut tracker = FlagTracker::resume(HealthThresholds::default(), std::slice::from_ref(&flag));
        assert_eq!(tracker.raised(), vec![flag]);
        let changes = run(&mut tracker, 10_000, &vec![normal(); 5]);
        assert_eq!(cleared(&changes), vec![(15_000, FlagKind::CustomerLoud)]);
        assert!(tracker.raised().is_empty());
    }

    #[test]
    fn thresholds_are_validated_field_by_field() {
        assert!(HealthThresholds::default().validate().is_ok());
        let bad = HealthThresholds { overtalk_share: f32::NAN, ..Default::default() };
        assert_eq!(bad.validate().unwrap_err(), "overtalk_share must be 0.05-1");
        let bad = HealthThresholds { clear_after_s: 0, ..Default::default() };
        assert_eq!(bad.validate().unwrap_err(), "clear_after_s must be 1-300");
        let partial: HealthThresholds = serde_json::from_str(r#"{"dead_air_s": 4}"#).unwrap();
        assert_eq!(partial, HealthThresholds { dead_air_s: 4, ..Default::default() });
    }
}
