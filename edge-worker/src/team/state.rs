//! A team's live state, pure: agents and their availability, the customer queue, live calls.
//! Assignment gives the customer who waited longest to the agent who has been idle longest.

use std::collections::BTreeMap;

use earshot_policy::ModeSet;
use serde::{Deserialize, Serialize};

use crate::call::views::CallSummary;
use crate::settings::TeamSettings;
use crate::team::protocol::{AgentLine, QueueLine, TeamFeed};

/// An agent connected to the team (or on a call).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentState {
    pub name: String,
    pub exemptions: ModeSet,
    pub available: bool,
    pub on_call: Option<String>,
    pub idle_since: Option<u64>,
    pub connected: bool,
}

/// A customer waiting in the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    pub sub: String,
    pub label: String,
    pub queued_at: u64,
}

/// A customer and an agent the queue just paired.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairing {
    pub customer: Waiting,
    pub agent_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamRecord {
    pub team: String,
    pub consent_required: bool,
    /// The early-barge guard and health thresholds new calls take.
    pub settings: TeamSettings,
    pub agents: BTreeMap<String, AgentState>,
    pub queue: Vec<Waiting>,
    /// Stored as rows of their own ([`crate::team::lines`]), not in the record's JSON.
    #[serde(skip)]
    pub calls: BTreeMap<String, CallSummary>,
    /// Current connection number per member ([`crate::auth::identity::Identity::member_key`]).
    pub sessions: BTreeMap<String, u64>,
    pub next_conn: u64,
    /// Connections of customers handed their call, closed by the next sweep.
    pub handed_off: Vec<u64>,
}

impl TeamRecord {
    pub fn new(team: &str, consent_required: bool) -> TeamRecord {
        TeamRecord {
            team: team.to_owned(),
            consent_required,
            settings: TeamSettings::default(),
            agents: BTreeMap::new(),
            queue: Vec::new(),
            calls: BTreeMap::new(),
            sessions: BTreeMap::new(),
            next_conn: 1,
            handed_off: Vec::new(),
        }
    }

    pub fn agent_connected(&mut self, id: &str, name: &str, exemptions: ModeSet) {
        let agent = self.agents.entry(id.to_owned()).or_insert_with(|| AgentState {
            name: name.to_owned(),
            exemptions,
            available: false,
            on_call: None,
            idle_since: None,
            connected: true,
        });
        agent.connected = true;
        agent.exemptions = exemptions;
    }

    /// The agent's team socket went away: they take no new calls.
    pub fn agent_gone(&mut self, id: &str) {
        if let Some(agent) = self.agents.get_mut(id) {
            agent.connected = false;
            agent.available = false;
            agent.idle_since = None;
            if agent.on_call.is_none() {
                self.agents.remove(id);
            }
        }
    }

