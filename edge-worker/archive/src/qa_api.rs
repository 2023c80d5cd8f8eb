//! The QA endpoints of a reviewed call: saving a review on the team's scorecard (every save a new
//! version), the review's QA part (each reviewer's latest, the forms they were scored on, the agent's
//! answers), the history, the calibration; and the agent's side: their own calls' reviews, and
//! acknowledging or disputing one.
//!
//! Endpoints (docs/PROTOCOL.md): `PUT /api/calls/{id}/review`, `GET /api/calls/{id}/review/history`,
//! `GET /api/calls/{id}/review/calibration`, `POST /api/calls/{id}/review/response` (agents),
//! `GET /api/reports/my-reviews` (agents), `GET /api/reports/quality`.

use std::collections::{BTreeMap, BTreeSet};

use earshot_policy::Role;
use earshot_wire::body::{json_body, now_ms};
use earshot_wire::identity::Identity;
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use crate::calibration;
use crate::caller;
use crate::db::{num, Db};
use crate::error::ArchiveError;
use crate::qa::{Qa, Submission, MAX_COMMENT_CHARS};
use crate::quality;
use crate::review_history;
use crate::rules;
use crate::scorecard::Form;
use crate::scorecards;
use crate::{Archive, Outcome};

/// How many of an agent's reviewed calls one answer lists at most (newest first).
const MY_REVIEWS_LIMIT: u32 = 200;
/// How many scored reviews one quality report reads at most (a large team's quarter fits).
const QUALITY_LIMIT: u32 = 50_000;

/// `PUT /api/calls/{id}/review` (the call already checked as the caller's team's): a new version.
pub async fn save(mut req: Request, archive: &Archive, who: &Identity, call_id: &str) -> Outcome {
    let submission: Submission = json_body(&mut req).await?;
    let card = match submission.form_version {
        None => scorecards::current(&archive.db, &who.team).await?,
        Some(v) => scorecards::version(&archive.db, &who.team, v).await?.ok_or_else(|| {
            ArchiveError::Invalid(vec![format!("scorecard version {v} does not exist for this team")])
        })?,
    };
    let checked = submission.checked(&card.form)?;
    let qa =
        review_history::save(&archive.db, who, call_id, card.version, &card.form, checked, now_ms()).await?;
    Ok(Response::from_json(&qa)?)
}

/// The forms of `versions` (each once).
async fn forms(
    db: &Db,
    team: &str,
    versions: impl Iterator<Item = u32>,
) -> Result<BTreeMap<u32, Form>, ArchiveError> {
    let mut forms = BTreeMap::new();
    for v in versions.collect::<BTreeSet<u32>>() {
        if let Some(card) = scorecards::version(db, team, v).await? {
            forms.insert(v, card.form);
        }
    }
    Ok(forms)
}

/// What a review page adds about QA: the current scorecard (to score on), each reviewer's latest
/// review, the forms they were scored on, the agent's answers, and `qa` (the call's latest save).
pub async fn review_part(
    archive: &Archive,
    who: &Identity,
    call_id: &str,
) -> Result<serde_json::Value, ArchiveError> {
    let current = scorecards::current(&archive.db, &who.team).await?;
    let versions = review_history::of_call(&archive.db, call_id).await?;
    let latest = review_history::latest(&versions);
    let forms = forms(&archive.db, &who.team, latest.iter().map(|q| q.form_version)).await?;
    let newest = versions.iter().max_by_key(|q| q.reviewed_at);
    let criteria: Vec<serde_json::Value> =
        current.form.criteria().map(|c| serde_json::json!({ "key": c.key, "label": c.label })).collect();
    Ok(serde_json::json!({
        "scorecard": current,
        "criteria": criteria,
        "reviews": latest,
        "forms": forms,
        "responses": responses(&archive.db, call_id).await?,
        "qa": newest,
    }))
}

/// `GET /api/calls/{id}/review/history`: every version of every review, oldest first.
pub async fn history(archive: &Archive, who: &Identity, call_id: &str) -> Outcome {
    let versions = review_history::of_call(&archive.db, call_id).await?;
    Ok(Response::from_json(
        &serde_json::json!({ "call_id": call_id, "team": who.team, "versions": versions }),
    )?)
}

