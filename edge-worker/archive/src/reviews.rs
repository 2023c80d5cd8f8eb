//! Post-call review and reports over D1: stores each ended call's summary (from the edge), lists a
//! team's ended calls, serves a call's review (timeline, takes, QA) and takes its QA form, and builds
//! the supervisor and agent reports as JSON or CSV. Every query is scoped to the caller's team.
//!
//! Endpoints (docs/PROTOCOL.md): `GET /api/reports/calls`, `GET /api/calls/{id}/review` (its QA
//! parts are [`crate::qa_api`]),
//! `GET /api/reports`; from the edge only `POST /internal/calls/{id}/summary`.

use earshot_wire::body::{json_body, now_ms};
use earshot_wire::call_end::CallEnd;
use earshot_wire::identity::Identity;
use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;
use worker::{Method, Request, Response};

use crate::call_search;
use crate::caller;
use crate::db::num;
use crate::error::ArchiveError;
use crate::qa_api;
use crate::report::{self, By, CallRow, HelpRow, OutcomeRow, SpanRow};
use crate::rules;
use crate::summary::{self, Timeline};
use crate::timeline_comments;
use crate::{Archive, Outcome};

/// How many calls one list answer holds at most.
const CALLS_LIMIT: u32 = 200;
/// How many stored rows one report reads at most per table (a large team's month fits).
const REPORT_LIMIT: u32 = 50_000;

/// `POST /internal/calls/{id}/summary`: an ended call, from its call object. Replaces whatever an
/// earlier attempt stored, in one transaction.
pub async fn store_summary(mut req: Request, archive: &Archive, who: &Identity, call_id: &str) -> Outcome {
    let call: CallEnd = json_body(&mut req).await?;
    if call.init.call_id != call_id || call.init.team != who.team {
        return Err(ArchiveError::BadRequest("the summary is of another call".into()));
    }
    let summary = summary::summarize(&call);
    let init = &call.init;
    let modes: Vec<&str> = summary.modes().into_iter().map(|m| m.name()).collect();
    let db = &archive.db;
    let id = || call_id.into();
    let mut batch = vec![
        db.statement("DELETE FROM spans WHERE call_id = ?", &[id()])?,
        db.statement("DELETE FROM help_requests WHERE call_id = ?", &[id()])?,
        db.statement(
            "INSERT OR REPLACE INTO calls (call_id, team, agent_id, agent_name, customer_label, started_at, ended_at,
             ended_reason, modes, help_requests, timeline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                id(),
                init.team.as_str().into(),
                init.agent_id.as_str().into(),
                init.agent_name.as_str().into(),
                init.customer_label.as_str().into(),
                num(init.started_at),
                num(summary::ended_at(&call)),
                summary::ended_reason(&call).into(),
                serde_json::to_string(&modes)?.into(),
                (summary.help.len() as u32).into(),
                serde_json::to_string(&summary.timeline)?.into(),
            ],
        )?,
    ];
    for span in &summary.timeline.spans {
        batch.push(db.statement(
            "INSERT OR REPLACE INTO spans (call_id, team, agent_id, call_started_at, supervisor_id, supervisor_name,
             mode, started_at, ended_at, early) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                id(),
                init.team.as_str().into(),
                init.agent_id.as_str().into(),
                num(init.started_at),
                span.supervisor_id.as_str().into(),
                span.supervisor_name.as_str().into(),
                span.mode.name().into(),
                num(span.from),
                num(span.to),
                u32::from(span.is_early_barge(init.started_at, init.settings.early_barge_ms())).into(),
            ],
        )?);
    }
    batch.extend(crate::pauses::store(db, init, &summary.timeline.pauses)?);
    for request in &summary.help {
        batch.push(db.statement(
            "INSERT OR REPLACE INTO help_requests (call_id, team, agent_id, call_started_at, raised_at, answered_at,
             answered_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                id(),
                init.team.as_str().into(),
                init.agent_id.as_str().into(),
                num(init.started_at),
                num(request.raised_at),
                // D1 binds null, not undefined (what `None.into()` would give).
                request.answered_at.map_or(JsValue::NULL, num),
                request.answered_by.as_deref().map_or(JsValue::NULL, JsValue::from),
            ],
        )?);
    }
    db.batch(batch).await?;
    Ok(Response::from_json(
        &serde_json::json!({ "call_id": call_id, "spans": summary.timeline.spans.len() }),
    )?)
}

