//! An ended call's summary, pure: from the call's facts and audit trail (the wire contract's
//! [`CallEnd`], as the call object sends it) to the supervisor spans, help requests, timeline events and flag spans that review and
//! reports are built from. Definitions are in docs/PROTOCOL.md ("Post-call review and reports").

use std::collections::BTreeMap;

use earshot_policy::{Mode, Role};
use earshot_wire::call_end::{AuditRow, CallEnd};
use serde::{Deserialize, Serialize};

/// A supervisor's interval in one listening mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub supervisor_id: String,
    pub supervisor_name: String,
    pub mode: Mode,
    pub from: u64,
    pub to: u64,
}

impl Span {
    /// The supervisor was heard (monitor only listens).
    pub fn intervenes(&self) -> bool {
        self.mode.agent_hears()
    }

    /// A barge or takeover entered within the call's own early-barge window (`window_ms` after
    /// `call_started_at`: the guard the call's team had set when it started, as the edge applied it).
    pub fn is_early_barge(&self, call_started_at: u64, window_ms: u64) -> bool {
        self.mode.customer_hears() && self.from.saturating_sub(call_started_at) < window_ms
    }
}

/// A raised hand and who answered it first (entered a listening mode at or after it went up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpRequest {
    pub raised_at: u64,
    pub answered_at: Option<u64>,
    pub answered_by: Option<String>,
}

/// A point on the review timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: u64,
    pub kind: String,
    pub who: String,
    pub name: String,
    pub text: String,
}

/// A health flag from raised to cleared (or the call's end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagSpan {
    pub kind: String,
    pub from: u64,
    pub to: u64,
}

/// A secure pause from start to end (or the call's end): the take holds silence on both channels
/// for it, and supervisors heard nothing of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PauseSpan {
    pub from: u64,
    pub to: u64,
    /// Who started it, and why (the `pause_started` row's detail); how it ended.
    pub by: String,
    pub reason: String,
    pub ended: String,
}

/// The review timeline, stored with the call.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Timeline {
    pub spans: Vec<Span>,
    pub events: Vec<TimelineEvent>,
    pub flags: Vec<FlagSpan>,
    /// Secure pauses; calls stored before they existed have none.
    #[serde(default)]
    pub pauses: Vec<PauseSpan>,
}

/// Everything review and reports keep of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub timeline: Timeline,
    pub help: Vec<HelpRequest>,
}

fn end_row(call: &CallEnd) -> Option<&AuditRow> {
    call.audit.iter().filter(|r| r.kind == "end").max_by_key(|r| r.seq)
}

/// When the call ended: its `end` row, else its last row, else its start.
pub fn ended_at(call: &CallEnd) -> u64 {
    let last = end_row(call).or_else(|| call.audit.iter().max_by_key(|r| r.seq));
    last.map_or(call.init.started_at, |r| r.at.max(0) as u64)
}

/// Why the call ended, as its `end` row says.
pub fn ended_reason(call: &CallEnd) -> String {
    end_row(call).and_then(|r| r.detail.clone()).unwrap_or_else(|| "ended".to_owned())
}

impl Summary {
    /// The listening modes any supervisor used, in escalation order.
    pub fn modes(&self) -> Vec<Mode> {
        let mut modes: Vec<Mode> = self.timeline.spans.iter().map(|s| s.mode).collect();
        modes.sort();
        modes.dedup();
        modes
    }
}

/// Timeline event kinds taken from the trail as they are.
const EVENT_KINDS: [&str; 6] = ["help", "coaching", "recording", "consent", "end", "leave"];

