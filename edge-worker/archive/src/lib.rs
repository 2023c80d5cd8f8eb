//! Earshot's archive worker: call recordings in R2, and (in D1) their index, call summaries, reviews
//! and reports. It sits behind the edge worker (edge-worker/), reachable only through the edge's
//! `ARCHIVE` service binding: the edge verifies every caller's token and passes the identity in
//! the identity header (the wire contract, `earshot-wire`); paths under `/internal/` are the edge's own notices (an ended call's
//! summary, a team's new retention, the retention sweep), which the edge never forwards from a client.
//!
//! A separate worker keeps storage code off the live-call path: the edge worker's bundle stays within
//! its budget, and an archive fault never touches a call in progress.

pub mod audio_store;
pub mod calibration;
pub mod call_search;
pub mod caller;
pub mod db;
pub mod error;
pub mod index;
pub mod pauses;
pub mod qa;
pub mod qa_api;
pub mod quality;
pub mod recordings;
pub mod report;
pub mod review_history;
pub mod reviews;
pub mod rules;
pub mod scorecard;
pub mod scorecards;
pub mod scoring;
pub mod summary;
pub mod timeline_comments;

use worker::{event, Context, Env, Method, Request, Response, Result};

use crate::audio_store::AudioStore;
use crate::db::Db;
use crate::error::ArchiveError;
use crate::index::RecordingIndex;

/// A handler's result: a response, or an error answered as JSON with its status.
pub type Outcome = std::result::Result<Response, ArchiveError>;

/// The archive's stores, opened once per request.
pub struct Archive {
    pub audio: AudioStore,
    pub db: Db,
    pub index: RecordingIndex,
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let outcome = route(req, &env).await;
    outcome.or_else(|err| Ok(Response::from_json(&err.body())?.with_status(err.status())))
}

async fn route(req: Request, env: &Env) -> Outcome {
    let who = caller::of(&req)?;
    let db = Db::open(env).await?;
    let archive = Archive { audio: AudioStore::open(env)?, index: RecordingIndex::new(db.clone()), db };
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method(), segments.as_slice()) {
        (_, ["api", "calls", call_id, "recordings", rest @ ..]) => {
            recordings::handle_call(req, &archive, &who, call_id, rest).await
        }
        (Method::Get, ["api", "recordings"]) => recordings::list(&req, &archive, &who).await,
        (_, ["api", "calls", call_id, "review", rest @ ..]) => {
            reviews::handle_review(req, &archive, &who, call_id, rest).await
        }
        (_, ["api", "reports", "scorecard", rest @ ..]) => {
            scorecards::handle(req, &archive, &who, rest).await
        }
        (Method::Get, ["api", "reports", "my-reviews"]) => qa_api::my_reviews(&archive, &who).await,
        (Method::Get, ["api", "reports", "quality"]) => qa_api::quality(&req, &archive, &who).await,
        (Method::Get, ["api", "reports"]) => reviews::report(&req, &archive, &who).await,
        (Method::Get, ["api", "reports", "calls"]) => reviews::list_calls(&req, &archive, &who).await,
        (Method::Get, ["api", "reports", "calls", "sample"]) => {
            call_search::sample(&req, &archive, &who).await
        }
        (Method::Post, ["internal", "calls", call_id, "summary"]) => {
            reviews::store_summary(req, &archive, &who, call_id).await
        }
        (Method::Post, ["internal", "retention"]) => recordings::set_retention(req, &archive, &who).await,
        (Method::Post, ["internal", "sweep"]) => recordings::sweep(req, &archive).await,
        _ => Err(ArchiveError::NotFound),
    }
}