    pub fn set_available(&mut self, id: &str, available: bool, now: u64) -> Result<(), &'static str> {
        let agent = self.agents.get_mut(id).ok_or("you are not connected to this team")?;
        if available && agent.on_call.is_some() {
            return Err("you are on a call; you become available when it ends");
        }
        if agent.available != available {
            agent.available = available;
            agent.idle_since = available.then_some(now);
        }
        Ok(())
    }

    /// Queues a customer (a customer already waiting keeps their place); returns their position.
    pub fn enqueue(&mut self, sub: &str, label: &str, now: u64) -> usize {
        if let Some(index) = self.queue.iter().position(|w| w.sub == sub) {
            return index + 1;
        }
        self.queue.push(Waiting { sub: sub.to_owned(), label: label.to_owned(), queued_at: now });
        self.queue.len()
    }

    pub fn leave_queue(&mut self, sub: &str) {
        self.queue.retain(|w| w.sub != sub);
    }

    /// Pairs the longest-waiting customer with the longest-idle available agent, if both exist.
    pub fn next_pairing(&mut self) -> Option<Pairing> {
        if self.queue.is_empty() {
            return None;
        }
        let agent_id = self
            .agents
            .iter()
            .filter(|(_, a)| a.available && a.connected && a.on_call.is_none())
            .min_by_key(|(id, a)| (a.idle_since, (*id).clone()))
            .map(|(id, _)| id.clone())?;
        let customer = self.queue.remove(0);
        Some(Pairing { customer, agent_id })
    }

    /// A call started for `agent_id`: they are busy until it ends.
    pub fn call_started(&mut self, summary: CallSummary) {
        if let Some(agent) = self.agents.get_mut(&summary.agent_id) {
            agent.available = false;
            agent.idle_since = None;
            agent.on_call = Some(summary.call_id.clone());
        }
        self.calls.insert(summary.call_id.clone(), summary);
    }

    /// A call's line changed; stale (out-of-order) updates and updates for ended calls are ignored.
    pub fn call_updated(&mut self, summary: &CallSummary) -> bool {
        match self.calls.get_mut(&summary.call_id) {
            Some(line) if line.rev < summary.rev => {
                *line = summary.clone();
                true
            }
            _ => false,
        }
    }

    /// The call ended: its agent is available again (if still connected), idle from now.
    pub fn call_ended(&mut self, call_id: &str, agent_id: &str, now: u64) -> bool {
        let known = self.calls.remove(call_id).is_some();
        if let Some(agent) = self.agents.get_mut(agent_id).filter(|a| a.on_call.as_deref() == Some(call_id)) {
            agent.on_call = None;
            if agent.connected {
                agent.available = true;
                agent.idle_since = Some(now);
            } else {
                self.agents.remove(agent_id);
            }
        }
        known
    }

    pub fn position_of(&self, sub: &str) -> Option<(usize, u64)> {
        self.queue.iter().position(|w| w.sub == sub).map(|i| (i + 1, self.queue[i].queued_at))
    }

    pub fn feed(&self, now: u64) -> TeamFeed {
        TeamFeed {
            team: self.team.clone(),
            consent_required: self.consent_required,
            settings: self.settings.clone(),
            calls: self.calls.values().cloned().collect(),
            agents: self
                .agents
                .iter()
                .map(|(id, a)| AgentLine {
                    id: id.clone(),
                    name: a.name.clone(),
                    available: a.available,
                    on_call: a.on_call.clone(),
                    idle_since: a.idle_since,
                })
                .collect(),
            queue: self
                .queue
                .iter()
                .enumerate()
                .map(|(i, w)| QueueLine { position: i + 1, label: w.label.clone(), queued_at: w.queued_at })
                .collect(),
            longest_wait_ms: self.queue.first().map_or(0, |w| now.saturating_sub(w.queued_at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(call_id: &str, agent_id: &str, rev: u64) -> CallSummary {
        CallSummary {
            call_id: call_id.into(),
            rev,
            agent_id: agent_id.into(),
            agent_name: agent_id.into(),
            agent_connected: false,
            answered: false,
            customer_label: "c".into(),
            customer_connected: false,
            started_at: 0,
            supervisors: vec![],
            help_raised: false,
            consent_required: false,
            consent_given: false,
            recording: false,
            health_flags: vec![],
            secure_pause: None,
        }
    }

    #[test]
    fn the_longest_waiting_customer_gets_the_longest_idle_agent() {
        let mut team = TeamRecord::new("blue", false);
        for id in ["a1", "a2", "a3"] {
            team.agent_connected(id, id, ModeSet::EMPTY);
        }
        team.set_available("a2", true, 100).unwrap();
        team.set_available("a1", true, 200).unwrap();
        assert_eq!(team.enqueue("c1", "C1", 300), 1);
        assert_eq!(team.enqueue("c2", "C2", 310), 2);
        assert_eq!(team.enqueue("c1", "C1", 320), 1, "re-queueing keeps the place");
        let first = team.next_pairing().unwrap();
        assert_eq!((first.customer.sub.as_str(), first.agent_id.as_str()), ("c1", "a2"));
        team.call_started(summary("call-1", "a2", 0));
        let second = team.next_pairing().unwrap();
        assert_eq!((second.customer.sub.as_str(), second.agent_id.as_str()), ("c2", "a1"));
        team.call_started(summary("call-2", "a1", 0));
        team.enqueue("c3", "C3", 400);
        assert_eq!(team.next_pairing(), None, "a3 never said available");
        assert_eq!(team.position_of("c3"), Some((1, 400)));
        assert_eq!(team.feed(1_400).longest_wait_ms, 1_000);
    }

    #[test]
    fn an_agent_on_a_call_is_busy_until_it_ends() {
        let mut team = TeamRecord::new("blue", false);
        team.agent_connected("a1", "A", ModeSet::EMPTY);
        team.call_started(summary("call-1", "a1", 0));
        assert!(team.set_available("a1", true, 10).is_err());
        assert!(team.call_updated(&summary("call-1", "a1", 2)));
        assert!(!team.call_updated(&summary("call-1", "a1", 1)), "a late, older update is ignored");
        assert!(team.call_ended("call-1", "a1", 50));
        assert!(!team.call_updated(&summary("call-1", "a1", 3)), "an ended call does not come back");
        assert_eq!(team.agents["a1"].idle_since, Some(50));
        assert!(team.agents["a1"].available);
    }

    #[test]
    fn call_lines_stay_out_of_the_record_json() {
        let mut team = TeamRecord::new("blue", false);
        team.call_started(summary("call-1", "a1", 0));
        let json = serde_json::to_value(&team).unwrap();
        assert!(json.get("calls").is_none(), "lines are rows of their own");
        let loaded: TeamRecord = serde_json::from_value(json).unwrap();
        assert!(loaded.calls.is_empty(), "the object reads them from their rows");
    }

    #[test]
    fn a_disconnected_agent_takes_no_calls() {
        let mut team = TeamRecord::new("blue", false);
        team.agent_connected("a1", "A", ModeSet::EMPTY);
        team.set_available("a1", true, 0).unwrap();
        team.agent_gone("a1");
        team.enqueue("c1", "C", 1);
        assert_eq!(team.next_pairing(), None);
        assert_eq!(team.queue.len(), 1);
    }
}
