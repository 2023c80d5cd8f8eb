//! Timeline comments: a reviewer's note pinned to a moment (or a span) of an ended call, shown on the
//! review page's timeline and listed with the review. Checking one is pure ([`Draft::checked`], every
//! problem named); storing and listing is D1 (`timeline_comments`, `migrations/0004_qa.sql`).
//!
//! Endpoint (docs/PROTOCOL.md): `POST /api/calls/{id}/review/comments`; the Review lists `comments`.

use earshot_wire::body::{json_body, now_ms};
use earshot_wire::identity::Identity;
use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;
use worker::{Request, Response};

use crate::db::{num, Db};
use crate::error::ArchiveError;
use crate::Outcome;

/// The longest note (characters).
pub const MAX_TEXT_CHARS: usize = 500;
/// The most notes one call takes (a page of pins is already unreadable).
pub const MAX_PER_CALL: usize = 200;

/// A note as submitted: `at` (and `until` for a span) in ms since the epoch, within the call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub at: u64,
    #[serde(default)]
    pub until: Option<u64>,
    pub text: String,
}

/// A note as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub author_id: String,
    pub author_name: String,
    pub at: u64,
    pub until: Option<u64>,
    pub text: String,
    pub created_at: u64,
}

impl Draft {
    /// The draft with its text trimmed, or every problem with it, for a call that ran
    /// `started_at..=ended_at`.
    pub fn checked(mut self, started_at: u64, ended_at: u64) -> Result<Draft, Vec<String>> {
        let mut problems = Vec::new();
        self.text = self.text.trim().to_owned();
        let length = self.text.chars().count();
        if length == 0 {
            problems.push("the note is empty".to_string());
        } else if length > MAX_TEXT_CHARS {
            problems.push(format!("the note is {length} characters; at most {MAX_TEXT_CHARS}"));
        }
        let within = |t: u64| (started_at..=ended_at).contains(&t);
        if !within(self.at) {
            problems.push("the note's moment is outside the call".into());
        }
        match self.until {
            Some(until) if until <= self.at => {
                problems.push("the note's span must end after it starts".into())
            }
            Some(until) if !within(until) => problems.push("the note's span ends after the call".into()),
            _ => {}
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

/// The call's notes, in timeline order.
pub async fn of_call(db: &Db, call_id: &str) -> Result<Vec<Comment>, ArchiveError> {
    Ok(db
        .rows("SELECT * FROM timeline_comments WHERE call_id = ? ORDER BY at, created_at", &[call_id.into()])
        .await?)
}

/// `POST /api/calls/{id}/review/comments` (the call already checked as the caller's team's).
pub async fn add(mut req: Request, db: &Db, who: &Identity, call_id: &str, span: (u64, u64)) -> Outcome {
    let draft: Draft = json_body(&mut req).await?;
    let draft = draft.checked(span.0, span.1).map_err(ArchiveError::Invalid)?;
    if of_call(db, call_id).await?.len() >= MAX_PER_CALL {
        return Err(ArchiveError::Conflict(format!("this call already has {MAX_PER_CALL} notes")));
    }
    let comment = Comment {
        author_id: who.sub.clone(),
        author_name: who.name.clone(),
        at: draft.at,
        until: draft.until,
        text: draft.text,
        created_at: now_ms(),
    };
    let statement = db.statement(
        "INSERT INTO timeline_comments (call_id, team, author_id, author_name, at, until, text, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            call_id.into(),
            who.team.as_str().into(),
            comment.author_id.as_str().into(),
            comment.author_name.as_str().into(),
            num(comment.at),
            comment.until.map_or(JsValue::NULL, num),
            comment.text.as_str().into(),
            num(comment.created_at),
        ],
    )?;
    db.batch(vec![statement]).await?;
    Ok(Response::from_json(&comment)?.with_status(201))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(at: u64, until: Option<u64>, text: &str) -> Draft {
        Draft { at, until, text: text.into() }
    }

    #[test]
    fn a_note_at_a_moment_or_over_a_span_of_the_call_passes_trimmed() {
        assert_eq!(
            draft(1_000, None, " late greeting ").checked(1_000, 9_000).unwrap().text,
            "late greeting"
        );
        assert!(draft(2_000, Some(9_000), "hold music").checked(1_000, 9_000).is_ok());
    }

    #[test]
    fn every_problem_is_named() {
        let problems = draft(500, Some(400), " ").checked(1_000, 9_000).unwrap_err();
        assert_eq!(
            problems,
            [
                "the note is empty",
                "the note's moment is outside the call",
                "the note's span must end after it starts"
            ]
        );
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        let problems = draft(2_000, Some(9_001), &long).checked(1_000, 9_000).unwrap_err();
        assert_eq!(
            problems,
            ["the note is 501 characters; at most 500", "the note's span ends after the call"]
        );
    }
}
