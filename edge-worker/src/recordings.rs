//! Call recordings over HTTP: the agent's hub uploads MediaRecorder chunks (stereo Opus in WebM) into
//! R2 while the call runs; supervisors of the call's team list, play and delete them; the retention
//! sweep deletes what a team no longer keeps. The rules are in [`crate::recording_rules`], the index
//! in [`crate::recording_index`]; whether the call is recording is the call object's to say.
//!
//! Endpoints (docs/PROTOCOL.md): `POST /api/calls/{id}/recordings` (start a take),
//! `PUT …/recordings/{take}/chunks/{seq}`, `POST …/recordings/{take}/complete`,
//! `GET …/recordings/{take}/audio`, `DELETE /api/calls/{id}/recordings`, `GET /api/recordings`.

use earshot_policy::Role;
use serde::Deserialize;
use worker::{Env, Method, Request, Response, ResponseBody};

use crate::audio_store::{self, AudioStore};
use crate::config;
use crate::error::EdgeError;
use crate::identity::Identity;
use crate::recording_index::{RecordingIndex, RecordingRow};
use crate::recording_rules::{self as rules, ChunkFate, RecordingFacts};
use crate::routes;

type Outcome = std::result::Result<Response, EdgeError>;

/// How many expired takes one sweep deletes (each costs an R2 list and delete): the cron runs hourly,
/// so a backlog drains over the following runs.
const SWEEP_BATCH: u32 = 50;

fn supervisor_only(who: &Identity) -> Result<(), EdgeError> {
    if who.role == Role::Supervisor {
        Ok(())
    } else {
        Err(EdgeError::Forbidden("only supervisors review recordings".into()))
    }
}

/// `/api/calls/{call_id}/recordings/…`, after `recordings`.
pub async fn handle_call(req: Request, env: &Env, call_id: &str, rest: &[&str]) -> Outcome {
    let who = routes::authenticate_http(&req, env)?;
    match (req.method(), rest) {
        (Method::Post, []) => start(env, &who, call_id).await,
        (Method::Delete, []) => delete_call(env, &who, call_id).await,
        (Method::Put, [take, "chunks", seq]) => upload(req, env, &who, call_id, take, seq).await,
        (Method::Post, [take, "complete"]) => complete(req, env, &who, call_id, take).await,
        (Method::Get, [take, "audio"]) => audio(env, &who, call_id, take).await,
        _ => Err(EdgeError::NotFound),
    }
}

/// What the call object says about the call's recording.
async fn facts(env: &Env, who: &Identity, call_id: &str) -> Result<RecordingFacts, EdgeError> {
    let stub = routes::call_stub(env, call_id).ok_or(EdgeError::NotFound)?;
    let mut answer =
        routes::forward(&stub, "https://call/recording-facts", Method::Get, who, None, false).await?;
    let text = answer.text().await?;
    match answer.status_code() {
        200 => Ok(serde_json::from_str(&text)?),
        404 => Err(EdgeError::NotFound),
        status => Err(EdgeError::Internal(format!("call object answered {status}: {text}"))),
    }
}

fn take_number(segment: &str) -> Result<u32, EdgeError> {
    rules::number(segment, "take", rules::MAX_CHUNKS)
}

async fn start(env: &Env, who: &Identity, call_id: &str) -> Outcome {
    let facts = facts(env, who, call_id).await?;
    rules::may_start(&facts, who)?;
    let now = config::now_ms();
    let expires = rules::expires_at(now, facts.retention_days, config::retention_day_ms(env));
    let index = RecordingIndex::open(env).await?;
    let row =
        index.start_take(call_id, &facts.team, &facts.agent_id, now, facts.include_whisper, expires).await?;
    Ok(Response::from_json(&row)?.with_status(201))
}

async fn upload(req: Request, env: &Env, who: &Identity, call_id: &str, take: &str, seq: &str) -> Outcome {
    let take = take_number(take)?;
    let seq = rules::number(seq, "seq", rules::MAX_CHUNKS)?;
    // Refuse an announced oversize body before reading it.
    let declared = routes::header(&req, "Content-Length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > rules::MAX_CHUNK_BYTES) {
        return Err(EdgeError::BadRequest(format!(
            "chunk is over the {}-byte limit",
            rules::MAX_CHUNK_BYTES
        )));
    }
    let facts = facts(env, who, call_id).await?;
    let now = config::now_ms();
    rules::may_upload(&facts, who, now)?;
    let body = audio_store::body_of(&req).await?;
    let size = body.length();
    rules::check_chunk(seq, size as usize, &body.subarray(0, 4).to_vec())?;
    // Audio first, then the count: a counted chunk is always in the bucket. A retry rewrites the same
    // bytes under the same key, which is harmless.
    let store = AudioStore::open(env)?;
    let key = rules::chunk_key(&facts.team, call_id, take, seq);
    store.put(&key, &body).await?;
    let index = RecordingIndex::open(env).await?;
    let duplicate = if index.count_chunk(call_id, take, seq, size.into(), now).await?.is_some() {
        false
    } else {
        let fate = match index.take(call_id, take).await? {
            Some(row) => rules::chunk_fate(row.chunks, row.complete, seq),
            None => Err(EdgeError::NotFound),
        };
        if fate.is_err() {
            // Nothing references what was just written (no such take, a gap, a complete take).
            store.delete(&key).await?;
        }
        fate? == ChunkFate::Duplicate
    };
    Ok(Response::from_json(&serde_json::json!({ "take": take, "seq": seq, "duplicate": duplicate }))?)
}

