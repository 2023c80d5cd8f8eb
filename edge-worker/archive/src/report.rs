//! Supervisor-effectiveness reports, pure: from a team's stored calls, spans, help requests and review
//! outcomes in a date window to one row per supervisor or per agent (plus team totals), and the same
//! rows as CSV. What each figure counts is defined in docs/PROTOCOL.md ("Post-call review and reports").
//!
//! Over 400 lines with its tests: about 320 are the code, the rest the tests kept beside it, which
//! read best next to what they pin down.

use std::collections::{BTreeMap, BTreeSet};

use earshot_policy::Mode;
use serde::{Deserialize, Serialize};

use crate::db::flag;
use crate::pauses::{self, PauseRow};

/// Whom the rows are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Supervisor,
    Agent,
}

impl By {
    pub fn parse(text: &str) -> Option<By> {
        match text {
            "supervisor" => Some(By::Supervisor),
            "agent" => Some(By::Agent),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            By::Supervisor => "supervisor",
            By::Agent => "agent",
        }
    }
}

/// A stored call, as reports need it.
#[derive(Debug, Clone, Deserialize)]
pub struct CallRow {
    pub call_id: String,
    pub agent_id: String,
    pub agent_name: String,
}

/// A stored supervisor span.
#[derive(Debug, Clone, Deserialize)]
pub struct SpanRow {
    pub call_id: String,
    pub supervisor_id: String,
    pub supervisor_name: String,
    pub mode: Mode,
    pub started_at: u64,
    pub ended_at: u64,
    pub call_started_at: u64,
    /// Entered within the call's own early-barge window (decided when the call was archived).
    #[serde(deserialize_with = "flag")]
    pub early: bool,
}

/// A stored help request.
#[derive(Debug, Clone, Deserialize)]
pub struct HelpRow {
    pub call_id: String,
    pub agent_id: String,
    pub raised_at: u64,
    pub answered_at: Option<u64>,
    pub answered_by: Option<String>,
}

/// A reviewed call's outcome.
#[derive(Debug, Clone, Deserialize)]
pub struct OutcomeRow {
    pub call_id: String,
    #[serde(deserialize_with = "flag")]
    pub resolved: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PerMode<T> {
    pub monitor: T,
    pub whisper: T,
    pub barge: T,
    pub takeover: T,
}

impl<T> PerMode<T> {
    fn get_mut(&mut self, mode: Mode) -> Option<&mut T> {
        match mode {
            Mode::Monitor => Some(&mut self.monitor),
            Mode::Whisper => Some(&mut self.whisper),
            Mode::Barge => Some(&mut self.barge),
            Mode::Takeover => Some(&mut self.takeover),
            Mode::None => None,
        }
    }

    /// The four values in report order: monitor, whisper, barge, takeover.
    fn values(&self) -> [&T; 4] {
        [&self.monitor, &self.whisper, &self.barge, &self.takeover]
    }

    fn values_mut(&mut self) -> [&mut T; 4] {
        [&mut self.monitor, &mut self.whisper, &mut self.barge, &mut self.takeover]
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Help {
    pub requests: u32,
    pub answered: u32,
    pub median_answer_s: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Share {
    pub reviewed: u32,
    pub resolved: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resolution {
    pub with_intervention: Share,
    pub without_intervention: Share,
}

/// One person's (or the team's) figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub calls: u32,
    /// The spans entered per mode ("mode entries"): monitor counts here although it is no
    /// intervention (only listens), hence the name.
    pub entries: PerMode<u32>,
    pub seconds: PerMode<f64>,
    pub help: Help,
    pub resolved: Resolution,
    pub early_barges: u32,
    /// Secure-pause seconds, counted apart: not in `seconds`. A supervisor's row: of their spans;
    /// an agent's and the team's: of the calls.
    pub paused_s: f64,
}

/// A report's rows and the team's totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub calls: u32,
    pub rows: Vec<Row>,
    pub totals: Row,
}

/// What one row is built from.
#[derive(Default)]
struct Tally<'a> {
    name: String,
    calls: BTreeSet<&'a str>,
    spans: Vec<&'a SpanRow>,
    help: Vec<&'a HelpRow>,
    /// Reviewed calls and whether the row's person (or anyone, for agents and the team) intervened.
    outcomes: BTreeMap<&'a str, (bool, bool)>,
}

impl Tally<'_> {
    /// Whether `span` carries on, without a gap, a span of the same supervisor on the same call in
    /// which the customer already heard them (a barge that becomes a takeover): the guard asked once,
    /// the audit has one "early barge confirmed", so it is one early intervention, not two.
    fn continues_a_heard_span(&self, span: &SpanRow) -> bool {
        self.spans.iter().any(|before| {
            before.call_id == span.call_id
                && before.supervisor_id == span.supervisor_id
                && before.ended_at == span.started_at
                && before.mode.customer_hears()
        })
    }

