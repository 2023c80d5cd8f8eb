//! The recording index in D1: one row per take (call, team, agent, start, chunks, bytes, complete,
//! whisper, expiry) and an audit row per deletion (schema: `migrations/0001_recordings.sql`).

use serde::{Deserialize, Serialize};
use worker::Result;

use crate::db::{flag, num, Db};

/// One take as stored and as the list endpoint returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingRow {
    pub call_id: String,
    pub take: u32,
    pub team: String,
    pub agent_id: String,
    pub started_at: u64,
    pub updated_at: u64,
    pub chunks: u32,
    pub bytes: u64,
    /// The agent's recorder confirmed the end; `false` means the tab died (or is still recording):
    /// the stored chunks are a playable prefix.
    #[serde(deserialize_with = "flag")]
    pub complete: bool,
    #[serde(deserialize_with = "flag")]
    pub include_whisper: bool,
    pub expires_at: u64,
}

pub struct RecordingIndex {
    db: Db,
}

impl RecordingIndex {
    pub fn new(db: Db) -> RecordingIndex {
        RecordingIndex { db }
    }

    async fn rows(&self, sql: &str, params: &[worker::wasm_bindgen::JsValue]) -> Result<Vec<RecordingRow>> {
        self.db.rows(sql, params).await
    }

    /// Adds the call's next take (1, 2, …: a reloaded agent tab starts a new one) and returns its number.
    pub async fn start_take(
        &self,
        call_id: &str,
        team: &str,
        agent_id: &str,
        now: u64,
        include_whisper: bool,
        expires_at: u64,
    ) -> Result<RecordingRow> {
        let rows = self
            .rows(
                "INSERT INTO recordings (call_id, take, team, agent_id, started_at, updated_at, include_whisper, expires_at)
                 SELECT ?1, COALESCE(MAX(take), 0) + 1, ?2, ?3, ?4, ?4, ?5, ?6 FROM recordings WHERE call_id = ?1
                 RETURNING *",
                &[
                    call_id.into(),
                    team.into(),
                    agent_id.into(),
                    num(now),
                    num(u64::from(include_whisper)),
                    num(expires_at),
                ],
            )
            .await?;
        rows.into_iter().next().ok_or_else(|| worker::Error::RustError("no take added".into()))
    }

    pub async fn take(&self, call_id: &str, take: u32) -> Result<Option<RecordingRow>> {
        let rows = self
            .rows("SELECT * FROM recordings WHERE call_id = ? AND take = ?", &[call_id.into(), take.into()])
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Counts chunk `seq` of `bytes` bytes, if it is the take's next one and the take is open; `None`
    /// when it is not.
    pub async fn count_chunk(
        &self,
        call_id: &str,
        take: u32,
        seq: u32,
        bytes: u64,
        now: u64,
    ) -> Result<Option<RecordingRow>> {
        let rows = self
            .rows(
                "UPDATE recordings SET chunks = chunks + 1, bytes = bytes + ?, updated_at = ?
                 WHERE call_id = ? AND take = ? AND chunks = ? AND complete = 0 RETURNING *",
                &[num(bytes), num(now), call_id.into(), take.into(), seq.into()],
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Marks the take complete, if it holds exactly `chunks` chunks and is still open; `None` when not.
    pub async fn complete(
        &self,
        call_id: &str,
        take: u32,
        chunks: u32,
        now: u64,
    ) -> Result<Option<RecordingRow>> {
        let rows = self
            .rows(
                "UPDATE recordings SET complete = 1, updated_at = ?
                 WHERE call_id = ? AND take = ? AND chunks = ? AND complete = 0 RETURNING *",
                &[num(now), call_id.into(), take.into(), chunks.into()],
            )
            .await?;
        Ok(rows.into_iter().next())
    }

    /// The team's takes started in `[from, to)`, newest first, at most `limit`.
    pub async fn list(&self, team: &str, from: u64, to: u64, limit: u32) -> Result<Vec<RecordingRow>> {
        self.rows(
            "SELECT * FROM recordings WHERE team = ? AND started_at >= ? AND started_at < ?
             ORDER BY started_at DESC, take DESC LIMIT ?",
            &[team.into(), num(from), num(to), limit.into()],
        )
        .await
    }

    /// Every take of a call that belongs to `team` (none when the call is another team's).
    pub async fn of_call(&self, team: &str, call_id: &str) -> Result<Vec<RecordingRow>> {
        self.rows(
            "SELECT * FROM recordings WHERE team = ? AND call_id = ? ORDER BY take",
            &[team.into(), call_id.into()],
        )
        .await
    }

    /// Takes whose retention ran out by `now`, oldest expiry first.
    pub async fn expired(&self, now: u64, limit: u32) -> Result<Vec<RecordingRow>> {
        self.rows(
            "SELECT * FROM recordings WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
            &[num(now), limit.into()],
        )
        .await
    }

    /// Removes the rows of `takes` (their audio already deleted) and records who deleted them and why,
    /// one deletion row per call, in one transaction.
    pub async fn forget(&self, takes: &[RecordingRow], actor: &str, reason: &str, now: u64) -> Result<()> {
        let mut batch = Vec::new();
        let mut calls: Vec<&RecordingRow> = Vec::new();
        for row in takes {
            if !calls.iter().any(|c| c.call_id == row.call_id) {
                calls.push(row);
            }
            batch.push(self.db.statement(
                "DELETE FROM recordings WHERE call_id = ? AND take = ?",
                &[row.call_id.as_str().into(), row.take.into()],
            )?);
        }
        for call in calls {
            let of_call = takes.iter().filter(|r| r.call_id == call.call_id);
            let (count, chunks, bytes) = of_call
                .fold((0u64, 0u64, 0u64), |(n, c, b), r| (n + 1, c + u64::from(r.chunks), b + r.bytes));
            batch.push(self.db.statement(
                "INSERT INTO recording_deletions (at, call_id, team, actor, reason, takes, chunks, bytes)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    num(now),
                    call.call_id.as_str().into(),
                    call.team.as_str().into(),
                    actor.into(),
                    reason.into(),
                    num(count),
                    num(chunks),
                    num(bytes),
                ],
            )?);
        }
        self.db.batch(batch).await
    }

    /// Applies a team's (new) retention, `span_ms` from each take's start, to every take it already has.
    pub async fn set_retention(&self, team: &str, span_ms: u64) -> Result<()> {
        let sql = "UPDATE recordings SET expires_at = started_at + ? WHERE team = ?";
        self.db.batch(vec![self.db.statement(sql, &[num(span_ms), team.into()])?]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_rows_read_from_d1_json() {
        let text = r#"{"results":[{"call_id":"c","take":1,"team":"blue","agent_id":"a1","started_at":1795317410854,
            "updated_at":1795317411854,"chunks":3,"bytes":4096,"complete":0,"include_whisper":1,"expires_at":1803093410854}],
            "meta":{"changes":0,"duration":0.1}}"#;
        let answer: serde_json::Value = serde_json::from_str(text).unwrap();
        let row: RecordingRow = serde_json::from_value(answer["results"][0].clone()).unwrap();
        assert!(!row.complete && row.include_whisper);
        assert_eq!((row.chunks, row.bytes, row.started_at), (3, 4096, 1_795_317_410_854));
        let out = serde_json::to_value(&row).unwrap();
        assert_eq!(out["complete"], false, "booleans go out as booleans");
    }
}
