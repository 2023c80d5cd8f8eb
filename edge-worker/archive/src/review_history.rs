//! Every saved version of every review in D1 (`review_versions`, `migrations/0004_qa.sql`): saving a
//! reviewer's next version with its weighted total and the words for what it changed, and reading a
//! call's versions (all of them for the history, each reviewer's latest for the review and the
//! calibration). Several supervisors may review one call; each save is a new row, never an update.

use std::collections::BTreeMap;

use earshot_wire::identity::Identity;
use serde::Deserialize;

use crate::db::{flag, num, Db};
use crate::error::ArchiveError;
use crate::qa::{Checked, Qa};
use crate::scorecard::Form;
use crate::scorecards::DEFAULT_VERSION;
use crate::scoring::{self, Answers};

/// A stored version.
#[derive(Deserialize)]
struct StoredVersion {
    reviewer_id: String,
    reviewer_name: String,
    version: u32,
    reviewed_at: u64,
    form_version: u32,
    scores: String,
    notes: String,
    comment: String,
    #[serde(deserialize_with = "flag")]
    resolved: bool,
    total: Option<f64>,
    auto_failed: String,
    changes: String,
}

impl StoredVersion {
    fn qa(self) -> Result<Qa, ArchiveError> {
        Ok(Qa {
            scores: serde_json::from_str(&self.scores)?,
            notes: serde_json::from_str(&self.notes)?,
            comment: self.comment,
            resolved: self.resolved,
            reviewer_id: self.reviewer_id,
            reviewer_name: self.reviewer_name,
            reviewed_at: self.reviewed_at,
            form_version: self.form_version,
            total: self.total,
            auto_failed: serde_json::from_str(&self.auto_failed)?,
            version: self.version,
            changes: serde_json::from_str(&self.changes)?,
        })
    }
}

/// A review saved before scorecards existed (a 0002 `reviews` row only): the default form, version 1.
#[derive(Deserialize)]
struct LegacyReview {
    scores: String,
    comment: String,
    #[serde(deserialize_with = "flag")]
    resolved: bool,
    reviewer_id: String,
    reviewer_name: String,
    reviewed_at: u64,
}

impl LegacyReview {
    fn qa(self) -> Result<Qa, ArchiveError> {
        let scores: Answers = serde_json::from_str(&self.scores)?;
        let total = scoring::total(&Form::default_form(), &scores);
        Ok(Qa {
            scores,
            notes: BTreeMap::new(),
            comment: self.comment,
            resolved: self.resolved,
            reviewer_id: self.reviewer_id,
            reviewer_name: self.reviewer_name,
            reviewed_at: self.reviewed_at,
            form_version: DEFAULT_VERSION,
            total: total.total,
            auto_failed: total.auto_failed,
            version: 1,
            changes: Vec::new(),
        })
    }
}

/// Every version of every review of the call, oldest first.
pub async fn of_call(db: &Db, call_id: &str) -> Result<Vec<Qa>, ArchiveError> {
    let rows: Vec<StoredVersion> = db
        .rows(
            "SELECT * FROM review_versions WHERE call_id = ? ORDER BY reviewed_at, reviewer_id, version",
            &[call_id.into()],
        )
        .await?;
    if rows.is_empty() {
        let legacy: Vec<LegacyReview> =
            db.rows("SELECT * FROM reviews WHERE call_id = ?", &[call_id.into()]).await?;
        return legacy.into_iter().map(LegacyReview::qa).collect();
    }
    rows.into_iter().map(StoredVersion::qa).collect()
}

/// Each reviewer's latest version, in the order they first reviewed.
pub fn latest(versions: &[Qa]) -> Vec<&Qa> {
    let mut latest: Vec<&Qa> = Vec::new();
    for qa in versions {
        match latest.iter_mut().find(|q| q.reviewer_id == qa.reviewer_id) {
            Some(slot) if slot.version < qa.version => *slot = qa,
            Some(_) => {}
            None => latest.push(qa),
        }
    }
    latest
}

/// What `next` changes from the reviewer's `previous` version, in words, in form order.
pub fn changes(form: &Form, previous: Option<&Qa>, form_version: u32, next: &Checked) -> Vec<String> {
    let Some(prev) = previous else { return Vec::new() };
    let mut words = Vec::new();
    if prev.form_version != form_version {
        words.push(format!("scorecard version {} → {form_version}", prev.form_version));
    }
    for c in form.criteria() {
        let (old, new) = (prev.scores.get(&c.key), next.scores.get(&c.key));
        if old != new {
            let show = |a: Option<&scoring::Answer>| a.map_or("unscored".to_string(), |a| a.to_string());
            words.push(format!("{}: {} → {}", c.label, show(old), show(new)));
        }
        if prev.notes.get(&c.key) != next.notes.get(&c.key) {
            words.push(format!("note on {}", c.label));
        }
    }
    if prev.resolved != next.resolved {
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        words.push(format!(
            "resolved on first contact: {} → {}",
            yes_no(prev.resolved),
            yes_no(next.resolved)
        ));
    }
    if prev.comment != next.comment {
        words.push("comment".into());
    }
    if words.is_empty() {
        words.push("saved again unchanged".into());
    }
    words
}

