//! The quality report, pure: review totals over a window — average and distribution per agent, per
//! reviewer (the supervisor who scored) and per criterion, and the trend by week — as JSON and as CSV
//! with the same figures. Each reviewer's latest version of each review counts once.
//!
//! Endpoint (docs/PROTOCOL.md): `GET /api/reports/quality?from=&to=&format=json|csv`, built by
//! [`crate::qa_api::quality`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::scorecard::Form;
use crate::scoring::Answers;

/// A week in ms; weeks start on Monday 00:00 UTC (1970-01-05 was the first Monday after the epoch).
const WEEK_MS: u64 = 7 * 86_400_000;
const FIRST_MONDAY_MS: u64 = 4 * 86_400_000;
/// The distribution's buckets: totals from each lower bound up to the next (the last includes 100).
pub const BUCKETS: [(&str, f64); 5] =
    [("0-59", 0.0), ("60-69", 60.0), ("70-79", 70.0), ("80-89", 80.0), ("90-100", 90.0)];

/// One scored review (a reviewer's latest version) of a call in the window.
#[derive(Debug, Clone, Deserialize)]
pub struct ScoredRow {
    pub call_id: String,
    pub agent_id: String,
    pub agent_name: String,
    pub reviewer_id: String,
    pub reviewer_name: String,
    pub call_started_at: u64,
    pub total: Option<f64>,
    pub scores: String,
    pub form_version: u32,
}

/// Averages and distribution of one group's totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub id: String,
    pub name: String,
    /// Reviews with a total.
    pub reviews: u32,
    pub average: Option<f64>,
    /// Counts per [`BUCKETS`] entry, in order.
    pub distribution: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    pub reviews: u32,
    pub by_agent: Vec<Line>,
    pub by_reviewer: Vec<Line>,
    /// Per criterion: `average` is the mean score as a percentage of its scale (N/A left out).
    pub by_criterion: Vec<Line>,
    /// Per week (`id`: the Monday's ms since the epoch, as text; `name`: the same as a date).
    pub by_week: Vec<Line>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Gathers values per group, keeping first-seen order and names.
#[derive(Default)]
struct Groups {
    order: Vec<(String, String)>,
    values: BTreeMap<String, Vec<f64>>,
}

impl Groups {
    fn add(&mut self, id: &str, name: &str, value: Option<f64>) {
        if !self.values.contains_key(id) {
            self.order.push((id.to_owned(), name.to_owned()));
        }
        let list = self.values.entry(id.to_owned()).or_default();
        list.extend(value);
    }

    fn lines(self) -> Vec<Line> {
        let Groups { order, values } = self;
        order
            .into_iter()
            .map(|(id, name)| {
                let v = &values[&id];
                let mut distribution = vec![0; BUCKETS.len()];
                for x in v {
                    let bucket = BUCKETS.iter().rposition(|(_, lo)| x >= lo).unwrap_or(0);
                    distribution[bucket] += 1;
                }
                let average = (!v.is_empty()).then(|| round1(v.iter().sum::<f64>() / v.len() as f64));
                Line { id, name, reviews: v.len() as u32, average, distribution }
            })
            .collect()
    }
}

/// The Monday 00:00 UTC that starts the week of `ms`.
pub fn week_of(ms: u64) -> u64 {
    ms.saturating_sub(FIRST_MONDAY_MS) / WEEK_MS * WEEK_MS + FIRST_MONDAY_MS
}