/// Builds the summary of an ended call.
pub fn summarize(call: &CallEnd) -> Summary {
    let mut rows: Vec<&AuditRow> = call.audit.iter().collect();
    rows.sort_by_key(|r| r.seq);
    let name_of = |id: &str| -> String {
        if id == call.init.agent_id {
            call.init.agent_name.clone()
        } else {
            call.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
        }
    };
    let mut open: BTreeMap<String, (Mode, u64)> = BTreeMap::new();
    let mut timeline = Timeline::default();
    let mut help: Vec<HelpRequest> = Vec::new();
    let mut hand_up = false;
    let mut flags_open: BTreeMap<String, u64> = BTreeMap::new();
    let mut pause_open: Option<PauseSpan> = None;
    for row in rows {
        let at = row.at.max(0) as u64;
        let supervisor_move = row.actor_role == Role::Supervisor
            && matches!(row.kind.as_str(), "join" | "mode_change" | "leave");
        if supervisor_move {
            if let Some((mode, from)) = open.remove(&row.actor) {
                timeline.spans.push(span(&row.actor, name_of(&row.actor), mode, from, at));
            }
            let listening = row.to_mode.filter(|m| m.listens() && row.kind != "leave");
            if let Some(mode) = listening {
                open.insert(row.actor.clone(), (mode, at));
                if hand_up {
                    for request in help.iter_mut().filter(|h| h.answered_at.is_none()) {
                        request.answered_at = Some(at);
                        request.answered_by = Some(row.actor.clone());
                    }
                    hand_up = false;
                }
            }
        }
        match row.kind.as_str() {
            "help" if row.detail.as_deref() == Some("raised") => {
                help.push(HelpRequest { raised_at: at, answered_at: None, answered_by: None });
                hand_up = true;
            }
            "help" => hand_up = false,
            "pause_started" if pause_open.is_none() => {
                let reason = row.detail.clone().unwrap_or_default();
                pause_open = Some(PauseSpan {
                    from: at,
                    to: at,
                    by: name_of(&row.actor),
                    reason,
                    ended: String::new(),
                });
            }
            "pause_ended" => {
                if let Some(mut pause) = pause_open.take() {
                    pause.to = at.max(pause.from);
                    pause.ended = row.detail.clone().unwrap_or_default();
                    timeline.pauses.push(pause);
                }
            }
            "flag_raised" => {
                flags_open.insert(row.target.clone().unwrap_or_default(), at);
            }
            "flag_cleared" => {
                let kind = row.target.clone().unwrap_or_default();
                if let Some(from) = flags_open.remove(&kind) {
                    timeline.flags.push(FlagSpan { kind, from, to: at });
                }
            }
            _ => {}
        }
        let shown = EVENT_KINDS.contains(&row.kind.as_str()) || (row.kind == "join" && supervisor_move);
        if shown {
            let text = match (row.kind.as_str(), row.to_mode) {
                ("join", Some(mode)) => mode.name().to_owned(),
                ("consent", _) => "the customer acknowledged the disclosure".to_owned(),
                _ => row.detail.clone().unwrap_or_default(),
            };
            timeline.events.push(TimelineEvent {
                at,
                kind: row.kind.clone(),
                who: row.actor.clone(),
                name: name_of(&row.actor),
                text,
            });
        }
    }
    let ended_at = ended_at(call);
    for (supervisor, (mode, from)) in open {
        timeline.spans.push(span(&supervisor, name_of(&supervisor), mode, from, ended_at));
    }
    for (kind, from) in flags_open {
        timeline.flags.push(FlagSpan { kind, from, to: ended_at });
    }
    if let Some(mut pause) = pause_open {
        pause.to = ended_at.max(pause.from);
        pause.ended = "the call ended".to_owned();
        timeline.pauses.push(pause);
    }
    timeline.spans.sort_by(|a, b| (a.from, &a.supervisor_id).cmp(&(b.from, &b.supervisor_id)));
    timeline.flags.sort_by_key(|f| f.from);
    Summary { timeline, help }
}

fn span(supervisor: &str, name: String, mode: Mode, from: u64, to: u64) -> Span {
    Span { supervisor_id: supervisor.to_owned(), supervisor_name: name, mode, from, to: to.max(from) }
}

#[cfg(test)]
mod tests {
    use earshot_wire::call_end::{CallFacts, CallSettings};

    use super::*;

    const T0: u64 = 1_800_000_000_000;

    fn row(seq: i64, at_s: u64, kind: &str, actor: &str, role: Role) -> AuditRow {
        AuditRow {
            seq,
            at: (T0 + at_s * 1000) as i64,
            kind: kind.into(),
            actor: actor.into(),
            actor_role: role,
            target: None,
            from_mode: None,
            to_mode: None,
            detail: None,
        }
    }