/// Saves `checked` as `who`'s next version of their review of the call, scored on `form` (version
/// `form_version`), and makes it the call's latest review; returns it.
pub async fn save(
    db: &Db,
    who: &Identity,
    call_id: &str,
    form_version: u32,
    form: &Form,
    checked: Checked,
    now: u64,
) -> Result<Qa, ArchiveError> {
    let versions = of_call(db, call_id).await?;
    let previous = latest(&versions).into_iter().find(|q| q.reviewer_id == who.sub);
    let scored = scoring::total(form, &checked.scores);
    let qa = Qa {
        changes: changes(form, previous, form_version, &checked),
        version: previous.map_or(1, |p| p.version + 1),
        scores: checked.scores,
        notes: checked.notes,
        comment: checked.comment,
        resolved: checked.resolved,
        reviewer_id: who.sub.clone(),
        reviewer_name: who.name.clone(),
        reviewed_at: now,
        form_version,
        total: scored.total,
        auto_failed: scored.auto_failed,
    };
    let scores = serde_json::to_string(&qa.scores)?;
    let resolved = u32::from(qa.resolved);
    let history = db.statement(
        "INSERT INTO review_versions (call_id, team, reviewer_id, reviewer_name, version, reviewed_at, form_version,
         scores, notes, comment, resolved, total, auto_failed, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            call_id.into(),
            who.team.as_str().into(),
            qa.reviewer_id.as_str().into(),
            qa.reviewer_name.as_str().into(),
            qa.version.into(),
            num(now),
            form_version.into(),
            scores.as_str().into(),
            serde_json::to_string(&qa.notes)?.into(),
            qa.comment.as_str().into(),
            resolved.into(),
            qa.total.map_or(worker::wasm_bindgen::JsValue::NULL, worker::wasm_bindgen::JsValue::from_f64),
            serde_json::to_string(&qa.auto_failed)?.into(),
            serde_json::to_string(&qa.changes)?.into(),
        ],
    )?;
    // The call's latest review (any reviewer), which the calls list and the outcome shares read.
    let latest = db.statement(
        "INSERT OR REPLACE INTO reviews (call_id, team, reviewer_id, reviewer_name, reviewed_at, scores, comment, resolved)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            call_id.into(),
            who.team.as_str().into(),
            qa.reviewer_id.as_str().into(),
            qa.reviewer_name.as_str().into(),
            num(now),
            scores.as_str().into(),
            qa.comment.as_str().into(),
            resolved.into(),
        ],
    )?;
    db.batch(vec![history, latest]).await?;
    Ok(qa)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::Answer;

    fn qa(reviewer: &str, version: u32, greeting: u8) -> Qa {
        Qa {
            scores: BTreeMap::from([
                ("greeting".into(), Answer::Score(greeting)),
                ("empathy".into(), Answer::Score(4)),
                ("accuracy".into(), Answer::Score(4)),
                ("compliance".into(), Answer::Score(4)),
            ]),
            notes: BTreeMap::new(),
            comment: "ok".into(),
            resolved: true,
            reviewer_id: reviewer.into(),
            reviewer_name: reviewer.to_uppercase(),
            reviewed_at: u64::from(version),
            form_version: 1,
            total: None,
            auto_failed: vec![],
            version,
            changes: vec![],
        }
    }

    #[test]
    fn the_latest_version_of_each_reviewer_is_kept_in_first_review_order() {
        let all = [qa("s1", 1, 3), qa("s2", 1, 5), qa("s1", 2, 4)];
        let latest: Vec<(&str, u32)> =
            latest(&all).iter().map(|q| (q.reviewer_id.as_str(), q.version)).collect();
        assert_eq!(latest, [("s1", 2), ("s2", 1)]);
    }

    #[test]
    fn changes_name_each_score_note_outcome_and_comment_that_moved() {
        let form = Form::default_form();
        let prev = qa("s1", 1, 3);
        let mut next = Checked {
            scores: prev.scores.clone(),
            notes: BTreeMap::from([("empathy".into(), "warm".into())]),
            comment: "better".into(),
            resolved: false,
        };
        next.scores.insert("greeting".into(), Answer::Score(5));
        assert_eq!(
            changes(&form, Some(&prev), 2, &next),
            [
                "scorecard version 1 → 2",
                "Greeting and identification: 3 → 5",
                "note on Empathy and tone",
                "resolved on first contact: yes → no",
                "comment",
            ]
        );
        let same = Checked {
            scores: prev.scores.clone(),
            notes: BTreeMap::new(),
            comment: "ok".into(),
            resolved: true,
        };
        assert_eq!(changes(&form, Some(&prev), 1, &same), ["saved again unchanged"]);
        assert!(changes(&form, None, 1, &same).is_empty(), "a first save changes nothing");
    }
}