#[derive(Deserialize)]
struct Completion {
    chunks: u32,
}

async fn complete(mut req: Request, env: &Env, who: &Identity, call_id: &str, take: &str) -> Outcome {
    let take = take_number(take)?;
    let Completion { chunks } = crate::sockets::json_body(&mut req).await?;
    let facts = facts(env, who, call_id).await?;
    let now = config::now_ms();
    rules::may_upload(&facts, who, now)?;
    let index = RecordingIndex::open(env).await?;
    let row = match index.complete(call_id, take, chunks, now).await? {
        Some(row) => row,
        None => index.take(call_id, take).await?.ok_or(EdgeError::NotFound)?,
    };
    if !row.complete || row.chunks != chunks {
        return Err(EdgeError::Conflict(format!(
            "the recording holds {} chunks, not {chunks}: upload the rest first",
            row.chunks
        )));
    }
    Ok(Response::from_json(&row)?)
}

/// A take of the supervisor's own team, or `NotFound`: another team learns nothing, not even that the
/// call exists.
async fn own_take(env: &Env, who: &Identity, call_id: &str, take: u32) -> Result<RecordingRow, EdgeError> {
    supervisor_only(who)?;
    let row = RecordingIndex::open(env).await?.take(call_id, take).await?;
    row.filter(|row| row.team == who.team).ok_or(EdgeError::NotFound)
}

/// The take's chunks concatenated in order: one WebM file, streamed from the bucket (never held whole).
async fn audio(env: &Env, who: &Identity, call_id: &str, take: &str) -> Outcome {
    let row = own_take(env, who, call_id, take_number(take)?).await?;
    let keys = (0..row.chunks).map(|seq| rules::chunk_key(&row.team, call_id, row.take, seq)).collect();
    let body = AudioStore::open(env)?.concatenate(keys, row.bytes)?;
    let mut response = Response::from_body(ResponseBody::Stream(body))?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "audio/webm")?;
    headers.set("Cache-Control", "private, no-store")?;
    headers.set("X-Earshot-Complete", if row.complete { "true" } else { "false" })?;
    Ok(response)
}

/// The supervisor's team's takes started in the window `?from=&to=` (ms since the epoch).
pub async fn list(req: Request, env: &Env) -> Outcome {
    let who = routes::authenticate_http(&req, env)?;
    supervisor_only(&who)?;
    let (from, to) = rules::list_window(&req.inner().url(), config::now_ms())?;
    let rows = RecordingIndex::open(env).await?.list(&who.team, from, to, rules::LIST_LIMIT).await?;
    Ok(Response::from_json(
        &serde_json::json!({ "team": who.team, "from": from, "to": to, "recordings": rows }),
    )?)
}

/// Deletes the audio of `takes` from the bucket, then their index rows (with the deletion's audit row).
async fn purge(env: &Env, takes: &[RecordingRow], actor: &str, reason: &str) -> Result<(), EdgeError> {
    let store = AudioStore::open(env)?;
    for row in takes {
        // By prefix, so a chunk stored but never counted goes too.
        store.delete_prefix(&rules::take_prefix(&row.team, &row.call_id, row.take)).await?;
    }
    RecordingIndex::open(env).await?.forget(takes, actor, reason, config::now_ms()).await?;
    Ok(())
}

async fn delete_call(env: &Env, who: &Identity, call_id: &str) -> Outcome {
    supervisor_only(who)?;
    let takes = RecordingIndex::open(env).await?.of_call(&who.team, call_id).await?;
    if takes.is_empty() {
        return Err(EdgeError::NotFound);
    }
    purge(env, &takes, &who.sub, "deleted by a supervisor").await?;
    let chunks: u64 = takes.iter().map(|t| u64::from(t.chunks)).sum();
    let bytes: u64 = takes.iter().map(|t| t.bytes).sum();
    let body = serde_json::json!({ "call_id": call_id, "deleted": { "takes": takes.len(), "chunks": chunks, "bytes": bytes } });
    Ok(Response::from_json(&body)?)
}

/// The retention sweep (the cron trigger): deletes takes whose team's retention has run out. Returns
/// how many it deleted.
pub async fn sweep(env: &Env, now: u64) -> Result<usize, EdgeError> {
    let expired = RecordingIndex::open(env).await?.expired(now, SWEEP_BATCH).await?;
    if !expired.is_empty() {
        purge(env, &expired, "retention", "retention period over").await?;
    }
    Ok(expired.len())
}
