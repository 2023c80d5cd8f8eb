//! Secure pauses in the archive: stored one row per pause with the call's summary (table `pauses`,
//! migrations/0003_compliance.sql), and how much of a span they cover, so reports count paused time
//! apart from listening time (a supervisor "in barge" during a pause heard and said nothing).

use earshot_wire::call_end::CallFacts;
use serde::Deserialize;
use worker::D1PreparedStatement;

use crate::db::{num, Db};
use crate::summary::PauseSpan;

/// A stored pause, as reports read it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PauseRow {
    pub call_id: String,
    pub started_at: u64,
    pub ended_at: u64,
}

/// The statements replacing one call's stored pauses with `pauses` (run in the summary's batch).
pub fn store(db: &Db, init: &CallFacts, pauses: &[PauseSpan]) -> worker::Result<Vec<D1PreparedStatement>> {
    let id = || init.call_id.as_str().into();
    let mut batch = vec![db.statement("DELETE FROM pauses WHERE call_id = ?", &[id()])?];
    for pause in pauses {
        batch.push(db.statement(
            "INSERT OR REPLACE INTO pauses (call_id, team, agent_id, call_started_at, started_at, ended_at)
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                id(),
                init.team.as_str().into(),
                init.agent_id.as_str().into(),
                num(init.started_at),
                num(pause.from),
                num(pause.to),
            ],
        )?);
    }
    Ok(batch)
}

/// How many ms of `from..to` on call `call_id` fall inside its pauses.
pub fn overlap_ms(call_id: &str, from: u64, to: u64, pauses: &[PauseRow]) -> u64 {
    pauses
        .iter()
        .filter(|p| p.call_id == call_id)
        .map(|p| to.min(p.ended_at).saturating_sub(from.max(p.started_at)))
        .sum()
}

/// The paused ms of the calls `calls` names.
pub fn paused_ms(calls: impl Fn(&str) -> bool, pauses: &[PauseRow]) -> u64 {
    pauses.iter().filter(|p| calls(&p.call_id)).map(|p| p.ended_at.saturating_sub(p.started_at)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_counts_only_the_span_inside_the_calls_own_pauses() {
        let pauses = [
            PauseRow { call_id: "c1".into(), started_at: 10, ended_at: 40 },
            PauseRow { call_id: "c1".into(), started_at: 50, ended_at: 70 },
            PauseRow { call_id: "c2".into(), started_at: 0, ended_at: 100 },
        ];
        assert_eq!(overlap_ms("c1", 0, 100, &pauses), 50);
        assert_eq!(overlap_ms("c1", 30, 60, &pauses), 20);
        assert_eq!(overlap_ms("c1", 41, 49, &pauses), 0);
        assert_eq!(paused_ms(|c| c == "c1", &pauses), 50);
        assert_eq!(paused_ms(|_| true, &pauses), 150);
    }
}
