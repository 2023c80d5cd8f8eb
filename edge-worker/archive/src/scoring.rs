//! Scoring a call against a scorecard, pure: the answers a reviewer may give (a whole number on the
//! criterion's scale, or "na" where the form allows it), checking a set of answers against its form
//! (every problem named), and the weighted total with N/A and auto-fail.
//!
//! The total is a percentage: each answered criterion counts `(score - min) / (max - min)` of its
//! weight; N/A criteria leave both the points and the weight out; a failed auto-fail item (scored at
//! its scale's minimum) makes the total 0 whatever else was scored. With every weighted criterion
//! N/A there is no total (`None`), not a misleading 0 or 100.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::scorecard::Form;

/// One criterion's answer: a score, or not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Score(u8),
    Na(NotApplicable),
}

/// The literal `"na"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotApplicable {
    Na,
}

impl Answer {
    pub const NA: Answer = Answer::Na(NotApplicable::Na);

    pub fn score(self) -> Option<u8> {
        match self {
            Answer::Score(n) => Some(n),
            Answer::Na(_) => None,
        }
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Score(n) => write!(f, "{n}"),
            Answer::Na(_) => f.write_str("N/A"),
        }
    }
}

/// A review's answers, by criterion key.
pub type Answers = BTreeMap<String, Answer>;

/// What a set of answers adds up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Total {
    /// Percentage 0-100 to one decimal; `None` when nothing weighted was applicable.
    pub total: Option<f64>,
    /// The auto-fail items that failed (form order); any makes `total` 0.
    pub auto_failed: Vec<String>,
}

/// The problem of a criterion left without an answer.
pub fn not_scored(label: &str) -> String {
    format!("\"{label}\" is not scored")
}

/// Every problem with `answers` against `form`, in words (empty when they are complete and in range).
pub fn problems(form: &Form, answers: &Answers) -> Vec<String> {
    let mut problems = Vec::new();
    for c in form.criteria() {
        let (min, max) = (c.scale.min, c.scale.max);
        match answers.get(&c.key) {
            None => problems.push(not_scored(&c.label)),
            Some(Answer::Na(_)) if !c.na_allowed => {
                problems.push(format!("\"{}\" cannot be N/A: score it {min}-{max}", c.label))
            }
            Some(Answer::Score(n)) if !(min..=max).contains(n) => {
                problems.push(format!("\"{}\" must be scored {min}-{max}, not {n}", c.label))
            }
            Some(_) => {}
        }
    }
    for key in answers.keys().filter(|k| form.criterion(k).is_none()) {
        problems.push(format!("{key:?} is not a criterion of this form"));
    }
    problems
}

