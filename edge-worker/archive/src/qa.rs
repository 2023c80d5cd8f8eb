//! A submitted QA review, pure: its answers to a scorecard's criteria, per-criterion notes, the
//! comment and the first-contact outcome, checked against the form it is scored on with every problem
//! named; and the review as stored and returned, with its weighted total.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ArchiveError;
use crate::scorecard::Form;
use crate::scoring::{self, Answer, Answers};

/// The longest comment kept (characters); a longer one is refused, never cut.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// The longest note on one criterion (characters).
pub const MAX_NOTE_CHARS: usize = 500;

/// A review as submitted. Scores are read as plain JSON first, so that a wrong type on one criterion
/// is named with the others instead of stopping the parser.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The version of the team's scorecard the review is scored on (absent: the current one).
    #[serde(default)]
    pub form_version: Option<u32>,
    pub scores: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    #[serde(default)]
    pub comment: String,
    /// Resolved on first contact (required; optional here only so that its absence gets a plain
    /// message instead of the parser's).
    pub resolved: Option<bool>,
}

/// A submission that passed its form's check.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub scores: Answers,
    pub notes: BTreeMap<String, String>,
    pub comment: String,
    pub resolved: bool,
}

/// A review as stored and returned: one version of one reviewer's review of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qa {
    pub scores: Answers,
    pub notes: BTreeMap<String, String>,
    pub comment: String,
    pub resolved: bool,
    pub reviewer_id: String,
    pub reviewer_name: String,
    pub reviewed_at: u64,
    /// The scorecard version it was scored on.
    pub form_version: u32,
    /// The weighted total (percent), `None` when every weighted criterion was N/A.
    pub total: Option<f64>,
    pub auto_failed: Vec<String>,
    /// This reviewer's save number on this call: 1, 2, …
    pub version: u32,
    /// What this save changed from the reviewer's previous one, in words (empty for the first).
    pub changes: Vec<String>,
}

/// One answer from its JSON, or the problem with it.
fn answer(key: &str, value: &serde_json::Value) -> Result<Answer, String> {
    serde_json::from_value(value.clone())
        .map_err(|_| format!("{key:?} must be scored with a whole number or \"na\", not {value}"))
}

impl Submission {
    /// The review checked against `form`: every score on its scale (or N/A where allowed), notes only
    /// on the form's criteria and short, the outcome answered, the comment trimmed and not too long.
    pub fn checked(self, form: &Form) -> Result<Checked, ArchiveError> {
        let mut problems = Vec::new();
        let mut scores = Answers::new();
        for (key, value) in &self.scores {
            match answer(key, value) {
                Ok(a) => {
                    scores.insert(key.clone(), a);
                }
                Err(problem) => problems.push(problem),
            }
        }
        // Criteria named in a type problem are not "not scored" as well.
        let unread: Vec<String> = form
            .criteria()
            .filter(|c| self.scores.contains_key(&c.key) && !scores.contains_key(&c.key))
            .map(|c| scoring::not_scored(&c.label))
            .collect();
        problems.extend(scoring::problems(form, &scores).into_iter().filter(|p| !unread.contains(p)));
        let mut notes = BTreeMap::new();
        for (key, note) in self.notes {
            let note = note.trim().to_owned();
            let label = form.criterion(&key).map(|c| c.label.clone());
            match label {
                None => problems.push(format!("the note on {key:?} is not on a criterion of this form")),
                Some(label) if note.chars().count() > MAX_NOTE_CHARS => problems.push(format!(
                    "the note on \"{label}\" is {} characters; at most {MAX_NOTE_CHARS}",
                    note.chars().count()
                )),
                Some(_) if note.is_empty() => {}
                Some(_) => {
                    notes.insert(key, note);
                }
            }
        }
        if self.resolved.is_none() {
            problems.push("resolved (on first contact: true or false) is not answered".into());
        }
        let comment = self.comment.trim().to_owned();
        let length = comment.chars().count();
        if length > MAX_COMMENT_CHARS {
            problems.push(format!("the comment is {length} characters; at most {MAX_COMMENT_CHARS}"));
        }
        if !problems.is_empty() {
            return Err(ArchiveError::Invalid(problems));
        }
        Ok(Checked { scores, notes, comment, resolved: self.resolved.unwrap_or_default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(json: &str) -> Result<Checked, Vec<String>> {
        let parsed: Submission = serde_json::from_str(json).map_err(|e| vec![e.to_string()])?;
        parsed.checked(&Form::default_form()).map_err(|e| match e {
            ArchiveError::Invalid(problems) => problems,
            other => vec![other.to_string()],
        })
    }

    #[test]
    fn a_complete_review_passes_with_its_comment_and_notes_trimmed() {
        let ok = submission(
            r#"{"scores":{"greeting":5,"empathy":4,"accuracy":3,"compliance":1},"comment":"  good save ",
                "notes":{"compliance":" no disclosure ","empathy":"  "},"resolved":true}"#,
        )
        .unwrap();
        assert_eq!(
            (ok.comment.as_str(), ok.resolved, ok.scores["accuracy"]),
            ("good save", true, Answer::Score(3))
        );
        assert_eq!(ok.notes, BTreeMap::from([("compliance".to_string(), "no disclosure".to_string())]));
    }

    #[test]
    fn every_problem_is_named_in_one_answer() {
        let long = "x".repeat(MAX_COMMENT_CHARS + 1);
        let note = "y".repeat(MAX_NOTE_CHARS + 1);
        let problems = submission(&format!(
            r#"{{"scores":{{"greeting":0,"empathy":"na","accuracy":9000,"speed":3}},"comment":"{long}",
                "notes":{{"greeting":"{note}","mood":"odd"}}}}"#
        ))
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "\"accuracy\" must be scored with a whole number or \"na\", not 9000",
                "\"Greeting and identification\" must be scored 1-5, not 0",
                "\"Empathy and tone\" cannot be N/A: score it 1-5",
                "\"Compliance and disclosure\" is not scored",
                "\"speed\" is not a criterion of this form",
                "the note on \"Greeting and identification\" is 501 characters; at most 500",
                "the note on \"mood\" is not on a criterion of this form",
                "resolved (on first contact: true or false) is not answered",
                "the comment is 2001 characters; at most 2000",
            ]
        );
        let message = ArchiveError::Invalid(problems).to_string();
        assert!(message.starts_with("9 problems: \"accuracy\""), "{message}");
    }

    #[test]
    fn a_comment_of_exactly_the_limit_is_kept_whole() {
        let full = "é".repeat(MAX_COMMENT_CHARS);
        let ok = submission(&format!(
            r#"{{"scores":{{"greeting":5,"empathy":4,"accuracy":3,"compliance":1}},"comment":"{full}","resolved":false}}"#
        ))
        .unwrap();
        assert_eq!(ok.comment.chars().count(), MAX_COMMENT_CHARS);
    }
}