    fn moved(seq: i64, at_s: u64, kind: &str, who: &str, to: Option<Mode>) -> AuditRow {
        AuditRow { to_mode: to, ..row(seq, at_s, kind, who, Role::Supervisor) }
    }

    fn said(seq: i64, at_s: u64, kind: &str, who: &str, role: Role, detail: &str) -> AuditRow {
        AuditRow { detail: Some(detail.into()), ..row(seq, at_s, kind, who, role) }
    }

    /// A call whose trail is `audit` plus its `end` row at `ended_s`.
    fn call(mut audit: Vec<AuditRow>, ended_s: u64) -> CallEnd {
        if !audit.iter().any(|r| r.kind == "end") {
            audit.push(said(99, ended_s, "end", "a1", Role::Agent, "ended by the agent"));
        }
        CallEnd {
            init: CallFacts {
                call_id: "c1".into(),
                team: "blue".into(),
                agent_id: "a1".into(),
                agent_name: "Ana".into(),
                customer_label: "Lee".into(),
                started_at: T0,
                settings: CallSettings { early_barge_minutes: 3 },
            },
            names: [("s1".to_owned(), "Sam".to_owned()), ("s2".to_owned(), "Sue".to_owned())].into(),
            audit,
        }
    }

    #[test]
    fn the_summary_keeps_each_pause_and_closes_one_left_open_at_the_end() {
        let audit = vec![
            said(1, 10, "pause_started", "a1", Role::Agent, "card (ends by itself after 180 s)"),
            said(2, 40, "pause_ended", "a1", Role::Agent, "ended by the agent after 30 s"),
            said(3, 50, "pause_started", "a1", Role::Agent, "cvv (ends by itself after 180 s)"),
        ];
        let pauses = summarize(&call(audit, 70)).timeline.pauses;
        let spans: Vec<_> =
            pauses.iter().map(|p| ((p.from - T0) / 1000, (p.to - T0) / 1000, p.ended.as_str())).collect();
        assert_eq!(spans, vec![(10, 40, "ended by the agent after 30 s"), (50, 70, "the call ended")]);
        assert_eq!(
            (pauses[0].by.as_str(), pauses[0].reason.as_str()),
            ("Ana", "card (ends by itself after 180 s)")
        );
    }

    #[test]
    fn spans_follow_each_supervisors_modes_and_close_at_leave_or_end() {
        let trail = vec![
            moved(1, 10, "join", "s1", Some(Mode::None)),
            moved(2, 12, "mode_change", "s1", Some(Mode::Monitor)),
            moved(3, 40, "mode_change", "s1", Some(Mode::Whisper)),
            moved(4, 70, "join", "s2", Some(Mode::Monitor)),
            moved(5, 100, "mode_change", "s1", Some(Mode::Barge)),
            moved(6, 130, "leave", "s1", None),
        ];
        let call = call(trail, 200);
        assert_eq!((ended_at(&call), ended_reason(&call).as_str()), (T0 + 200_000, "ended by the agent"));
        let summary = summarize(&call);
        let spans: Vec<(&str, Mode, u64, u64)> = summary
            .timeline
            .spans
            .iter()
            .map(|s| (s.supervisor_id.as_str(), s.mode, (s.from - T0) / 1000, (s.to - T0) / 1000))
            .collect();
        assert_eq!(
            spans,
            vec![
                ("s1", Mode::Monitor, 12, 40),
                ("s1", Mode::Whisper, 40, 70 + 30),
                ("s2", Mode::Monitor, 70, 200),
                ("s1", Mode::Barge, 100, 130),
            ]
        );
        assert_eq!(summary.timeline.spans[0].supervisor_name, "Sam");
        assert_eq!(summary.modes(), vec![Mode::Monitor, Mode::Whisper, Mode::Barge]);
        let (barge, whisper) = (&summary.timeline.spans[3], &summary.timeline.spans[1]);
        assert!(barge.is_early_barge(T0, 3 * 60_000), "a barge at 1:40, three minutes' guard");
        assert!(!barge.is_early_barge(T0, 60_000), "the same barge, one minute's guard");
        assert!(!barge.is_early_barge(T0, 0), "no guard: nothing is early");
        assert!(!whisper.is_early_barge(T0, 3 * 60_000), "a whisper is no barge");
    }

