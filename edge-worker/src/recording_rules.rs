//! The rules of call recordings, pure: who may start a take and upload to it, what a chunk must look
//! like, where chunks live in the bucket, when a recording expires, and the list endpoint's query.
//! [`crate::recordings`] applies them with R2 and D1; the tests below pin them without either.

use earshot_policy::Role;
use serde::{Deserialize, Serialize};

use crate::error::EdgeError;
use crate::identity::Identity;
use crate::room::CallRecord;

/// How long after recording stops (or the call ends) the agent's recorder may still upload: its last
/// chunks and the completion marker leave the browser after the stop, possibly after retries.
pub const UPLOAD_TAIL_MS: u64 = 60_000;
/// The largest chunk accepted. MediaRecorder's ~1 s stereo Opus slices are 2-20 KB; a tab that was
/// throttled and flushes several seconds at once stays far below this.
pub const MAX_CHUNK_BYTES: usize = 512 * 1024;
/// The most chunks one take may have: ten hours of 1 s slices.
pub const MAX_CHUNKS: u32 = 36_000;
/// Retention a team gets unless it chooses another (days).
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// The longest retention a team may choose (days): ten years.
pub const MAX_RETENTION_DAYS: u32 = 3_650;
/// One day, in milliseconds (`EARSHOT_RETENTION_DAY_MS` may shorten it for tests).
pub const DAY_MS: u64 = 86_400_000;
/// How many recordings one list answer holds at most.
pub const LIST_LIMIT: u32 = 200;
/// Every WebM file starts with the EBML magic number; the first chunk of a take must too.
const EBML_MAGIC: [u8; 4] = [0x1a, 0x45, 0xdf, 0xa3];

/// What the call's Durable Object knows that decides whether recording uploads are allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingFacts {
    pub team: String,
    pub agent_id: String,
    /// The call's recording is on and the call has not ended.
    pub active: bool,
    /// When recording last stopped or the call ended (ms since the epoch), if it is not active.
    pub quiet_since: Option<u64>,
    /// Whether this call's recording carries the supervisors' whisper (on the agent channel).
    pub include_whisper: bool,
    /// How many days the team keeps recordings.
    pub retention_days: u32,
}

impl RecordingFacts {
    /// The facts of a call; `last_quiet` is when recording last stopped or the call ended (from the
    /// audit trail), used only once recording is no longer active.
    pub fn of(record: &CallRecord, last_quiet: Option<u64>) -> RecordingFacts {
        let active = record.policy.recording.active && record.ended.is_none();
        RecordingFacts {
            team: record.init.team.clone(),
            agent_id: record.init.agent_id.clone(),
            active,
            quiet_since: if active { None } else { last_quiet },
            include_whisper: record.policy.recording.include_whisper,
            retention_days: record.init.settings.retention_days,
        }
    }
}

fn the_calls_agent(facts: &RecordingFacts, who: &Identity) -> Result<(), EdgeError> {
    if who.role == Role::Agent && who.team == facts.team && who.sub == facts.agent_id {
        Ok(())
    } else {
        Err(EdgeError::Forbidden("only the call's agent records it".into()))
    }
}

/// Whether `who` may start a new take now: the call's agent, while recording is on.
pub fn may_start(facts: &RecordingFacts, who: &Identity) -> Result<(), EdgeError> {
    the_calls_agent(facts, who)?;
    if facts.active {
        Ok(())
    } else {
        Err(EdgeError::Conflict("recording is not on for this call".into()))
    }
}

/// Whether `who` may upload a chunk (or complete a take) now: the call's agent, while recording is
/// on or within [`UPLOAD_TAIL_MS`] of it stopping.
pub fn may_upload(facts: &RecordingFacts, who: &Identity, now: u64) -> Result<(), EdgeError> {
    the_calls_agent(facts, who)?;
    let in_tail = facts.quiet_since.is_some_and(|at| now.saturating_sub(at) <= UPLOAD_TAIL_MS);
    if facts.active || in_tail {
        Ok(())
    } else {
        Err(EdgeError::Conflict("recording stopped on this call; no more uploads".into()))
    }
}

/// Parses a decimal path segment (a take or a sequence number) no larger than `max`.
pub fn number(segment: &str, what: &str, max: u32) -> Result<u32, EdgeError> {
    let bad = || EdgeError::BadRequest(format!("{what} must be a whole number 0-{max}"));
    if segment.is_empty() || segment.len() > 6 || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    segment.parse().ok().filter(|n| *n <= max).ok_or_else(bad)
}

/// Checks a chunk's size and, for the first chunk of a take, that it starts a WebM file (`head`: its
/// first bytes).
pub fn check_chunk(seq: u32, size: usize, head: &[u8]) -> Result<(), EdgeError> {
    if size == 0 {
        return Err(EdgeError::BadRequest("empty chunk".into()));
    }
    if size > MAX_CHUNK_BYTES {
        return Err(EdgeError::BadRequest(format!(
            "chunk of {size} bytes is over the {MAX_CHUNK_BYTES}-byte limit"
        )));
    }
    if seq == 0 && !head.starts_with(&EBML_MAGIC) {
        return Err(EdgeError::BadRequest("chunk 0 must start a WebM (EBML) file".into()));
    }
    Ok(())
}

