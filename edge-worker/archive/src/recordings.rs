//! Call recordings: the agent's hub uploads MediaRecorder chunks (stereo Opus in WebM) into R2 while
//! the call runs; supervisors of the call's team list, play and delete them; the retention sweep
//! deletes what a team no longer keeps. The edge worker has already decided that an uploader is the
//! call's agent with recording on; the chunk rules are in [`crate::rules`], the index in
//! [`crate::index`].
//!
//! Endpoints (docs/PROTOCOL.md): `POST /api/calls/{id}/recordings` (start a take),
//! `PUT …/recordings/{take}/chunks/{seq}`, `POST …/recordings/{take}/complete`,
//! `GET …/recordings/{take}/audio`, `DELETE /api/calls/{id}/recordings`, `GET /api/recordings`; and
//! from the edge only `POST /internal/retention` and `POST /internal/sweep`.

use earshot_wire::body::{json_body, now_ms};
use earshot_wire::identity::Identity;
use earshot_wire::recording::{Retention, Sweep, TakePermit};
use serde::Deserialize;
use worker::{Method, Request, Response, ResponseBody};

use crate::audio_store;
use crate::caller;
use crate::error::ArchiveError;
use crate::index::RecordingRow;
use crate::rules::{self, ChunkFate};
use crate::{Archive, Outcome};

/// How many expired takes one sweep deletes (each costs an R2 list and delete): the cron runs hourly,
/// so a backlog drains over the following runs.
const SWEEP_BATCH: u32 = 50;

/// `/api/calls/{call_id}/recordings/…`, after `recordings`.
pub async fn handle_call(
    req: Request,
    archive: &Archive,
    who: &Identity,
    call_id: &str,
    rest: &[&str],
) -> Outcome {
    match (req.method(), rest) {
        (Method::Post, []) => start(req, archive, who, call_id).await,
        (Method::Delete, []) => delete_call(archive, who, call_id).await,
        (Method::Put, [take, "chunks", seq]) => upload(req, archive, who, call_id, take, seq).await,
        (Method::Post, [take, "complete"]) => complete(req, archive, call_id, take).await,
        (Method::Get, [take, "audio"]) => audio(archive, who, call_id, take).await,
        _ => Err(ArchiveError::NotFound),
    }
}

fn take_number(segment: &str) -> Result<u32, ArchiveError> {
    rules::number(segment, "take", rules::MAX_CHUNKS)
}

async fn start(mut req: Request, archive: &Archive, who: &Identity, call_id: &str) -> Outcome {
    let take: TakePermit = json_body(&mut req).await?;
    let now = now_ms();
    let expires_at = now.saturating_add(take.retention_ms);
    let row = archive
        .index
        .start_take(call_id, &who.team, &take.agent_id, now, take.include_whisper, expires_at)
        .await?;
    Ok(Response::from_json(&row)?.with_status(201))
}

async fn upload(
    req: Request,
    archive: &Archive,
    who: &Identity,
    call_id: &str,
    take: &str,
    seq: &str,
) -> Outcome {
    let take = take_number(take)?;
    let seq = rules::number(seq, "seq", rules::MAX_CHUNKS)?;
    // Refuse an announced oversize body before reading it.
    let declared = req.headers().get("Content-Length")?.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > rules::MAX_CHUNK_BYTES) {
        return Err(ArchiveError::BadRequest(format!(
            "chunk is over the {}-byte limit",
            rules::MAX_CHUNK_BYTES
        )));
    }
    let body = audio_store::body_of(&req).await?;
    let size = body.length();
    rules::check_chunk(seq, size as usize, &body.subarray(0, 4).to_vec())?;
    // Audio first, then the count: a counted chunk is always in the bucket. A retry rewrites the same
    // bytes under the same key, which is harmless. The uploader is the call's agent (the edge checked),
    // so their team is the call's.
    let key = rules::chunk_key(&who.team, call_id, take, seq);
    archive.audio.put(&key, &body).await?;
    let now = now_ms();
    let duplicate = if archive.index.count_chunk(call_id, take, seq, size.into(), now).await?.is_some() {
        false
    } else {
        let fate = match archive.index.take(call_id, take).await? {
            Some(row) => rules::chunk_fate(row.chunks, row.complete, seq),
            None => Err(ArchiveError::NotFound),
        };
        if fate.is_err() {
            // Nothing references what was just written (no such take, a gap, a complete take).
            archive.audio.delete(&key).await?;
        }
        fate? == ChunkFate::Duplicate
    };
    Ok(Response::from_json(&serde_json::json!({ "take": take, "seq": seq, "duplicate": duplicate }))?)
}

/// The body of a take's completion: how many chunks the hub uploaded.
#[derive(Deserialize)]
pub struct Completion {
    chunks: u32,
}