    #[test]
    fn a_help_request_is_answered_by_the_first_supervisor_to_start_listening() {
        let trail = vec![
            moved(1, 5, "join", "s2", Some(Mode::Monitor)),
            said(2, 20, "help", "a1", Role::Agent, "raised"),
            moved(3, 21, "join", "s1", Some(Mode::None)),
            moved(4, 29, "mode_change", "s1", Some(Mode::Whisper)),
            moved(5, 31, "mode_change", "s2", Some(Mode::Barge)),
            said(6, 40, "help", "a1", Role::Agent, "lowered"),
            said(7, 50, "help", "a1", Role::Agent, "raised"),
            said(8, 55, "help", "a1", Role::Agent, "lowered"),
            moved(9, 60, "mode_change", "s2", Some(Mode::Monitor)),
        ];
        let summary = summarize(&call(trail, 90));
        let help: Vec<(u64, Option<u64>, Option<&str>)> = summary
            .help
            .iter()
            .map(|h| {
                ((h.raised_at - T0) / 1000, h.answered_at.map(|a| (a - T0) / 1000), h.answered_by.as_deref())
            })
            .collect();
        assert_eq!(
            help,
            vec![(20, Some(29), Some("s1")), (50, None, None)],
            "joining without listening answers nothing; a hand lowered before anyone listens stays unanswered"
        );
    }

    #[test]
    fn the_timeline_carries_events_and_flag_spans() {
        let mut flag = row(4, 30, "flag_raised", "earshot", Role::Agent);
        flag.target = Some("customer_loud".into());
        let mut cleared = row(5, 45, "flag_cleared", "earshot", Role::Agent);
        cleared.target = Some("customer_loud".into());
        let mut dead = row(6, 80, "flag_raised", "earshot", Role::Agent);
        dead.target = Some("dead_air".into());
        let trail = vec![
            said(1, 3, "recording", "a1", Role::Agent, "started"),
            moved(2, 10, "join", "s1", Some(Mode::Monitor)),
            said(3, 20, "coaching", "s1", Role::Supervisor, "offer the refund"),
            flag,
            cleared,
            dead,
            said(7, 90, "end", "a1", Role::Agent, "ended by the agent"),
        ];
        let summary = summarize(&call(trail, 90));
        let events: Vec<(&str, &str, &str)> = summary
            .timeline
            .events
            .iter()
            .map(|e| (e.kind.as_str(), e.name.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(
            events,
            vec![
                ("recording", "Ana", "started"),
                ("join", "Sam", "monitor"),
                ("coaching", "Sam", "offer the refund"),
                ("end", "Ana", "ended by the agent"),
            ]
        );
        let flags: Vec<(&str, u64, u64)> = summary
            .timeline
            .flags
            .iter()
            .map(|f| (f.kind.as_str(), (f.from - T0) / 1000, (f.to - T0) / 1000))
            .collect();
        assert_eq!(
            flags,
            vec![("customer_loud", 30, 45), ("dead_air", 80, 90)],
            "an uncleared flag ends with the call"
        );
    }

    #[test]
    fn rows_arrive_as_the_call_object_serializes_them() {
        let text = r#"{"init":{"call_id":"c1","team":"blue","agent_id":"a1","agent_name":"Ana","agent_exempt_from":[],
            "consent_required":false,"customer_label":"Lee","customer_sub":null,"started_at":1800000000000,
            "settings":{"early_barge_minutes":1,"record_whisper":false,"retention_days":90}},
            "names":{"s1":"Sam"},
            "audit":[{"seq":1,"at":1800000010000,"kind":"join","actor":"s1","actor_role":"supervisor","target":"s1",
            "from_mode":null,"to_mode":"whisper","detail":null},{"seq":2,"at":1800000090000,"kind":"end","actor":"a1",
            "actor_role":"agent","target":null,"from_mode":null,"to_mode":null,"detail":"ended by the agent"}]}"#;
        let call: CallEnd = serde_json::from_str(text).unwrap();
        let summary = summarize(&call);
        assert_eq!(summary.timeline.spans.len(), 1);
        assert_eq!(
            (summary.timeline.spans[0].mode, summary.timeline.spans[0].to),
            (Mode::Whisper, 1_800_000_090_000)
        );
    }
}