/// What an upload of chunk `seq` means for a take that has `stored` chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkFate {
    /// The next chunk: store and count it.
    Append,
    /// Already stored (a retry whose answer was lost): accept, count nothing.
    Duplicate,
}

/// Chunks are appended strictly in order, so the stored ones are always a gapless, playable prefix.
pub fn chunk_fate(stored: u32, complete: bool, seq: u32) -> Result<ChunkFate, EdgeError> {
    if seq < stored {
        Ok(ChunkFate::Duplicate)
    } else if complete {
        Err(EdgeError::Conflict("this recording is complete".into()))
    } else if seq > stored {
        Err(EdgeError::Conflict(format!("chunk {seq} is out of order: the next chunk is {stored}")))
    } else {
        Ok(ChunkFate::Append)
    }
}

/// Where a take's chunks live: `rec/<team>/<call_id>/<take>/`. The team leads, so a team's audio is one
/// prefix (bucket lifecycle rules, exports) and no key of one team can name another's.
pub fn take_prefix(team: &str, call_id: &str, take: u32) -> String {
    format!("rec/{team}/{call_id}/{take}/")
}

/// The key of chunk `seq` (zero-padded, so a listing comes back in playing order).
pub fn chunk_key(team: &str, call_id: &str, take: u32, seq: u32) -> String {
    format!("{}{seq:06}", take_prefix(team, call_id, take))
}

/// When a recording started at `started_at` expires, for a team keeping `days` days of `day_ms`.
pub fn expires_at(started_at: u64, days: u32, day_ms: u64) -> u64 {
    started_at.saturating_add(u64::from(days).saturating_mul(day_ms))
}

/// The value of query parameter `name` in `url`, when it is all digits (the only kind this API takes,
/// so no percent-decoding is needed); an error names a present but malformed one.
pub fn query_number(url: &str, name: &str) -> Result<Option<u64>, EdgeError> {
    let Some(query) = url.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or_default()) else {
        return Ok(None);
    };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == name {
            let valid = !value.is_empty() && value.len() <= 16 && value.bytes().all(|b| b.is_ascii_digit());
            return match value.parse() {
                Ok(n) if valid => Ok(Some(n)),
                _ => Err(EdgeError::BadRequest(format!("{name} must be milliseconds since the epoch"))),
            };
        }
    }
    Ok(None)
}

