//! Calibration, pure: several reviewers' latest reviews of one call side by side, criterion by
//! criterion, with the spread (highest minus lowest score) and mean of each, and of the totals. A wide
//! spread is where reviewers read the form differently. Criteria are those of the reviewers' forms, in
//! form order (a reviewer on another form version shows `null` for a criterion their form lacks).

use serde::Serialize;

use crate::qa::Qa;
use crate::scorecard::Form;
use crate::scoring::Answer;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reviewer {
    pub id: String,
    pub name: String,
    pub version: u32,
    pub form_version: u32,
    pub total: Option<f64>,
}

/// One criterion across the reviewers (`scores` in the order of [`Calibration::reviewers`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub scores: Vec<Option<Answer>>,
    /// Highest minus lowest score; `None` with fewer than one score (N/A is no score).
    pub spread: Option<u8>,
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    pub reviewers: Vec<Reviewer>,
    pub criteria: Vec<Row>,
    /// Highest minus lowest total (percentage points).
    pub total_spread: Option<f64>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The calibration of `reviews` (each reviewer's latest, with the form it was scored on).
pub fn calibrate(reviews: &[(&Qa, &Form)]) -> Calibration {
    let reviewers = reviews
        .iter()
        .map(|(qa, _)| Reviewer {
            id: qa.reviewer_id.clone(),
            name: qa.reviewer_name.clone(),
            version: qa.version,
            form_version: qa.form_version,
            total: qa.total,
        })
        .collect();
    let mut criteria: Vec<Row> = Vec::new();
    for (_, form) in reviews {
        for c in form.criteria() {
            if criteria.iter().all(|row| row.key != c.key) {
                let scores: Vec<Option<Answer>> =
                    reviews.iter().map(|(qa, _)| qa.scores.get(&c.key).copied()).collect();
                let numbers: Vec<u8> = scores.iter().filter_map(|a| a.and_then(Answer::score)).collect();
                let spread = numbers.iter().max().zip(numbers.iter().min()).map(|(hi, lo)| hi - lo);
                let mean = (!numbers.is_empty()).then(|| {
                    round1(numbers.iter().map(|&n| f64::from(n)).sum::<f64>() / numbers.len() as f64)
                });
                criteria.push(Row { key: c.key.clone(), label: c.label.clone(), scores, spread, mean });
            }
        }
    }
    let totals: Vec<f64> = reviews.iter().filter_map(|(qa, _)| qa.total).collect();
    let total_spread = (!totals.is_empty()).then(|| {
        let hi = totals.iter().copied().fold(f64::MIN, f64::max);
        let lo = totals.iter().copied().fold(f64::MAX, f64::min);
        round1(hi - lo)
    });
    Calibration { reviewers, criteria, total_spread }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn review(id: &str, scores: &str, total: f64) -> Qa {
        Qa {
            scores: serde_json::from_str(scores).unwrap(),
            notes: BTreeMap::new(),
            comment: String::new(),
            resolved: true,
            reviewer_id: id.into(),
            reviewer_name: id.to_uppercase(),
            reviewed_at: 1,
            form_version: 1,
            total: Some(total),
            auto_failed: vec![],
            version: 1,
            changes: vec![],
        }
    }

    #[test]
    fn each_criterion_shows_every_reviewer_its_spread_and_mean() {
        let form = Form::default_form();
        let s1 = review("s1", r#"{"greeting":4,"empathy":5,"accuracy":3,"compliance":4}"#, 75.0);
        let s2 = review("s2", r#"{"greeting":2,"empathy":5,"accuracy":4,"compliance":1}"#, 50.0);
        let cal = calibrate(&[(&s1, &form), (&s2, &form)]);
        assert_eq!(cal.reviewers.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["s1", "s2"]);
        let row = |key: &str| cal.criteria.iter().find(|r| r.key == key).unwrap();
        assert_eq!(row("greeting").scores, [Some(Answer::Score(4)), Some(Answer::Score(2))]);
        assert_eq!((row("greeting").spread, row("greeting").mean), (Some(2), Some(3.0)));
        assert_eq!((row("empathy").spread, row("compliance").spread), (Some(0), Some(3)));
        assert_eq!(row("accuracy").mean, Some(3.5));
        assert_eq!(cal.total_spread, Some(25.0));
    }

    #[test]
    fn na_and_missing_criteria_are_no_score() {
        let mut form = Form::default_form();
        form.sections[0].criteria[0].na_allowed = true;
        let s1 = review("s1", r#"{"greeting":"na","empathy":5,"accuracy":3,"compliance":4}"#, 80.0);
        let cal = calibrate(&[(&s1, &form)]);
        assert_eq!((cal.criteria[0].spread, cal.criteria[0].mean), (None, None));
        assert_eq!(cal.criteria[1].spread, Some(0));
        assert_eq!(cal.total_spread, Some(0.0));
    }
}