/// `GET /api/calls/{id}/review/calibration`: each reviewer's latest review side by side.
pub async fn calibration(archive: &Archive, who: &Identity, call_id: &str) -> Outcome {
    let versions = review_history::of_call(&archive.db, call_id).await?;
    let latest = review_history::latest(&versions);
    let forms = forms(&archive.db, &who.team, latest.iter().map(|q| q.form_version)).await?;
    let pairs: Vec<(&Qa, &Form)> =
        latest.iter().filter_map(|qa| forms.get(&qa.form_version).map(|f| (*qa, f))).collect();
    let mut answer = serde_json::to_value(calibration::calibrate(&pairs))?;
    answer["call_id"] = call_id.into();
    Ok(Response::from_json(&answer)?)
}

/// The agent's answer to one reviewer's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Acknowledged,
    Disputed,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseForm {
    reviewer_id: String,
    kind: Kind,
    #[serde(default)]
    comment: String,
}

/// An agent's answer as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentResponse {
    pub reviewer_id: String,
    pub review_version: u32,
    pub agent_id: String,
    pub kind: Kind,
    pub comment: String,
    pub responded_at: u64,
}

/// The newest answer to each reviewer's review of the call.
async fn responses(db: &Db, call_id: &str) -> Result<Vec<AgentResponse>, ArchiveError> {
    let rows: Vec<AgentResponse> = db
        .rows(
            "SELECT r.* FROM review_responses r WHERE r.call_id = ? AND r.responded_at =
               (SELECT MAX(s.responded_at) FROM review_responses s WHERE s.call_id = r.call_id AND s.reviewer_id = r.reviewer_id)
             ORDER BY r.responded_at",
            &[call_id.into()],
        )
        .await?;
    Ok(rows)
}

fn agent(who: &Identity, what: &str) -> Result<(), ArchiveError> {
    if who.role == Role::Agent {
        Ok(())
    } else {
        Err(ArchiveError::Forbidden(format!("only the call's agent may {what}")))
    }
}

/// The caller's own ended call (an agent's), or `NotFound`: another agent's call is as good as none.
async fn own_agent_call(db: &Db, who: &Identity, call_id: &str) -> Result<(), ArchiveError> {
    let rows: Vec<serde_json::Value> = db
        .rows(
            "SELECT call_id FROM calls WHERE call_id = ? AND team = ? AND agent_id = ?",
            &[call_id.into(), who.team.as_str().into(), who.sub.as_str().into()],
        )
        .await?;
    if rows.is_empty() {
        Err(ArchiveError::NotFound)
    } else {
        Ok(())
    }
}

/// `POST /api/calls/{id}/review/response`: the call's agent acknowledges or disputes (with a comment)
/// one reviewer's latest review.
pub async fn respond(mut req: Request, archive: &Archive, who: &Identity, call_id: &str) -> Outcome {
    agent(who, "acknowledge or dispute its review")?;
    own_agent_call(&archive.db, who, call_id).await?;
    let form: ResponseForm = json_body(&mut req).await?;
    let versions = review_history::of_call(&archive.db, call_id).await?;
    let latest = review_history::latest(&versions);
    let mut problems = Vec::new();
    let review = latest.iter().find(|q| q.reviewer_id == form.reviewer_id);
    if review.is_none() {
        problems.push(format!("there is no review of this call by {:?}", form.reviewer_id));
    }
    let comment = form.comment.trim().to_owned();
    if form.kind == Kind::Disputed && comment.is_empty() {
        problems.push("a dispute needs a comment saying what is wrong".into());
    }
    if comment.chars().count() > MAX_COMMENT_CHARS {
        problems.push(format!(
            "the comment is {} characters; at most {MAX_COMMENT_CHARS}",
            comment.chars().count()
        ));
    }
    let Some(review) = review.filter(|_| problems.is_empty()) else {
        return Err(ArchiveError::Invalid(problems));
    };
    let answer = AgentResponse {
        reviewer_id: form.reviewer_id,
        review_version: review.version,
        agent_id: who.sub.clone(),
        kind: form.kind,
        comment,
        responded_at: now_ms(),
    };
    let kind = serde_json::to_value(answer.kind)?;
    let statement = archive.db.statement(
        "INSERT INTO review_responses (call_id, team, reviewer_id, review_version, agent_id, kind, comment, responded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            call_id.into(),
            who.team.as_str().into(),
            answer.reviewer_id.as_str().into(),
            answer.review_version.into(),
            answer.agent_id.as_str().into(),
            kind.as_str().unwrap_or_default().into(),
            answer.comment.as_str().into(),
            num(answer.responded_at),
        ],
    )?;
    archive.db.batch(vec![statement]).await?;
    Ok(Response::from_json(&answer)?.with_status(201))
}

