//! The post-call QA form, pure: its criteria, and checking a submitted review (every criterion scored
//! 1-5, a short comment, the first-contact outcome) before it is stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ArchiveError;

/// The scored criteria (key, label), in the form's order.
pub const CRITERIA: [(&str, &str); 4] = [
    ("greeting", "Greeting and identification"),
    ("empathy", "Empathy and tone"),
    ("accuracy", "Accuracy of information"),
    ("compliance", "Compliance and disclosure"),
];
/// The longest comment kept (characters).
pub const MAX_COMMENT_CHARS: usize = 2000;

/// A review as submitted.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub scores: BTreeMap<String, u8>,
    #[serde(default)]
    pub comment: String,
    /// Resolved on first contact (required; optional here only so that its absence gets a plain
    /// message instead of the parser's).
    pub resolved: Option<bool>,
}

/// A review as stored and returned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Qa {
    pub scores: BTreeMap<String, u8>,
    pub comment: String,
    pub resolved: bool,
    pub reviewer_id: String,
    pub reviewer_name: String,
    pub reviewed_at: u64,
}

/// The criteria as the review endpoint lists them.
pub fn criteria() -> Vec<serde_json::Value> {
    CRITERIA.iter().map(|(key, label)| serde_json::json!({ "key": key, "label": label })).collect()
}

impl Submission {
    /// Checks every criterion is scored 1-5 and nothing else is; trims the comment.
    pub fn checked(mut self) -> Result<Submission, ArchiveError> {
        let bad = |why: String| Err(ArchiveError::BadRequest(why));
        for (key, _) in CRITERIA {
            match self.scores.get(key) {
                Some(score) if (1..=5).contains(score) => {}
                Some(score) => return bad(format!("{key} must be scored 1-5, not {score}")),
                None => return bad(format!("{key} is not scored")),
            }
        }
        if let Some(unknown) = self.scores.keys().find(|k| !CRITERIA.iter().any(|(key, _)| key == k)) {
            return bad(format!("{unknown} is not a criterion"));
        }
        if self.resolved.is_none() {
            return bad("resolved (on first contact: true or false) is not answered".into());
        }
        self.comment = self.comment.trim().to_owned();
        if self.comment.chars().count() > MAX_COMMENT_CHARS {
            return bad(format!("the comment is over {MAX_COMMENT_CHARS} characters"));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(json: &str) -> Result<Submission, String> {
        let parsed: Submission = serde_json::from_str(json).map_err(|e| e.to_string())?;
        parsed.checked().map_err(|e| e.to_string())
    }

    #[test]
    fn a_complete_review_passes_with_its_comment_trimmed() {
        let ok = submission(
            r#"{"scores":{"greeting":5,"empathy":4,"accuracy":3,"compliance":1},"comment":"  good save ","resolved":true}"#,
        )
        .unwrap();
        assert_eq!((ok.comment.as_str(), ok.resolved, ok.scores["accuracy"]), ("good save", Some(true), 3));
    }

    #[test]
    fn missing_unknown_and_out_of_range_scores_are_named() {
        let all = r#""greeting":5,"empathy":4,"accuracy":3"#;
        let missing = submission(&format!(r#"{{"scores":{{{all}}},"resolved":true}}"#)).unwrap_err();
        assert!(missing.contains("compliance is not scored"), "{missing}");
        let zero =
            submission(&format!(r#"{{"scores":{{{all},"compliance":0}},"resolved":true}}"#)).unwrap_err();
        assert!(zero.contains("compliance must be scored 1-5, not 0"), "{zero}");
        let extra =
            submission(&format!(r#"{{"scores":{{{all},"compliance":2,"speed":3}},"resolved":false}}"#))
                .unwrap_err();
        assert!(extra.contains("speed is not a criterion"), "{extra}");
        assert!(
            submission(&format!(r#"{{"scores":{{{all},"compliance":2}}}}"#)).is_err(),
            "the outcome is required"
        );
        assert!(submission(&format!(r#"{{"scores":{{{all},"compliance":9000}},"resolved":true}}"#)).is_err());
        let long = "x".repeat(MAX_COMMENT_CHARS + 1);
        let essay = submission(&format!(
            r#"{{"scores":{{{all},"compliance":2}},"comment":"{long}","resolved":true}}"#
        ));
        assert!(essay.unwrap_err().contains("over 2000 characters"));
    }
}
