//! The archive's recording rules, pure: what a chunk must look like, in which order chunks append,
//! where they live in the bucket, and the date-window query every list and report takes.
//! [`crate::recordings`] applies them with R2 and D1; the tests below pin them without either.
//! (Who may record a call is the edge worker's decision, from the live call's state.)

use crate::error::ArchiveError;

/// The largest chunk accepted. MediaRecorder's ~1 s stereo Opus slices are 2-20 KB; a tab that was
/// throttled and flushes several seconds at once stays far below this.
pub const MAX_CHUNK_BYTES: usize = 512 * 1024;
/// The most chunks one take may have: ten hours of 1 s slices.
pub const MAX_CHUNKS: u32 = 36_000;
/// How many recordings one list answer holds at most.
pub const LIST_LIMIT: u32 = 200;
/// Every WebM file starts with the EBML magic number; the first chunk of a take must too.
const EBML_MAGIC: [u8; 4] = [0x1a, 0x45, 0xdf, 0xa3];

/// Parses a decimal path segment (a take or a sequence number) no larger than `max`.
pub fn number(segment: &str, what: &str, max: u32) -> Result<u32, ArchiveError> {
    let bad = || ArchiveError::BadRequest(format!("{what} must be a whole number 0-{max}"));
    if segment.is_empty() || segment.len() > 6 || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    segment.parse().ok().filter(|n| *n <= max).ok_or_else(bad)
}

/// Checks a chunk's size and, for the first chunk of a take, that it starts a WebM file (`head`: its
/// first bytes).
pub fn check_chunk(seq: u32, size: usize, head: &[u8]) -> Result<(), ArchiveError> {
    if size == 0 {
        return Err(ArchiveError::BadRequest("empty chunk".into()));
    }
    if size > MAX_CHUNK_BYTES {
        return Err(ArchiveError::BadRequest(format!(
            "chunk of {size} bytes is over the {MAX_CHUNK_BYTES}-byte limit"
        )));
    }
    if seq == 0 && !head.starts_with(&EBML_MAGIC) {
        return Err(ArchiveError::BadRequest("chunk 0 must start a WebM (EBML) file".into()));
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
pub fn chunk_fate(stored: u32, complete: bool, seq: u32) -> Result<ChunkFate, ArchiveError> {
    if seq < stored {
        Ok(ChunkFate::Duplicate)
    } else if complete {
        Err(ArchiveError::Conflict("this recording is complete".into()))
    } else if seq > stored {
        Err(ArchiveError::Conflict(format!("chunk {seq} is out of order: the next chunk is {stored}")))
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

/// The raw value of query parameter `name` in `url`. The API takes only digits and plain words, so no
/// percent-decoding is needed: anything else fails the caller's check.
pub fn query_value<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    let query = url.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or_default())?;
    query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(key, _)| *key == name)
        .map(|(_, v)| v)
}

/// Query parameter `name` as a number, when it is all digits; an error names a malformed one.
pub fn query_number(url: &str, name: &str) -> Result<Option<u64>, ArchiveError> {
    let Some(value) = query_value(url, name) else { return Ok(None) };
    let valid = !value.is_empty() && value.len() <= 16 && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse() {
        Ok(n) if valid => Ok(Some(n)),
        _ => Err(ArchiveError::BadRequest(format!("{name} must be milliseconds since the epoch"))),
    }
}

/// Query parameter `name` as one of `choices` (the first when absent); an error lists them.
pub fn query_choice<'a>(url: &str, name: &str, choices: &[&'a str]) -> Result<&'a str, ArchiveError> {
    match query_value(url, name) {
        None => Ok(choices[0]),
        Some(value) => {
            choices.iter().find(|c| **c == value).copied().ok_or_else(|| {
                ArchiveError::BadRequest(format!("{name} must be one of {}", choices.join(", ")))
            })
        }
    }
}

/// The list endpoint's window `[from, to)` in ms since the epoch: both optional, `from` before `to`.
pub fn list_window(url: &str, now: u64) -> Result<(u64, u64), ArchiveError> {
    let from = query_number(url, "from")?.unwrap_or(0);
    let to = query_number(url, "to")?.unwrap_or(now.saturating_add(1));
    if from >= to {
        return Err(ArchiveError::BadRequest("from must be before to".into()));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(matches!(chunk_fate(5, false, 6), Err(ArchiveError::Conflict(_))), "a gap");
        assert!(matches!(chunk_fate(5, true, 5), Err(ArchiveError::Conflict(_))), "after completion");
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
    fn list_windows() {
        let url = "http://x/api/recordings?from=100&to=200";
        assert_eq!(list_window(url, 5_000), Ok((100, 200)));
        assert_eq!(list_window("http://x/api/recordings", 5_000), Ok((0, 5_001)));
        assert_eq!(list_window("http://x/api/recordings?to=300#x", 5_000), Ok((0, 300)));
        assert!(list_window("http://x/api/recordings?from=abc", 5_000).is_err());
        assert!(list_window("http://x/api/recordings?from=300&to=200", 5_000).is_err());
        assert_eq!(query_number("http://x/?fromage=1&from=2", "from"), Ok(Some(2)));
        let url = "http://x/api/reports?by=agent&format=";
        assert_eq!(query_choice(url, "by", &["supervisor", "agent"]), Ok("agent"));
        assert_eq!(query_choice("http://x/api/reports", "by", &["supervisor", "agent"]), Ok("supervisor"));
        assert!(query_choice(url, "format", &["json", "csv"]).is_err(), "empty is not a choice");
        assert!(query_choice("http://x/?by=boss", "by", &["supervisor", "agent"]).is_err());
    }
}
