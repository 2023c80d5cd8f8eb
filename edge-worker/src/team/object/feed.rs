//! The team object's pushes: everybody's view at once after a team change (the feed to
//! supervisors, own status to agents, place to customers), the paced feed after call-line changes,
//! and the call-line rows written with the push that carries them.

use earshot_policy::Role;
use worker::{Result, WebSocket};

use super::TeamObject;
use crate::call::views::CallSummary;
use crate::net::sockets::{self, Attachment};
use crate::team::protocol::TeamEvent;
use crate::team::state::TeamRecord;

impl TeamObject {
    /// Pushes everybody's view at once: the feed to supervisors, own status to agents, place to
    /// customers.
    pub(super) fn broadcast(&self, record: &TeamRecord, now: u64) -> Result<()> {
        self.save_lines(record)?;
        self.pacer.borrow_mut().sent(now);
        let mut feed = None;
        for (ws, a) in self.current_sockets(record) {
            match a.identity.role {
                Role::Supervisor => {
                    let feed = feed.get_or_insert_with(|| feed_text(record, now));
                    sockets::send_text(&ws, feed);
                }
                Role::Agent => {
                    if let Some(agent) = record.agents.get(&a.identity.sub) {
                        let status = TeamEvent::AgentStatus {
                            available: agent.available,
                            on_call: agent.on_call.clone(),
                        };
                        sockets::send(&ws, &status);
                    }
                }
                Role::Customer => {
                    if let Some((position, queued_at)) = record.position_of(&a.identity.sub) {
                        sockets::send(&ws, &TeamEvent::Queued { position, queued_at });
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends the current feed to the team's supervisors (built only if one is connected).
    pub(super) fn push_feed(&self, now: u64) -> Result<()> {
        self.pacer.borrow_mut().sent(now);
        let record = self.record.borrow();
        let Some(record) = record.as_ref() else { return Ok(()) };
        self.save_lines(record)?;
        let mut feed = None;
        for (ws, a) in self.current_sockets(record) {
            if a.identity.role == Role::Supervisor {
                sockets::send_text(&ws, feed.get_or_insert_with(|| feed_text(record, now)));
            }
        }
        Ok(())
    }

    pub(super) fn mark_unsaved(&self, call_id: String) {
        let mut unsaved = self.unsaved_lines.borrow_mut();
        if !unsaved.contains(&call_id) {
            unsaved.push(call_id);
        }
    }

    /// Writes the rows of lines changed since the last push. Until then a line lives in memory only:
    /// if the object were lost in those ≤ 250 ms, the call's next update would bring it back.
    pub(super) fn save_lines(&self, record: &TeamRecord) -> Result<()> {
        let unsaved = std::mem::take(&mut *self.unsaved_lines.borrow_mut());
        let lines: Vec<&CallSummary> = unsaved.iter().filter_map(|id| record.calls.get(id)).collect();
        self.lines()?.put_all(&lines)
    }

    /// The sockets that are their member's current session (not replaced, not handed off).
    pub(super) fn current_sockets(&self, record: &TeamRecord) -> Vec<(WebSocket, Attachment)> {
        let current = |a: &Attachment| record.sessions.get(&a.identity.member_key()) == Some(&a.conn);
        let sockets = self.state.get_websockets().into_iter();
        sockets.filter_map(|ws| Attachment::of(&ws).filter(current).map(|a| (ws, a))).collect()
    }
}

fn feed_text(record: &TeamRecord, now: u64) -> String {
    serde_json::to_string(&TeamEvent::Feed(record.feed(now))).unwrap_or_default()
}