/// A stored call as lists and reviews show it.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct StoredCall {
    call_id: String,
    agent_id: String,
    agent_name: String,
    customer_label: String,
    started_at: u64,
    ended_at: u64,
    ended_reason: String,
    #[serde(skip_serializing)]
    modes: String,
    #[serde(skip_serializing)]
    help_requests: u32,
    #[serde(skip_serializing)]
    timeline: Option<String>,
}

/// A listed call with what the list adds: whether it was recorded and reviewed.
#[derive(Deserialize)]
struct ListedCall {
    #[serde(flatten)]
    call: StoredCall,
    takes: u32,
    /// The names of the supervisors who held a span, as a JSON array (first to enter first).
    supervisors: String,
    #[serde(deserialize_with = "optional_flag")]
    resolved: Option<bool>,
}

fn optional_flag<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<bool>, D::Error> {
    Ok(Option::<u8>::deserialize(d)?.map(|n| n != 0))
}

/// `GET /api/reports/calls?from=&to=` (and the filters of [`call_search::Filters`]): the team's ended
/// calls started in the window, newest first.
pub async fn list_calls(req: &Request, archive: &Archive, who: &Identity) -> Outcome {
    caller::supervisor(who, "review calls")?;
    let url = req.inner().url();
    let (from, to) = rules::list_window(&url, now_ms())?;
    let filters = call_search::Filters::from_url(&url)?;
    let sql = format!(
        "SELECT c.call_id, c.agent_id, c.agent_name, c.customer_label, c.started_at, c.ended_at, c.ended_reason,
           c.modes, c.help_requests, NULL AS timeline,
           (SELECT COUNT(*) FROM recordings r WHERE r.call_id = c.call_id) AS takes,
           (SELECT json_group_array(name) FROM (SELECT s.supervisor_name AS name FROM spans s
              WHERE s.call_id = c.call_id GROUP BY s.supervisor_id ORDER BY MIN(s.started_at))) AS supervisors,
           (SELECT v.resolved FROM reviews v WHERE v.call_id = c.call_id) AS resolved
         FROM calls c WHERE c.team = ? AND c.started_at >= ? AND c.started_at < ?{}
         ORDER BY c.started_at DESC LIMIT ?",
        filters.sql
    );
    let mut params = vec![who.team.as_str().into(), num(from), num(to)];
    params.extend(filters.params.iter().map(call_search::FilterValue::js));
    params.push(CALLS_LIMIT.into());
    let rows: Vec<ListedCall> = archive.db.rows(&sql, &params).await?;
    let calls: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|row| {
            let mut line = serde_json::to_value(&row.call).unwrap_or_default();
            let modes: serde_json::Value = serde_json::from_str(&row.call.modes).unwrap_or_default();
            line["modes"] = modes;
            line["help_requests"] = row.call.help_requests.into();
            line["takes"] = row.takes.into();
            line["supervisors"] = serde_json::from_str(&row.supervisors).unwrap_or_default();
            line["reviewed"] = row.resolved.is_some().into();
            line["resolved"] = row.resolved.into();
            line
        })
        .collect();
    Ok(Response::from_json(&serde_json::json!({ "team": who.team, "from": from, "to": to, "calls": calls }))?)
}

/// The team's stored call, or `NotFound` (another team's call is indistinguishable from none).
async fn own_call(archive: &Archive, who: &Identity, call_id: &str) -> Result<StoredCall, ArchiveError> {
    caller::supervisor(who, "review calls")?;
    let rows: Vec<StoredCall> = archive
        .db
        .rows(
            "SELECT * FROM calls WHERE call_id = ? AND team = ?",
            &[call_id.into(), who.team.as_str().into()],
        )
        .await?;
    rows.into_iter().next().ok_or(ArchiveError::NotFound)
}