/// The weighted total of `answers` (already free of [`problems`]) on `form`.
pub fn total(form: &Form, answers: &Answers) -> Total {
    let mut points = 0.0;
    let mut weights = 0.0;
    let mut auto_failed = Vec::new();
    for c in form.criteria() {
        let Some(score) = answers.get(&c.key).and_then(|a| a.score()) else { continue };
        if c.auto_fail && score <= c.scale.min {
            auto_failed.push(c.key.clone());
        }
        let span = f64::from(c.scale.max - c.scale.min);
        let weight = f64::from(c.weight);
        points += weight * f64::from(score.saturating_sub(c.scale.min)) / span;
        weights += weight;
    }
    let total = if !auto_failed.is_empty() {
        Some(0.0)
    } else if weights > 0.0 {
        Some((points / weights * 1000.0).round() / 10.0)
    } else {
        None
    };
    Total { total, auto_failed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::{Criterion, Scale, Section};

    fn answers(json: &str) -> Answers {
        serde_json::from_str(json).unwrap()
    }

    /// Greeting (weight 1, 1-5), accuracy (weight 3, 1-5, N/A allowed), a 0-1 disclosure gate
    /// (weight 0, auto-fail) and empathy (weight 2, 0-10, N/A allowed).
    fn weighted_form() -> Form {
        let c = |key: &str, weight, min, max, na_allowed, auto_fail| Criterion {
            key: key.into(),
            label: key.to_uppercase(),
            weight,
            scale: Scale { min, max },
            na_allowed,
            auto_fail,
        };
        Form {
            title: "Weighted".into(),
            sections: vec![
                Section { title: "Open".into(), criteria: vec![c("greeting", 1, 1, 5, false, false)] },
                Section {
                    title: "Body".into(),
                    criteria: vec![
                        c("accuracy", 3, 1, 5, true, false),
                        c("disclosure", 0, 0, 1, false, true),
                        c("empathy", 2, 0, 10, true, false),
                    ],
                },
            ],
        }
    }

    #[test]
    fn the_default_form_totals_the_mean_of_its_scores_as_a_percentage() {
        let form = Form::default_form();
        let a = answers(r#"{"greeting":4,"empathy":5,"accuracy":3,"compliance":4}"#);
        assert!(problems(&form, &a).is_empty());
        // (3/4 + 4/4 + 2/4 + 3/4) / 4 = 0.75
        assert_eq!(total(&form, &a), Total { total: Some(75.0), auto_failed: vec![] });
        let top = answers(r#"{"greeting":5,"empathy":5,"accuracy":5,"compliance":5}"#);
        assert_eq!(total(&form, &top).total, Some(100.0));
        let bottom = answers(r#"{"greeting":1,"empathy":1,"accuracy":1,"compliance":1}"#);
        assert_eq!(total(&form, &bottom).total, Some(0.0));
    }

    #[test]
    fn weights_scales_and_na_shape_the_total() {
        let form = weighted_form();
        // greeting 3/4 of 1, accuracy 4/4 of 3, empathy 6/10 of 2: (0.75 + 3 + 1.2) / 6 = 82.5 %
        let all = answers(r#"{"greeting":4,"accuracy":5,"disclosure":1,"empathy":6}"#);
        assert!(problems(&form, &all).is_empty());
        assert_eq!(total(&form, &all).total, Some(82.5));
        // Accuracy N/A: (0.75 + 1.2) / 3 = 65 %
        let na = answers(r#"{"greeting":4,"accuracy":"na","disclosure":1,"empathy":6}"#);
        assert!(problems(&form, &na).is_empty());
        assert_eq!(total(&form, &na).total, Some(65.0));
        // One third rounds to one decimal: greeting 2 alone (accuracy, empathy N/A) = 1/4.
        let third = answers(r#"{"greeting":2,"accuracy":"na","disclosure":1,"empathy":"na"}"#);
        assert_eq!(total(&form, &third).total, Some(25.0));
        let mut gate_only = weighted_form();
        gate_only.sections.remove(0);
        let nothing = answers(r#"{"accuracy":"na","disclosure":1,"empathy":"na"}"#);
        assert_eq!(total(&gate_only, &nothing), Total { total: None, auto_failed: vec![] });
    }

    #[test]
    fn a_failed_auto_fail_item_zeroes_the_total_and_is_named() {
        let form = weighted_form();
        let failed = answers(r#"{"greeting":5,"accuracy":5,"disclosure":0,"empathy":10}"#);
        assert_eq!(total(&form, &failed), Total { total: Some(0.0), auto_failed: vec!["disclosure".into()] });
    }

    #[test]
    fn every_problem_with_the_answers_is_named() {
        let form = weighted_form();
        let bad = answers(r#"{"greeting":"na","accuracy":6,"empathy":"na","speed":3}"#);
        let found = problems(&form, &bad);
        assert_eq!(
            found,
            [
                "\"GREETING\" cannot be N/A: score it 1-5",
                "\"ACCURACY\" must be scored 1-5, not 6",
                "\"DISCLOSURE\" is not scored",
                "\"speed\" is not a criterion of this form",
            ]
        );
    }

    #[test]
    fn answers_read_and_write_as_numbers_or_na() {
        let a = answers(r#"{"x":3,"y":"na"}"#);
        assert_eq!((a["x"], a["y"]), (Answer::Score(3), Answer::NA));
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"x":3,"y":"na"}"#);
        assert!(serde_json::from_str::<Answers>(r#"{"x":"maybe"}"#).is_err());
        assert!(serde_json::from_str::<Answers>(r#"{"x":-1}"#).is_err());
    }
}