/// The list endpoint's window `[from, to)` in ms since the epoch: both optional, `from` before `to`.
pub fn list_window(url: &str, now: u64) -> Result<(u64, u64), EdgeError> {
    let from = query_number(url, "from")?.unwrap_or(0);
    let to = query_number(url, "to")?.unwrap_or(now.saturating_add(1));
    if from >= to {
        return Err(EdgeError::BadRequest("from must be before to".into()));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use earshot_policy::ModeSet;

    use super::*;

    fn facts(active: bool, quiet_since: Option<u64>) -> RecordingFacts {
        RecordingFacts {
            team: "blue".into(),
            agent_id: "a1".into(),
            active,
            quiet_since,
            include_whisper: false,
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }

    fn person(sub: &str, role: Role, team: &str) -> Identity {
        Identity {
            sub: sub.into(),
            name: sub.into(),
            role,
            team: team.into(),
            capabilities: ModeSet::EMPTY,
            exemptions: ModeSet::EMPTY,
            call: None,
            aud: "earshot".into(),
        }
    }

    #[test]
    fn a_call_takes_whisper_recording_and_retention_from_its_team() {
        use crate::room::CallInit;
        use crate::team_settings::TeamSettings;
        let init = |settings| CallInit {
            call_id: "c".repeat(64),
            team: "blue".into(),
            agent_id: "a1".into(),
            agent_name: "Ana".into(),
            agent_exempt_from: ModeSet::EMPTY,
            consent_required: false,
            settings,
            customer_label: "Lee".into(),
            customer_sub: None,
            started_at: 0,
        };
        let plain = CallRecord::new(init(TeamSettings::default()));
        let facts = RecordingFacts::of(&plain, None);
        assert_eq!((facts.include_whisper, facts.retention_days, facts.active), (false, 90, false));
        let settings = TeamSettings { record_whisper: true, retention_days: 30, ..Default::default() };
        let mut coached = CallRecord::new(init(settings));
        assert!(coached.policy.recording.include_whisper, "the routing policy gets it");
        coached.policy.recording.active = true;
        let facts = RecordingFacts::of(&coached, Some(5));
        assert_eq!(
            (facts.include_whisper, facts.retention_days, facts.active, facts.quiet_since),
            (true, 30, true, None)
        );
        coached.ended = Some("ended by the agent".into());
        assert_eq!(
            RecordingFacts::of(&coached, Some(5)).quiet_since,
            Some(5),
            "an ended call records no more"
        );
    }

    #[test]
    fn only_the_calls_agent_records_and_only_while_recording_or_just_after() {
        let agent = person("a1", Role::Agent, "blue");
        assert_eq!(may_start(&facts(true, None), &agent), Ok(()));
        assert!(matches!(may_start(&facts(false, Some(5)), &agent), Err(EdgeError::Conflict(_))));
        for outsider in [
            person("a2", Role::Agent, "blue"),
            person("a1", Role::Agent, "green"),
            person("a1", Role::Supervisor, "blue"),
            person("a1", Role::Customer, "blue"),
        ] {
            assert!(matches!(may_start(&facts(true, None), &outsider), Err(EdgeError::Forbidden(_))));
            assert!(matches!(may_upload(&facts(true, None), &outsider, 0), Err(EdgeError::Forbidden(_))));
        }
        let stopped_at = 1_000_000;
        assert_eq!(may_upload(&facts(true, None), &agent, stopped_at), Ok(()));
        assert_eq!(may_upload(&facts(false, Some(stopped_at)), &agent, stopped_at + UPLOAD_TAIL_MS), Ok(()));
        assert!(may_upload(&facts(false, Some(stopped_at)), &agent, stopped_at + UPLOAD_TAIL_MS + 1).is_err());
        assert!(may_upload(&facts(false, None), &agent, stopped_at).is_err(), "never recorded");
    }

    #[test]
    fn chunks_are_sized_numbered_and_the_first_starts_a_webm_file() {
        let webm = [0x1a, 0x45, 0xdf, 0xa3, 1, 2];
        assert_eq!(check_chunk(0, webm.len(), &webm[..4]), Ok(()));
        assert_eq!(check_chunk(7, 22, b"any "), Ok(()));
        assert!(check_chunk(0, 12, b"RIFF").is_err());
        assert!(check_chunk(0, 2, &webm[..2]).is_err(), "too short to be a WebM file");
        assert!(check_chunk(3, 0, b"").is_err());
        assert!(check_chunk(3, MAX_CHUNK_BYTES, b"").is_ok());
        let oversize = check_chunk(3, MAX_CHUNK_BYTES + 1, b"").unwrap_err();
        assert!(oversize.to_string().contains("over the 524288-byte limit"), "{oversize}");
        assert_eq!(number("000017", "seq", MAX_CHUNKS), Ok(17));
        for bad in ["", "-1", "1e3", "36001", "9999999", "12a", " 1"] {
            assert!(number(bad, "seq", MAX_CHUNKS).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn chunks_append_in_order_and_retries_are_harmless() {
        assert_eq!(chunk_fate(0, false, 0), Ok(ChunkFate::Append));
        assert_eq!(chunk_fate(5, false, 5), Ok(ChunkFate::Append));
        assert_eq!(chunk_fate(5, false, 4), Ok(ChunkFate::Duplicate));
        assert_eq!(chunk_fate(5, true, 4), Ok(ChunkFate::Duplicate));
        assert!(matches!(chunk_fate(5, false, 6), Err(EdgeError::Conflict(_))), "a gap");
        assert!(matches!(chunk_fate(5, true, 5), Err(EdgeError::Conflict(_))), "after completion");
    }

    #[test]
    fn keys_keep_teams_apart_and_chunks_in_playing_order() {
        let call = "ab".repeat(32);
        assert_eq!(chunk_key("blue", &call, 2, 7), format!("rec/blue/{call}/2/000007"));
        assert!(chunk_key("blue", &call, 1, 9) < chunk_key("blue", &call, 1, 10));
        assert!(chunk_key("blue", &call, 1, 9).starts_with(&take_prefix("blue", &call, 1)));
        assert!(!chunk_key("blue", &call, 12, 0).starts_with(&take_prefix("blue", &call, 1)));
    }

    #[test]
    fn retention_and_list_windows() {
        assert_eq!(expires_at(1_000, 90, DAY_MS), 1_000 + 90 * 86_400_000);
        assert_eq!(expires_at(u64::MAX - 1, 90, DAY_MS), u64::MAX);
        let url = "http://x/api/recordings?from=100&to=200";
        assert_eq!(list_window(url, 5_000), Ok((100, 200)));
        assert_eq!(list_window("http://x/api/recordings", 5_000), Ok((0, 5_001)));
        assert_eq!(list_window("http://x/api/recordings?to=300#x", 5_000), Ok((0, 300)));
        assert!(list_window("http://x/api/recordings?from=abc", 5_000).is_err());
        assert!(list_window("http://x/api/recordings?from=300&to=200", 5_000).is_err());
        assert_eq!(query_number("http://x/?fromage=1&from=2", "from"), Ok(Some(2)));
    }
}
