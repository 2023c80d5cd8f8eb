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
    use earshot_policy::Role;
    use earshot_wire::call_end::{AuditRow, CallEnd, CallSettings};

    use super::*;
    use crate::summary::summarize;

    const T0: u64 = 1_800_000_000_000;

    fn row(seq: i64, at_s: u64, kind: &str, actor: &str, detail: &str) -> AuditRow {
        AuditRow {
            seq,
            at: (T0 + at_s * 1000) as i64,
            kind: kind.into(),
            actor: actor.into(),
            actor_role: Role::Agent,
            target: None,
            from_mode: None,
            to_mode: None,
            detail: Some(detail.into()),
        }
    }

    #[test]
    fn the_summary_keeps_each_pause_and_closes_one_left_open_at_the_end() {
        let call = CallEnd {
            init: CallFacts {
                call_id: "c1".into(),
                team: "blue".into(),
                agent_id: "a1".into(),
                agent_name: "Ana".into(),
                customer_label: "Lee".into(),
                started_at: T0,
                settings: CallSettings { early_barge_minutes: 3 },
            },
            names: Default::default(),
            audit: vec![
                row(1, 10, "pause_started", "a1", "card (ends by itself after 180 s)"),
                row(2, 40, "pause_ended", "a1", "ended by the agent after 30 s"),
                row(3, 50, "pause_started", "a1", "cvv (ends by itself after 180 s)"),
                row(4, 70, "end", "a1", "ended by the agent"),
            ],
        };
        let pauses = summarize(&call).timeline.pauses;
        let spans: Vec<_> =
            pauses.iter().map(|p| ((p.from - T0) / 1000, (p.to - T0) / 1000, p.ended.as_str())).collect();
        assert_eq!(spans, vec![(10, 40, "ended by the agent after 30 s"), (50, 70, "the call ended")]);
        assert_eq!(
            (pauses[0].by.as_str(), pauses[0].reason.as_str()),
            ("Ana", "card (ends by itself after 180 s)")
        );
    }

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
