//! The team Durable Object: one per team. Holds agents' availability, the customer queue and the
//! live-call lines, assigns queued customers to agents, creates call objects, and pushes the console
//! feed to the team's supervisors: at once for team changes, paced ([`crate::team::feed_pacer`]) for the
//! stream of call-line updates. The record is one JSON value; call lines are SQLite rows
//! ([`crate::team::lines`]), so a mode switch writes one small row.
//!
//! Internal endpoints (through the worker only): `GET /ws` (upgrade), `POST /create-call` (an
//! agent's link call), and, from call objects, `GET /call-link` (an upgrade: the standing socket
//! that carries the call's line updates, [`crate::net::team_link`]), `POST /call-update` (the same update
//! when the link is down) and `POST /call-ended`.

use std::cell::{Cell, RefCell};

use earshot_policy::Role;
use serde::Deserialize;
use worker::{
    durable_object, DurableObject, Env, Method, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

use crate::auth::identity::Identity;
use crate::call::record::{CallInit, CallRecord};
use crate::call::views::CallSummary;
use crate::config::{default_consent_required, now_ms, Timing};
use crate::error::{close, EdgeError, ProtocolError};
use crate::net::alarm_clock::AlarmClock;
use crate::net::archive;
use crate::net::presence::{answer_heartbeats, SocketBook};
use crate::net::record_row::RecordRow;
use crate::net::socket_shell::{self, SocketHost, SocketRequest};
use crate::net::sockets::{self, identity_of, Attachment};
use crate::net::team_link::LINK_PATH;
use crate::protocol::Envelope;
use crate::team::feed_pacer::{FeedPacer, Pace};
use crate::team::lines::CallLines;
use crate::team::protocol::{TeamEvent, TeamRequest};
use crate::team::state::TeamRecord;

/// Body of `POST /create-call`.
#[derive(Debug, Deserialize)]
pub struct CreateCall {
    #[serde(default)]
    pub customer_label: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CallEnded {
    call_id: String,
    agent_id: String,
}

#[durable_object]
pub struct TeamObject {
    state: State,
    env: Env,
    record: RefCell<Option<TeamRecord>>,
    book: SocketBook,
    pacer: RefCell<FeedPacer>,
    lines_created: Cell<bool>,
    record_created: Cell<bool>,
    /// Calls whose line changed since the last push; their rows are written with it.
    unsaved_lines: RefCell<Vec<String>>,
    alarm: AlarmClock,
}

impl DurableObject for TeamObject {
    fn new(state: State, env: Env) -> Self {
        answer_heartbeats(&state);
        TeamObject {
            state,
            env,
            record: RefCell::new(None),
            book: SocketBook::default(),
            pacer: RefCell::new(FeedPacer::default()),
            lines_created: Cell::new(false),
            record_created: Cell::new(false),
            unsaved_lines: RefCell::new(Vec::new()),
            alarm: AlarmClock::default(),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        socket_shell::respond(match (req.method(), req.path().as_str()) {
            (Method::Get, "/ws") => return self.upgrade(&req).await,
            (Method::Get, LINK_PATH) => return self.accept_link(),
            (Method::Post, "/create-call") => self.create_call(req).await,
            (Method::Post, "/call-update") => self.posted_update(req).await,
            (Method::Post, "/call-ended") => self.call_ended(req).await,
            _ => Err(EdgeError::NotFound),
        })
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        socket_shell::message(self, &ws, message).await
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        socket_shell::closed(self, &ws).await
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        socket_shell::failed(self, &ws).await
    }

    async fn alarm(&self) -> Result<Response> {
        let now = now_ms();
        self.alarm.none_since(now);
        let timing = Timing::from_env(&self.env);
        // This runs at every paced feed push too, so the record is only cloned for a change.
        self.loaded().await?;
        let swept = {
            let record = self.record.borrow();
            // Assigned to a call: the queue socket's job is done.
            let handed_off = |a: &Attachment| {
                let handed_off = record.as_ref().is_some_and(|r| r.handed_off.contains(&a.conn));
                handed_off.then_some((close::NORMAL, "assigned"))
            };
            socket_shell::sweep(&self.state, &self.book, now, timing.silence_limit_ms, handed_off)
        };
        if !swept.retired.is_empty() {
            if let Some(mut record) = self.existing().await? {
                record.handed_off.retain(|conn| swept.retired.iter().all(|a| a.conn != *conn));
                self.store(&record).await?;
            }
        }
        for gone in &swept.silent {
            self.on_gone(gone, "heartbeat timeout").await?;
        }
        if self.assign(now).await? {
            self.assigned(now).await?;
        }
        let owed = self.pacer.borrow().on_alarm(now);
        match owed {
            Some(Pace::Now) => self.push_feed(now)?,
            Some(Pace::At(at)) => self.alarm_by(at, now).await?,
            Some(Pace::Pending) | None => {}
        }
        if !self.state.get_websockets().is_empty() {
            self.alarm_by(now + timing.sweep_ms(), now).await?;
        }
        Response::ok("swept")
    }
}

impl SocketRequest for TeamRequest {
    fn is_ping(&self) -> bool {
        *self == TeamRequest::Ping
    }

    /// Every team request but a ping changes the team (and is pushed to every console).
    fn changes_state(&self) -> bool {
        !self.is_ping()
    }
}

impl SocketHost for TeamObject {
    type Request = TeamRequest;

    fn book(&self) -> &SocketBook {
        &self.book
    }

    /// A member's request (the shell answered pings and charged the rate limit).
    async fn on_request(
        &self,
        ws: &WebSocket,
        from: &Attachment,
        frame: Envelope<TeamRequest>,
        now: u64,
    ) -> std::result::Result<(), ProtocolError> {
        let reference = frame.reference;
        let internal = |e: worker::Error| ProtocolError::Internal(e.to_string());
        let who = &from.identity;
        self.loaded().await.map_err(internal)?;
        // Checked on the cached record, before it is copied: only a member's current socket acts.
        let key = who.member_key();
        let current = self.record.borrow().as_ref().is_some_and(|r| r.sessions.get(&key) == Some(&from.conn));
        if !current {
            return Err(ProtocolError::not_allowed("this connection is no longer the team's", reference));
        }
        let mut record = self.load(&who.team).await.map_err(internal)?;
        let settings_change =
            matches!(frame.body, TeamRequest::SetConsentRequired { .. } | TeamRequest::SetSettings { .. });
        if settings_change && who.role != Role::Supervisor {
            return Err(ProtocolError::not_allowed("only supervisors change team settings", reference));
        }
        match frame.body {
            // The socket shell answers pings before the record is read; one reaching here changes
            // nothing.
            TeamRequest::Ping => return Ok(()),
            TeamRequest::SetAvailable { available } => {
                if who.role != Role::Agent {
                    return Err(ProtocolError::not_allowed("only agents set availability", reference));
                }
                record
                    .set_available(&who.sub, available, now)
                    .map_err(|detail| ProtocolError::Invalid { detail: detail.into(), reference })?;
            }
            TeamRequest::SetConsentRequired { required } => record.consent_required = required,
            TeamRequest::SetSettings { settings } => {
                settings.validate().map_err(|detail| ProtocolError::Invalid { detail, reference })?;
                if settings.retention_days != record.settings.retention_days {
                    // Retention applies to the recordings the team already has, not only new ones.
                    let days = u64::from(settings.retention_days);
                    let span_ms = days.saturating_mul(crate::config::retention_day_ms(&self.env));
                    let body = serde_json::json!({ "span_ms": span_ms });
                    archive::notify(&self.env, "/internal/retention", &record.team, &body)
                        .await
                        .map_err(|err| ProtocolError::Internal(err.to_string()))?;
                }
                record.settings = settings;
            }
        }
        if let Some(reference) = reference {
            sockets::send(ws, &TeamEvent::Ack { reference });
        }
        self.store(&record).await.map_err(internal)?;
        if self.assign(now).await.map_err(internal)? {
            return self.assigned(now).await.map_err(internal);
        }
        self.broadcast(&record, now).map_err(internal)?;
        Ok(())
    }

    async fn on_gone(&self, from: &Attachment, _why: &str) -> Result<()> {
        let Some(mut record) = self.existing().await? else { return Ok(()) };
        let key = from.identity.member_key();
        if record.sessions.get(&key) != Some(&from.conn) {
            return Ok(());
        }
        record.sessions.remove(&key);
        match from.identity.role {
            Role::Agent => record.agent_gone(&from.identity.sub),
            Role::Customer => record.leave_queue(&from.identity.sub),
            Role::Supervisor => {}
        }
        self.store(&record).await?;
        self.broadcast(&record, now_ms())?;
        Ok(())
    }

    /// Members' sockets always carry their identity: one without is a call's link.
    async fn on_unattributed(&self, ws: &WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        self.on_link_frame(ws, message).await
    }
}

impl TeamObject {
    async fn load(&self, team: &str) -> Result<TeamRecord> {
        if !self.loaded().await? {
            let record = TeamRecord::new(team, default_consent_required(&self.env));
            self.record.replace(Some(record));
        }
        Ok(self.record.borrow().clone().expect("just loaded"))
    }

    /// The record of a team that must already exist (requests from call objects name no team).
    async fn existing(&self) -> Result<Option<TeamRecord>> {
        self.loaded().await?;
        Ok(self.record.borrow().clone())
    }

    /// Brings the stored record (and its call lines) into memory once; whether the team exists.
    async fn loaded(&self) -> Result<bool> {
        if self.record.borrow().is_none() {
            let stored: Option<TeamRecord> =
                RecordRow::open(self.state.storage().sql(), &self.record_created)?.read()?;
            let Some(mut record) = stored else { return Ok(false) };
            for line in self.lines()?.all()? {
                record.calls.insert(line.call_id.clone(), line);
            }
            self.record.replace(Some(record));
        }
        Ok(true)
    }

    /// Stores the record; call lines are written where they change (see [`CallLines`]). Synchronous
    /// SQL, so nothing else can run between the write and the cache update.
    async fn store(&self, record: &TeamRecord) -> Result<()> {
        RecordRow::open(self.state.storage().sql(), &self.record_created)?.write(record)?;
        self.record.replace(Some(record.clone()));
        Ok(())
    }

    fn lines(&self) -> Result<CallLines> {
        CallLines::open(self.state.storage().sql(), &self.lines_created)
    }

    /// Makes sure an alarm fires by `at`: an earlier one still to come is kept (it runs every
    /// duty: sweep, assignment, paced feed).
    async fn alarm_by(&self, at: u64, now: u64) -> Result<()> {
        self.alarm.by(&self.state.storage(), at, now).await
    }

    async fn upgrade(&self, req: &Request) -> Result<Response> {
        let identity = match identity_of(req) {
            Ok(identity) => identity,
            Err(err) => return sockets::refuse_upgrade(&err),
        };
        let now = now_ms();
        let mut record = self.load(&identity.team).await?;
        if identity.team != record.team {
            return sockets::refuse_upgrade(&EdgeError::Forbidden("this is another team".into()));
        }
        let conn = record.next_conn;
        record.next_conn += 1;
        record.sessions.insert(identity.member_key(), conn);
        let pair =
            socket_shell::accept(&self.state, &self.book, &identity, conn, Identity::member_key, None)?;
        let timing = Timing::from_env(&self.env);
        sockets::send(
            &pair.server,
            &TeamEvent::Welcome {
                team: record.team.clone(),
                you: identity.sub.clone(),
                role: identity.role,
                heartbeat_ms: timing.heartbeat_ms,
            },
        );
        match identity.role {
            Role::Agent => record.agent_connected(&identity.sub, &identity.name, identity.exemptions),
            Role::Customer => {
                record.enqueue(&identity.sub, &identity.name, now);
            }
            Role::Supervisor => {}
        }
        self.store(&record).await?;
        self.broadcast(&record, now)?;
        // Assignment runs in the alarm, right after this upgrade has completed: it calls another
        // object, and a socket must not be handed its call before its own 101 response is out.
        self.alarm_by(now + 10, now).await?;
        sockets::upgrade_response(pair.client)
    }

    /// Pairs queued customers with idle agents while both exist: creates each call object, rings
    /// the agent and hands the customer their call id. Works on the cached record and never holds it
    /// across the call-object request, so updates arriving meanwhile are not overwritten; returns
    /// whether it changed anything (the caller stores and broadcasts).
    async fn assign(&self, now: u64) -> Result<bool> {
        let mut changed = false;
        let mut handed_off = false;
        loop {
            let next = {
                let mut cache = self.record.borrow_mut();
                let Some(record) = cache.as_mut() else { break };
                let Some(pairing) = record.next_pairing() else { break };
                let agent = &record.agents[&pairing.agent_id];
                let init = CallInit {
                    call_id: self.env.durable_object("CALLS")?.unique_id()?.to_string(),
                    team: record.team.clone(),
                    agent_id: pairing.agent_id.clone(),
                    agent_name: agent.name.clone(),
                    agent_exempt_from: agent.exemptions,
                    consent_required: record.consent_required,
                    settings: record.settings.clone(),
                    customer_label: pairing.customer.label.clone(),
                    customer_sub: Some(pairing.customer.sub.clone()),
                    started_at: now,
                };
                (init, pairing)
            };
            let (init, pairing) = next;
            let summary = match create_call_object(&self.env, &init).await {
                Ok(summary) => summary,
                Err(err) => {
                    // The customer keeps their place at the head of the queue.
                    if let Some(record) = self.record.borrow_mut().as_mut() {
                        record.queue.insert(0, pairing.customer);
                    }
                    return Err(err);
                }
            };
            self.lines()?.put_all(&[&summary])?;
            changed = true;
            let mut cache = self.record.borrow_mut();
            let Some(record) = cache.as_mut() else { break };
            record.call_started(summary);
            for ws in self.state.get_websockets() {
                let Some(a) = Attachment::of(&ws) else { continue };
                if a.identity.role == Role::Agent && a.identity.sub == pairing.agent_id {
                    let ring = TeamEvent::Ring {
                        call_id: init.call_id.clone(),
                        customer_label: init.customer_label.clone(),
                    };
                    sockets::send(&ws, &ring);
                } else if a.identity.role == Role::Customer && a.identity.sub == pairing.customer.sub {
                    sockets::send(&ws, &TeamEvent::Assigned { call_id: init.call_id.clone() });
                    record.sessions.remove(&a.identity.member_key());
                    record.handed_off.push(a.conn);
                    handed_off = true;
                }
            }
        }
        // The customer's queue socket is closed by the next sweep, not here: a socket being
        // upgraded right now cannot be closed before its 101 response has gone out.
        if handed_off {
            self.alarm_by(now + 200, now).await?;
        }
        Ok(changed)
    }

    /// Stores and pushes the cached record after [`Self::assign`] changed it.
    async fn assigned(&self, now: u64) -> Result<()> {
        if let Some(record) = self.existing().await? {
            self.store(&record).await?;
            self.broadcast(&record, now)?;
        }
        Ok(())
    }

    /// Pushes everybody's view at once: the feed to supervisors, own status to agents, place to
    /// customers.
    fn broadcast(&self, record: &TeamRecord, now: u64) -> Result<()> {
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

    async fn create_call(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        let identity = identity_of(&req)?;
        if identity.role != Role::Agent {
            return Err(EdgeError::Forbidden("only agents create calls".into()));
        }
        let body: CreateCall =
            sockets::json_body(&mut req).await.unwrap_or(CreateCall { customer_label: None });
        let now = now_ms();
        let record = self.load(&identity.team).await?;
        if let Some(call) = record.agents.get(&identity.sub).and_then(|a| a.on_call.clone()) {
            return Err(EdgeError::Conflict(format!("you are already on call {call}")));
        }
        let label: String =
            body.customer_label.unwrap_or_else(|| "Customer".into()).chars().take(64).collect();
        let init = CallInit {
            call_id: self.env.durable_object("CALLS")?.unique_id()?.to_string(),
            team: identity.team.clone(),
            agent_id: identity.sub.clone(),
            agent_name: identity.name.clone(),
            agent_exempt_from: identity.exemptions,
            consent_required: record.consent_required,
            settings: record.settings.clone(),
            customer_label: label,
            customer_sub: None,
            started_at: now,
        };
        let summary = create_call_object(&self.env, &init).await?;
        // Other requests ran while the call object was created (other agents' calls, line updates):
        // continue from the record as it is now, not the copy from before.
        let mut record = self.load(&identity.team).await?;
        // An agent who creates a call without a team socket is tracked (disconnected) for the call.
        record.agents.entry(identity.sub.clone()).or_insert_with(|| crate::team::state::AgentState {
            name: identity.name.clone(),
            exemptions: identity.exemptions,
            available: false,
            on_call: None,
            idle_since: None,
            connected: false,
        });
        self.lines()?.put_all(&[&summary])?;
        record.call_started(summary);
        self.store(&record).await?;
        self.broadcast(&record, now)?;
        let body = serde_json::json!({
            "call_id": init.call_id,
            "customer_path": format!("/customer.html?call={}", init.call_id),
        });
        Ok(Response::from_json(&body)?.with_status(201))
    }

    /// A call's line changed: the feed is paced, and the row is written with the push that carries
    /// it, all changed rows in one statement. The hot path of every mode switch, so the record is
    /// updated in place, never cloned or rewritten whole.
    /// Accepts a call object's link (internal path: only call objects reach it).
    fn accept_link(&self) -> Result<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        Response::from_websocket(pair.client)
    }

    /// A frame on a call's link: the call's line, as `POST /call-update` would carry it. A frame
    /// that is not one means the socket is not a link after all (a member's socket whose identity
    /// was lost): it is closed.
    async fn on_link_frame(&self, ws: &WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        let summary = match &message {
            WebSocketIncomingMessage::String(text) => serde_json::from_str(text).ok(),
            WebSocketIncomingMessage::Binary(_) => None,
        };
        let Some(summary) = summary else {
            sockets::close_unattributed(ws);
            return Ok(());
        };
        if let Err(err) = self.call_update(summary).await {
            worker::console_error!("call line update failed: {err}");
        }
        Ok(())
    }

    async fn posted_update(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        self.call_update(sockets::json_body(&mut req).await?).await?;
        Ok(Response::empty()?.with_status(204))
    }

    /// A call's line changed: the feed goes out now or at its pace.
    async fn call_update(&self, summary: CallSummary) -> std::result::Result<(), EdgeError> {
        if !self.loaded().await? {
            return Ok(());
        }
        let changed = self.record.borrow_mut().as_mut().is_some_and(|record| record.call_updated(&summary));
        if changed {
            self.mark_unsaved(summary.call_id);
            let now = now_ms();
            let pace = self.pacer.borrow_mut().changed(now);
            match pace {
                Pace::Now => self.push_feed(now)?,
                Pace::At(at) => self.alarm_by(at, now).await?,
                Pace::Pending => {}
            }
        }
        Ok(())
    }

    /// Sends the current feed to the team's supervisors (built only if one is connected).
    fn push_feed(&self, now: u64) -> Result<()> {
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

    fn mark_unsaved(&self, call_id: String) {
        let mut unsaved = self.unsaved_lines.borrow_mut();
        if !unsaved.contains(&call_id) {
            unsaved.push(call_id);
        }
    }

    /// Writes the rows of lines changed since the last push. Until then a line lives in memory only:
    /// if the object were lost in those ≤ 250 ms, the call's next update would bring it back.
    fn save_lines(&self, record: &TeamRecord) -> Result<()> {
        let unsaved = std::mem::take(&mut *self.unsaved_lines.borrow_mut());
        let lines: Vec<&CallSummary> = unsaved.iter().filter_map(|id| record.calls.get(id)).collect();
        self.lines()?.put_all(&lines)
    }

    /// The sockets that are their member's current session (not replaced, not handed off).
    fn current_sockets(&self, record: &TeamRecord) -> Vec<(WebSocket, Attachment)> {
        let current = |a: &Attachment| record.sessions.get(&a.identity.member_key()) == Some(&a.conn);
        let sockets = self.state.get_websockets().into_iter();
        sockets.filter_map(|ws| Attachment::of(&ws).filter(current).map(|a| (ws, a))).collect()
    }

    async fn call_ended(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        let ended: CallEnded = sockets::json_body(&mut req).await?;
        if let Some(mut record) = self.existing().await? {
            let now = now_ms();
            record.call_ended(&ended.call_id, &ended.agent_id, now);
            self.lines()?.remove(&ended.call_id)?;
            self.store(&record).await?;
            if self.assign(now).await? {
                self.assigned(now).await?;
            } else {
                self.broadcast(&record, now)?;
            }
        }
        Ok(Response::empty()?.with_status(204))
    }
}

/// Creates the call object for `init`; returns its first team-feed line.
async fn create_call_object(env: &Env, init: &CallInit) -> Result<CallSummary> {
    let stub = env.durable_object("CALLS")?.id_from_string(&init.call_id)?.get_stub()?;
    let body = serde_json::to_string(init)?;
    let request = sockets::internal_request("https://call/init", "POST", &[], Some(body.into()))?;
    let response = stub.fetch_with_request(request).await?;
    if response.status_code() >= 300 {
        return Err(worker::Error::RustError(format!(
            "call object refused init: {}",
            response.status_code()
        )));
    }
    Ok(CallRecord::new(init.clone()).summary())
}

fn feed_text(record: &TeamRecord, now: u64) -> String {
    serde_json::to_string(&TeamEvent::Feed(record.feed(now))).unwrap_or_default()
}