async fn complete(mut req: Request, archive: &Archive, call_id: &str, take: &str) -> Outcome {
    let take = take_number(take)?;
    let Completion { chunks } = json_body(&mut req).await?;
    let index = &archive.index;
    let row = match index.complete(call_id, take, chunks, now_ms()).await? {
        Some(row) => row,
        None => index.take(call_id, take).await?.ok_or(ArchiveError::NotFound)?,
    };
    if !row.complete || row.chunks != chunks {
        return Err(ArchiveError::Conflict(format!(
            "the recording holds {} chunks, not {chunks}: upload the rest first",
            row.chunks
        )));
    }
    Ok(Response::from_json(&row)?)
}

/// A take of the supervisor's own team, or `NotFound`: another team learns nothing, not even that the
/// call exists.
async fn own_take(
    archive: &Archive,
    who: &Identity,
    call_id: &str,
    take: u32,
) -> Result<RecordingRow, ArchiveError> {
    caller::supervisor(who, "review recordings")?;
    let row = archive.index.take(call_id, take).await?;
    row.filter(|row| row.team == who.team).ok_or(ArchiveError::NotFound)
}

/// The take's chunks concatenated in order: one WebM file, streamed from the bucket (never held whole).
async fn audio(archive: &Archive, who: &Identity, call_id: &str, take: &str) -> Outcome {
    let row = own_take(archive, who, call_id, take_number(take)?).await?;
    let keys = (0..row.chunks).map(|seq| rules::chunk_key(&row.team, call_id, row.take, seq)).collect();
    let body = archive.audio.concatenate(keys, row.bytes)?;
    let mut response = Response::from_body(ResponseBody::Stream(body))?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "audio/webm")?;
    headers.set("Cache-Control", "private, no-store")?;
    headers.set("X-Earshot-Complete", if row.complete { "true" } else { "false" })?;
    Ok(response)
}

/// The supervisor's team's takes started in the window `?from=&to=` (ms since the epoch).
pub async fn list(req: &Request, archive: &Archive, who: &Identity) -> Outcome {
    caller::supervisor(who, "review recordings")?;
    let (from, to) = rules::list_window(&req.inner().url(), now_ms())?;
    let rows = archive.index.list(&who.team, from, to, rules::LIST_LIMIT).await?;
    Ok(Response::from_json(
        &serde_json::json!({ "team": who.team, "from": from, "to": to, "recordings": rows }),
    )?)
}

/// Deletes the audio of `takes` from the bucket, then their index rows (with the deletion's audit row).
async fn purge(
    archive: &Archive,
    takes: &[RecordingRow],
    actor: &str,
    reason: &str,
) -> Result<(), ArchiveError> {
    for row in takes {
        // By prefix, so a chunk stored but never counted goes too.
        archive.audio.delete_prefix(&rules::take_prefix(&row.team, &row.call_id, row.take)).await?;
    }
    archive.index.forget(takes, actor, reason, now_ms()).await?;
    Ok(())
}

async fn delete_call(archive: &Archive, who: &Identity, call_id: &str) -> Outcome {
    caller::supervisor(who, "delete recordings")?;
    let takes = archive.index.of_call(&who.team, call_id).await?;
    if takes.is_empty() {
        return Err(ArchiveError::NotFound);
    }
    purge(archive, &takes, &who.sub, "deleted by a supervisor").await?;
    let chunks: u64 = takes.iter().map(|t| u64::from(t.chunks)).sum();
    let bytes: u64 = takes.iter().map(|t| t.bytes).sum();
    let body = serde_json::json!({ "call_id": call_id, "deleted": { "takes": takes.len(), "chunks": chunks, "bytes": bytes } });
    Ok(Response::from_json(&body)?)
}

/// A team chose a new retention: it applies to the recordings it already has, not only new ones.
pub async fn set_retention(mut req: Request, archive: &Archive, who: &Identity) -> Outcome {
    let Retention { span_ms } = json_body(&mut req).await?;
    archive.index.set_retention(&who.team, span_ms).await?;
    Ok(Response::from_json(&serde_json::json!({ "team": who.team, "span_ms": span_ms }))?)
}

/// The retention sweep (the edge's cron trigger): deletes takes whose team's retention has run out.
pub async fn sweep(mut req: Request, archive: &Archive) -> Outcome {
    let Sweep { now } = json_body(&mut req).await?;
    let expired = archive.index.expired(now, SWEEP_BATCH).await?;
    if !expired.is_empty() {
        purge(archive, &expired, "retention", "retention period over").await?;
    }
    worker::console_log!("retention sweep: {} recordings deleted", expired.len());
    Ok(Response::from_json(&serde_json::json!({ "deleted": expired.len() }))?)
}