/// `GET|PUT /api/calls/{id}/review` and its QA parts (`…/review/history`, `…/calibration`, `…/response`,
/// `…/comments`).
pub async fn handle_review(
    req: Request,
    archive: &Archive,
    who: &Identity,
    call_id: &str,
    rest: &[&str],
) -> Outcome {
    if let (Method::Post, ["response"]) = (req.method(), rest) {
        return qa_api::respond(req, archive, who, call_id).await;
    }
    let call = own_call(archive, who, call_id).await?;
    match (req.method(), rest) {
        (Method::Post, ["comments"]) => {
            timeline_comments::add(req, &archive.db, who, call_id, (call.started_at, call.ended_at)).await
        }
        (Method::Get, []) => review(archive, who, call).await,
        (Method::Put, []) => qa_api::save(req, archive, who, call_id).await,
        (Method::Get, ["history"]) => qa_api::history(archive, who, call_id).await,
        (Method::Get, ["calibration"]) => qa_api::calibration(archive, who, call_id).await,
        _ => Err(ArchiveError::NotFound),
    }
}

async fn review(archive: &Archive, who: &Identity, call: StoredCall) -> Outcome {
    let call_id = call.call_id.as_str();
    let timeline: Timeline = serde_json::from_str(call.timeline.as_deref().unwrap_or("{}"))?;
    let takes = archive.index.of_call(&who.team, call_id).await?;
    let mut answer = serde_json::json!({
        "call": call,
        "spans": timeline.spans,
        "events": timeline.events,
        "flags": timeline.flags,
        "pauses": timeline.pauses,
        "takes": takes,
        "comments": timeline_comments::of_call(&archive.db, call_id).await?,
    });
    if let (Some(answer), serde_json::Value::Object(qa)) =
        (answer.as_object_mut(), qa_api::review_part(archive, who, call_id).await?)
    {
        answer.extend(qa);
    }
    Ok(Response::from_json(&answer)?)
}

/// `GET /api/reports?from=&to=&by=&format=`.
pub async fn report(req: &Request, archive: &Archive, who: &Identity) -> Outcome {
    caller::supervisor(who, "read reports")?;
    let url = req.inner().url();
    let (from, to) = rules::list_window(&url, now_ms())?;
    let by = By::parse(rules::query_choice(&url, "by", &["supervisor", "agent"])?).unwrap_or(By::Supervisor);
    let csv = rules::query_choice(&url, "format", &["json", "csv"])? == "csv";
    let window =
        || -> Vec<JsValue> { vec![who.team.as_str().into(), num(from), num(to), REPORT_LIMIT.into()] };
    let db = &archive.db;
    let calls: Vec<CallRow> = db
        .rows(
            "SELECT call_id, agent_id, agent_name FROM calls WHERE team = ? AND started_at >= ? AND started_at < ? LIMIT ?",
            &window(),
        )
        .await?;
    let spans: Vec<SpanRow> = db
        .rows(
            "SELECT * FROM spans WHERE team = ? AND call_started_at >= ? AND call_started_at < ? LIMIT ?",
            &window(),
        )
        .await?;
    let help: Vec<HelpRow> = db
        .rows(
            "SELECT * FROM help_requests WHERE team = ? AND call_started_at >= ? AND call_started_at < ? LIMIT ?",
            &window(),
        )
        .await?;
    let outcomes: Vec<OutcomeRow> = db
        .rows(
            "SELECT v.call_id, v.resolved FROM reviews v JOIN calls c ON c.call_id = v.call_id
             WHERE c.team = ? AND c.started_at >= ? AND c.started_at < ? LIMIT ?",
            &window(),
        )
        .await?;
    let pauses: Vec<crate::pauses::PauseRow> = db
        .rows(
            "SELECT * FROM pauses WHERE team = ? AND call_started_at >= ? AND call_started_at < ? LIMIT ?",
            &window(),
        )
        .await?;
    let figures = report::figures(by, &calls, &spans, &help, &outcomes, &pauses);
    if csv {
        let link = |row: &report::Row, totals: bool| {
            call_search::calls_path(from, to, (!totals).then_some((by.name(), row.id.as_str())))
        };
        let mut response = Response::ok(report::csv(&figures, link))?;
        response.headers_mut().set("Content-Type", "text/csv; charset=utf-8")?;
        return Ok(response);
    }
    Ok(Response::from_json(&serde_json::json!({
        "team": who.team,
        "from": from,
        "to": to,
        "by": by.name(),
        "calls": figures.calls,
        "rows": figures.rows.iter()
            .map(|row| call_search::with_calls_path(row, call_search::calls_path(from, to, Some((by.name(), &row.id)))))
            .collect::<Result<Vec<_>, _>>()?,
        "totals": call_search::with_calls_path(&figures.totals, call_search::calls_path(from, to, None))?,
    }))?)
}