    /// `spans_only`: count pauses within the row's spans (a supervisor's row), else the calls' pauses.
    fn row(&self, id: &str, pauses: &[PauseRow], spans_only: bool) -> Row {
        let mut row = Row { id: id.to_owned(), name: self.name.clone(), ..Row::default() };
        row.calls = self.calls.len() as u32;
        for span in &self.spans {
            if let Some(count) = row.entries.get_mut(span.mode) {
                *count += 1;
            }
            let paused = pauses::overlap_ms(&span.call_id, span.started_at, span.ended_at, pauses);
            if let Some(seconds) = row.seconds.get_mut(span.mode) {
                *seconds +=
                    span.ended_at.saturating_sub(span.started_at).saturating_sub(paused) as f64 / 1000.0;
            }
            if spans_only {
                row.paused_s += paused as f64 / 1000.0;
            }
            row.early_barges += u32::from(span.early && !self.continues_a_heard_span(span));
        }
        if !spans_only {
            row.paused_s = pauses::paused_ms(|call| self.calls.contains(call), pauses) as f64 / 1000.0;
        }
        row.paused_s = (row.paused_s * 10.0).round() / 10.0;
        for seconds in row.seconds.values_mut() {
            *seconds = (*seconds * 10.0).round() / 10.0;
        }
        let mut waits: Vec<u64> =
            self.help.iter().filter_map(|h| h.answered_at.map(|a| a.saturating_sub(h.raised_at))).collect();
        row.help = Help {
            requests: self.help.len() as u32,
            answered: waits.len() as u32,
            median_answer_s: median(&mut waits).map(|ms| (ms / 100.0).round() / 10.0),
        };
        for (resolved, intervened) in self.outcomes.values() {
            let share = if *intervened {
                &mut row.resolved.with_intervention
            } else {
                &mut row.resolved.without_intervention
            };
            share.reviewed += 1;
            share.resolved += u32::from(*resolved);
        }
        row
    }
}

/// The median of `values` (ms), the mean of the middle two for an even count.
fn median(values: &mut [u64]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

/// Builds the report's rows.
pub fn figures(
    by: By,
    calls: &[CallRow],
    spans: &[SpanRow],
    help: &[HelpRow],
    outcomes: &[OutcomeRow],
    pauses: &[PauseRow],
) -> Figures {
    let resolved: BTreeMap<&str, bool> = outcomes.iter().map(|o| (o.call_id.as_str(), o.resolved)).collect();
    let agent_of: BTreeMap<&str, &CallRow> = calls.iter().map(|c| (c.call_id.as_str(), c)).collect();
    let intervened = |call: &str, who: Option<&str>| {
        spans
            .iter()
            .any(|s| s.call_id == call && s.mode.agent_hears() && who.is_none_or(|w| s.supervisor_id == w))
    };
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut team = Tally { name: "whole team".into(), ..Tally::default() };
    for call in calls {
        team.calls.insert(&call.call_id);
        if let Some(&done) = resolved.get(call.call_id.as_str()) {
            team.outcomes.insert(&call.call_id, (done, intervened(&call.call_id, None)));
        }
    }
    team.spans = spans.iter().filter(|s| agent_of.contains_key(s.call_id.as_str())).collect();
    team.help = help.iter().filter(|h| agent_of.contains_key(h.call_id.as_str())).collect();
    match by {
        By::Supervisor => {
            for span in &team.spans {
                let tally = tallies.entry(&span.supervisor_id).or_default();
                tally.name = span.supervisor_name.clone();
                tally.calls.insert(&span.call_id);
                tally.spans.push(span);
                if let Some(&done) = resolved.get(span.call_id.as_str()) {
                    tally
                        .outcomes
                        .insert(&span.call_id, (done, intervened(&span.call_id, Some(&span.supervisor_id))));
                }
            }
            for request in &team.help {
                if let Some(tally) = request.answered_by.as_deref().and_then(|by| tallies.get_mut(by)) {
                    tally.help.push(request);
                }
            }
        }
        By::Agent => {
            for call in calls {
                let tally = tallies.entry(&call.agent_id).or_default();
                tally.name = call.agent_name.clone();
                tally.calls.insert(&call.call_id);
                if let Some(outcome) = team.outcomes.get(call.call_id.as_str()) {
                    tally.outcomes.insert(&call.call_id, *outcome);
                }
            }
            for span in &team.spans {
                if let Some(tally) =
                    agent_of.get(span.call_id.as_str()).and_then(|c| tallies.get_mut(c.agent_id.as_str()))
                {
                    tally.spans.push(span);
                }
            }
            for request in &team.help {
                if let Some(tally) = tallies.get_mut(request.agent_id.as_str()) {
                    tally.help.push(request);
                }
            }
        }
    }
    Figures {
        calls: calls.len() as u32,
        rows: tallies.iter().map(|(id, tally)| tally.row(id, pauses, by == By::Supervisor)).collect(),
        totals: team.row("team", pauses, false),
    }
}

/// The CSV header, matching [`csv_line`].
pub const CSV_HEADER: &str = "id,name,calls,monitor,whisper,barge,takeover,monitor_s,whisper_s,barge_s,takeover_s,\
help_requests,help_answered,median_answer_s,reviewed_with,resolved_with,reviewed_without,resolved_without,early_barges,paused_s,\
calls_path";

/// One row as a CSV line (RFC 4180 quoting for names), ending with its `calls_path` as the JSON's.
pub fn csv_line(row: &Row, calls_path: &str) -> String {
    let quote = |text: &str| {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut fields = vec![quote(&row.id), quote(&row.name), row.calls.to_string()];
    fields.extend(row.entries.values().map(|n| n.to_string()));
    fields.extend(row.seconds.values().map(|s| format!("{s:.1}")));
    fields.push(row.help.requests.to_string());
    fields.push(row.help.answered.to_string());
    fields.push(row.help.median_answer_s.map(|s| format!("{s:.1}")).unwrap_or_default());
    let r = &row.resolved;
    for n in [
        r.with_intervention.reviewed,
        r.with_intervention.resolved,
        r.without_intervention.reviewed,
        r.without_intervention.resolved,
    ] {
        fields.push(n.to_string());
    }
    fields.push(row.early_barges.to_string());
    fields.push(format!("{:.1}", row.paused_s));
    fields.push(quote(calls_path));
    fields.join(",")
}

/// The whole report as CSV: header, rows, totals last; `calls_path(row, is_totals)` links each row
/// to its calls (the JSON's `calls_path`).
pub fn csv(figures: &Figures, calls_path: impl Fn(&Row, bool) -> String) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let rows = figures.rows.iter().map(|r| (r, false));
    for (row, totals) in rows.chain(std::iter::once((&figures.totals, true))) {
        out.push_str(&csv_line(row, &calls_path(row, totals)));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000_000;

    fn call(id: &str, agent: &str) -> CallRow {
        CallRow { call_id: id.into(), agent_id: agent.into(), agent_name: agent.to_uppercase() }
    }

    fn span(call: &str, who: &str, mode: Mode, from_s: u64, to_s: u64) -> SpanRow {
        SpanRow {
            call_id: call.into(),
            supervisor_id: who.into(),
            supervisor_name: format!("{who} name"),
            mode,
            started_at: T0 + from_s * 1000,
            ended_at: T0 + to_s * 1000,
            call_started_at: T0,
            // These calls' teams kept the default guard of three minutes.
            early: mode.customer_hears() && from_s < 180,
        }
    }

    fn help(call: &str, agent: &str, raised_s: u64, answer: Option<(u64, &str)>) -> HelpRow {
        HelpRow {
            call_id: call.into(),
            agent_id: agent.into(),
            raised_at: T0 + raised_s * 1000,
            answered_at: answer.map(|(s, _)| T0 + s * 1000),
            answered_by: answer.map(|(_, w)| w.to_owned()),
        }
    }

    fn outcome(call: &str, resolved: bool) -> OutcomeRow {
        OutcomeRow { call_id: call.into(), resolved }
    }

    /// Three calls: c1 (agent a1): s1 monitors 0-60, whispers 60-90, barges at 100 (early) to 300;
    /// help at 50 answered by s1 at 60. c2 (a1): s2 takes over at 400 (late) to 460; help at 390
    /// answered by s2 at 400. c3 (a2): nobody; help at 10 never answered. Reviews: c1 resolved, c2 not,
    /// c3 resolved.
    fn scripted() -> (Vec<CallRow>, Vec<SpanRow>, Vec<HelpRow>, Vec<OutcomeRow>) {
        let calls = vec![call("c1", "a1"), call("c2", "a1"), call("c3", "a2")];
        let spans = vec![
            span("c1", "s1", Mode::Monitor, 0, 60),
            span("c1", "s1", Mode::Whisper, 60, 90),
            span("c1", "s1", Mode::Barge, 100, 300),
            span("c2", "s2", Mode::Takeover, 400, 460),
            span("c2", "s1", Mode::Monitor, 380, 470),
        ];
        let help = vec![
            help("c1", "a1", 50, Some((60, "s1"))),
            help("c2", "a1", 390, Some((400, "s2"))),
            help("c3", "a2", 10, None),
        ];
        let outcomes = vec![outcome("c1", true), outcome("c2", false), outcome("c3", true)];
        (calls, spans, help, outcomes)
    }

    #[test]
    fn a_barge_that_becomes_a_takeover_is_one_early_intervention() {
        let calls = vec![call("c1", "a1")];
        let spans = vec![
            span("c1", "s1", Mode::Barge, 10, 20),
            span("c1", "s1", Mode::Takeover, 20, 40),
            // Back to whisper, then a second barge: the guard asks again, a second early barge.
            span("c1", "s1", Mode::Whisper, 40, 50),
            span("c1", "s1", Mode::Barge, 50, 60),
        ];
        let by_sup = figures(By::Supervisor, &calls, &spans, &[], &[], &[]);
        assert_eq!(by_sup.rows[0].early_barges, 2, "barge→takeover is one; the later barge another");
        assert_eq!(by_sup.totals.early_barges, 2);
        assert_eq!(figures(By::Agent, &calls, &spans, &[], &[], &[]).rows[0].early_barges, 2);
    }

    #[test]
    fn per_supervisor_rows_count_their_spans_answers_and_interventions() {
        let (calls, spans, help, outcomes) = scripted();
        let report = figures(By::Supervisor, &calls, &spans, &help, &outcomes, &[]);
        assert_eq!(report.calls, 3);
        let s1 = &report.rows[0];
        assert_eq!((s1.id.as_str(), s1.name.as_str(), s1.calls), ("s1", "s1 name", 2));
        assert_eq!(s1.entries, PerMode { monitor: 2, whisper: 1, barge: 1, takeover: 0 });
        assert_eq!(s1.seconds, PerMode { monitor: 150.0, whisper: 30.0, barge: 200.0, takeover: 0.0 });
        assert_eq!(s1.help, Help { requests: 1, answered: 1, median_answer_s: Some(10.0) });
        assert_eq!(s1.early_barges, 1);
        assert_eq!(
            s1.resolved,
            Resolution {
                with_intervention: Share { reviewed: 1, resolved: 1 },
                without_intervention: Share { reviewed: 1, resolved: 0 }
            },
            "s1 intervened in c1 (resolved) and only monitored c2 (not)"
        );
        let s2 = &report.rows[1];
        assert_eq!((s2.entries.takeover, s2.early_barges, s2.help.median_answer_s), (1, 0, Some(10.0)));
        let team = &report.totals;
        assert_eq!((team.calls, team.help.requests, team.help.answered, team.early_barges), (3, 3, 2, 1));
        assert_eq!(
            team.resolved,
            Resolution {
                with_intervention: Share { reviewed: 2, resolved: 1 },
                without_intervention: Share { reviewed: 1, resolved: 1 }
            }
        );
    }

    #[test]
    fn per_agent_rows_count_what_happened_on_their_calls() {
        let (calls, spans, help, outcomes) = scripted();
        let report = figures(By::Agent, &calls, &spans, &help, &outcomes, &[]);
        let ids: Vec<&str> = report.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, vec!["a1", "a2"]);
        let a1 = &report.rows[0];
        assert_eq!((a1.name.as_str(), a1.calls, a1.entries.monitor, a1.entries.takeover), ("A1", 2, 2, 1));
        assert_eq!(a1.help, Help { requests: 2, answered: 2, median_answer_s: Some(10.0) });
        assert_eq!(a1.resolved.with_intervention, Share { reviewed: 2, resolved: 1 });
        let a2 = &report.rows[1];
        assert_eq!(a2.help, Help { requests: 1, answered: 0, median_answer_s: None });
        assert_eq!(a2.resolved.without_intervention, Share { reviewed: 1, resolved: 1 });
        assert_eq!(a2.entries, PerMode::default());
    }

    #[test]
    fn medians_and_an_empty_window() {
        assert_eq!(median(&mut [5, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 10]), Some(3.5));
        assert_eq!(median(&mut []), None);
        let empty = figures(By::Supervisor, &[], &[], &[], &[], &[]);
        assert_eq!((empty.calls, empty.rows.len(), empty.totals.help.median_answer_s), (0, 0, None));
    }

    #[test]
    fn secure_pauses_are_counted_apart_from_listening_time() {
        let (calls, spans, help, outcomes) = scripted();
        // c1 paused from 150 s to 180 s, inside s1's barge (100-300 s).
        let pauses = [PauseRow { call_id: "c1".into(), started_at: T0 + 150_000, ended_at: T0 + 180_000 }];
        let by_supervisor = figures(By::Supervisor, &calls, &spans, &help, &outcomes, &pauses);
        let s1 = &by_supervisor.rows[0];
        assert_eq!(
            (s1.seconds.barge, s1.paused_s),
            (170.0, 30.0),
            "the paused half-minute is not barge time"
        );
        assert_eq!(by_supervisor.rows[1].paused_s, 0.0, "s2 was in no paused span");
        assert_eq!((by_supervisor.totals.seconds.barge, by_supervisor.totals.paused_s), (170.0, 30.0));
        let by_agent = figures(By::Agent, &calls, &spans, &help, &outcomes, &pauses);
        let paused: Vec<(&str, f64)> = by_agent.rows.iter().map(|r| (r.id.as_str(), r.paused_s)).collect();
        assert_eq!(paused, vec![("a1", 30.0), ("a2", 0.0)], "an agent's row counts their calls' pauses");
    }

    #[test]
    fn csv_has_the_header_a_line_per_row_and_quotes_names() {
        let (calls, mut spans, help, outcomes) = scripted();
        for span in spans.iter_mut().filter(|s| s.supervisor_id == "s1") {
            span.supervisor_name = "Doe, \"Sam\"".into();
        }
        let link =
            |row: &Row, totals: bool| if totals { "/all".to_owned() } else { format!("/x?s={}", row.id) };
        let text = csv(&figures(By::Supervisor, &calls, &spans, &help, &outcomes, &[]), link);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "header, s1, s2, totals");
        assert_eq!(lines[0].split(',').count(), 21);
        assert_eq!(
            lines[1],
            "s1,\"Doe, \"\"Sam\"\"\",2,2,1,1,0,150.0,30.0,200.0,0.0,1,1,10.0,1,1,1,0,1,0.0,/x?s=s1"
        );
        assert!(lines[3].starts_with("team,whole team,3,"), "{}", lines[3]);
        assert!(lines[3].ends_with(",/all"), "{}", lines[3]);
    }
}