/// `YYYY-MM-DD` of a UTC day (civil-from-days, Howard Hinnant's algorithm).
pub fn date(ms: u64) -> String {
    let z = (ms / 86_400_000) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The quality figures of `rows`, scored on `forms` (by version).
pub fn figures(rows: &[ScoredRow], forms: &BTreeMap<u32, Form>) -> Quality {
    let (mut agents, mut reviewers, mut criteria, mut weeks) =
        (Groups::default(), Groups::default(), Groups::default(), Groups::default());
    let mut ordered: Vec<&ScoredRow> = rows.iter().collect();
    ordered.sort_by_key(|r| (r.call_started_at, r.call_id.as_str(), r.reviewer_id.as_str()));
    for row in &ordered {
        agents.add(&row.agent_id, &row.agent_name, row.total);
        reviewers.add(&row.reviewer_id, &row.reviewer_name, row.total);
        let week = week_of(row.call_started_at);
        weeks.add(&week.to_string(), &date(week), row.total);
        let scores: Answers = serde_json::from_str(&row.scores).unwrap_or_default();
        let Some(form) = forms.get(&row.form_version) else { continue };
        for c in form.criteria() {
            let share = scores.get(&c.key).and_then(|a| a.score()).map(|s| {
                100.0 * f64::from(s.saturating_sub(c.scale.min)) / f64::from(c.scale.max - c.scale.min)
            });
            criteria.add(&c.key, &c.label, share);
        }
    }
    let mut by_week = weeks.lines();
    by_week.sort_by_key(|l| l.id.parse::<u64>().unwrap_or_default());
    Quality {
        reviews: ordered.iter().filter(|r| r.total.is_some()).count() as u32,
        by_agent: agents.lines(),
        by_reviewer: reviewers.lines(),
        by_criterion: criteria.lines(),
        by_week,
    }
}

/// The same figures as CSV: one line per group, `group` saying which table it belongs to.
pub fn csv(q: &Quality) -> String {
    let buckets: Vec<String> = BUCKETS.iter().map(|(b, _)| format!("total_{b}")).collect();
    let mut out = format!("group,id,name,reviews,average,{}\n", buckets.join(","));
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for (group, lines) in [
        ("agent", &q.by_agent),
        ("reviewer", &q.by_reviewer),
        ("criterion", &q.by_criterion),
        ("week", &q.by_week),
    ] {
        for l in lines {
            let dist: Vec<String> = l.distribution.iter().map(u32::to_string).collect();
            let average = l.average.map_or(String::new(), |a| a.to_string());
            out.push_str(&format!(
                "{group},{},{},{},{average},{}\n",
                quote(&l.id),
                quote(&l.name),
                l.reviews,
                dist.join(",")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(call: &str, agent: &str, reviewer: &str, at: u64, total: f64, scores: &str) -> ScoredRow {
        ScoredRow {
            call_id: call.into(),
            agent_id: agent.into(),
            agent_name: agent.to_uppercase(),
            reviewer_id: reviewer.into(),
            reviewer_name: reviewer.to_uppercase(),
            call_started_at: at,
            total: Some(total),
            scores: scores.into(),
            form_version: 1,
        }
    }

    #[test]
    fn weeks_start_on_monday_utc_and_dates_read_as_calendar_days() {
        // 2026-12-04 (a Friday) 12:00 UTC is in the week of Monday 2026-11-30.
        let friday = 1_796_385_600_000;
        assert_eq!(date(friday), "2026-12-04");
        assert_eq!(date(week_of(friday)), "2026-11-30");
        assert_eq!(week_of(week_of(friday)), week_of(friday));
        assert_eq!(date(0), "1970-01-01");
    }

    #[test]
    fn averages_distributions_and_weeks_of_known_scores() {
        let forms = BTreeMap::from([(1, Form::default_form())]);
        let week2 = FIRST_MONDAY_MS + 3000 * WEEK_MS;
        let rows = [
            row("x", "a1", "s1", week2, 75.0, r#"{"greeting":4,"empathy":5,"accuracy":3,"compliance":4}"#),
            row("x", "a1", "s2", week2, 50.0, r#"{"greeting":2,"empathy":5,"accuracy":3,"compliance":1}"#),
            row(
                "z",
                "a2",
                "s1",
                week2 + WEEK_MS,
                100.0,
                r#"{"greeting":5,"empathy":5,"accuracy":5,"compliance":5}"#,
            ),
        ];
        let q = figures(&rows, &forms);
        assert_eq!(q.reviews, 3);
        let a1 = &q.by_agent[0];
        assert_eq!(
            (a1.id.as_str(), a1.reviews, a1.average, &a1.distribution),
            ("a1", 2, Some(62.5), &vec![1, 0, 1, 0, 0])
        );
        assert_eq!(
            q.by_reviewer.iter().map(|l| (l.id.as_str(), l.average)).collect::<Vec<_>>(),
            [("s1", Some(87.5)), ("s2", Some(50.0))]
        );
        // greeting: 3/4, 1/4, 4/4 of the scale = 75, 25, 100 → 66.7
        let greeting = q.by_criterion.iter().find(|l| l.id == "greeting").unwrap();
        assert_eq!((greeting.reviews, greeting.average), (3, Some(66.7)));
        assert_eq!(
            q.by_week.iter().map(|l| (l.reviews, l.average)).collect::<Vec<_>>(),
            [(2, Some(62.5)), (1, Some(100.0))]
        );
        let text = csv(&q);
        assert!(text.starts_with(
            "group,id,name,reviews,average,total_0-59,total_60-69,total_70-79,total_80-89,total_90-100\n"
        ));
        assert!(text.contains("agent,\"a1\",\"A1\",2,62.5,1,0,1,0,0\n"), "{text}");
        assert_eq!(text.lines().count(), 1 + 2 + 2 + 4 + 2, "every JSON line is a CSV line");
    }
}