#[derive(Deserialize)]
struct MyCall {
    call_id: String,
    customer_label: String,
    started_at: u64,
    ended_at: u64,
}

/// `GET /api/reports/my-reviews`: the caller's (an agent's) reviewed calls, newest first, each with
/// every reviewer's latest review, the forms, and the agent's answers. Never another agent's calls.
pub async fn my_reviews(archive: &Archive, who: &Identity) -> Outcome {
    agent(who, "read the reviews of their calls")?;
    let calls: Vec<MyCall> = archive
        .db
        .rows(
            "SELECT c.call_id, c.customer_label, c.started_at, c.ended_at FROM calls c
             WHERE c.team = ? AND c.agent_id = ? AND EXISTS (SELECT 1 FROM reviews v WHERE v.call_id = c.call_id)
             ORDER BY c.started_at DESC LIMIT ?",
            &[who.team.as_str().into(), who.sub.as_str().into(), MY_REVIEWS_LIMIT.into()],
        )
        .await?;
    let mut list = Vec::new();
    for call in calls {
        let versions = review_history::of_call(&archive.db, &call.call_id).await?;
        let latest = review_history::latest(&versions);
        let forms = forms(&archive.db, &who.team, latest.iter().map(|q| q.form_version)).await?;
        list.push(serde_json::json!({
            "call_id": call.call_id, "customer_label": call.customer_label,
            "started_at": call.started_at, "ended_at": call.ended_at,
            "reviews": latest, "forms": forms,
            "responses": responses(&archive.db, &call.call_id).await?,
        }));
    }
    Ok(Response::from_json(&serde_json::json!({ "agent_id": who.sub, "team": who.team, "calls": list }))?)
}

/// `GET /api/reports/quality?from=&to=&format=json|csv`: review totals of the team's calls started
/// in the window, per agent, reviewer, criterion and week ([`crate::quality`]).
pub async fn quality(req: &Request, archive: &Archive, who: &Identity) -> Outcome {
    caller::supervisor(who, "read reports")?;
    let url = req.inner().url();
    let (from, to) = rules::list_window(&url, now_ms())?;
    let csv = rules::query_choice(&url, "format", &["json", "csv"])? == "csv";
    let rows: Vec<quality::ScoredRow> = archive
        .db
        .rows(
            "SELECT rv.call_id, c.agent_id, c.agent_name, rv.reviewer_id, rv.reviewer_name,
               c.started_at AS call_started_at, rv.total, rv.scores, rv.form_version
             FROM review_versions rv JOIN calls c ON c.call_id = rv.call_id
             WHERE c.team = ? AND c.started_at >= ? AND c.started_at < ?
               AND rv.version = (SELECT MAX(w.version) FROM review_versions w
                                 WHERE w.call_id = rv.call_id AND w.reviewer_id = rv.reviewer_id)
             LIMIT ?",
            &[who.team.as_str().into(), num(from), num(to), QUALITY_LIMIT.into()],
        )
        .await?;
    let forms = forms(&archive.db, &who.team, rows.iter().map(|r| r.form_version)).await?;
    let figures = quality::figures(&rows, &forms);
    if csv {
        let mut response = Response::ok(quality::csv(&figures))?;
        response.headers_mut().set("Content-Type", "text/csv; charset=utf-8")?;
        return Ok(response);
    }
    let mut answer = serde_json::to_value(&figures)?;
    answer["team"] = who.team.as_str().into();
    answer["from"] = from.into();
    answer["to"] = to.into();
    answer["buckets"] = quality::BUCKETS.iter().map(|(b, _)| *b).collect::<Vec<_>>().into();
    Ok(Response::from_json(&answer)?)
}
