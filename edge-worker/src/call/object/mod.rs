//! The call Durable Object: one per call. A thin shell around [`crate::call`] on the shared
//! [`crate::net::socket_shell`]: it keeps the record in storage, the sockets in the hibernation API
//! (each with its verified identity attached), the audit trail in SQLite, and runs presence on
//! alarms.
//!
//! The record is read from storage once and changed in place: a change copies it once (in
//! [`crate::call::effects::apply`], so a refused change leaves it untouched), and the object writes
//! it when the change says it changed ([`Effects::changed`]).
//!
//! This file is the socket side (arrivals, requests, departures, the alarm, delivering a change's
//! effects); `endpoints.rs` beside it holds the HTTP endpoints and `outbound.rs` what the call tells
//! the team and the archive.
//!
//! Internal endpoints, reachable only through the worker (which verified the token and passes the
//! identity in [`crate::net::sockets::IDENTITY_HEADER`]): `POST /init`, `GET /ws` (upgrade), `GET /audit`,
//! `GET /recording-permit/start` and `GET /recording-permit/upload`.

mod endpoints;
mod outbound;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use earshot_health::FlagTracker;
use earshot_policy::{Party, Role};
use worker::{
    durable_object, DurableObject, Env, Method, Request, Response, Result, State, Stub, WebSocket,
    WebSocketIncomingMessage,
};

use crate::call::audit::{self, AuditLog};
use crate::call::effects::{Effects, Recipient};
use crate::call::lifecycle;
use crate::call::record::CallRecord;
use crate::call::requests;
use crate::config::{now_ms, Timing};
use crate::error::{EdgeError, ProtocolError};
use crate::net::alarm_clock::AlarmClock;
use crate::net::presence::{answer_heartbeats, SocketBook};
use crate::net::record_row::RecordRow;
use crate::net::socket_shell::{self, SocketHost, SocketRequest};
use crate::net::sockets::{self, identity_of, Attachment};
use crate::net::team_link::TeamLink;
use crate::protocol::{CallEvent, CallRequest, Envelope};

/// How long after a failed attempt an ended call's summary is sent to the archive again.
const SUMMARY_RETRY_MS: u64 = 60_000;

/// How far back the context a supervisor gets on opening a call reaches.
const CONTEXT_MS: u64 = 60_000;

#[durable_object]
pub struct CallObject {
    state: State,
    env: Env,
    /// The record, once read from storage (`None` until then, or for a call never created).
    record: RefCell<Option<CallRecord>>,
    book: SocketBook,
    audit_created: Cell<bool>,
    record_created: Cell<bool>,
    team_stub: RefCell<Option<Rc<Stub>>>,
    team_link: TeamLink,
    /// The health-flag tracker, in memory only: samples arrive every second and storing each would
    /// cost a write; the raised flags are in the record, and the tracker resumes from them.
    health: RefCell<Option<FlagTracker>>,
    alarm: AlarmClock,
}

impl DurableObject for CallObject {
    fn new(state: State, env: Env) -> Self {
        answer_heartbeats(&state);
        CallObject {
            state,
            env,
            record: RefCell::new(None),
            book: SocketBook::default(),
            audit_created: Cell::new(false),
            record_created: Cell::new(false),
            team_stub: RefCell::new(None),
            team_link: TeamLink::default(),
            health: RefCell::new(None),
            alarm: AlarmClock::default(),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        socket_shell::respond(match (req.method(), req.path().as_str()) {
            (Method::Post, "/init") => self.init(req).await,
            (Method::Get, "/ws") => return self.upgrade(&req).await,
            (Method::Get, "/audit") => self.audit(&req).await,
            (Method::Get, "/recording-permit/start") => self.recording_permit(&req, true).await,
            (Method::Get, "/recording-permit/upload") => self.recording_permit(&req, false).await,
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
        if !self.loaded().await? {
            return Response::ok("no call");
        }
        let swept = socket_shell::sweep(&self.state, &self.book, now, timing.silence_limit_ms, |_| None);
        if let Some(ended) = self.ended_record() {
            // Only a summary still to be archived sets an alarm on an ended call.
            self.archive_summary(&ended, now).await?;
            return Response::ok("ended");
        }
        let effects = self.with_record(|record| {
            let mut effects = Vec::new();
            for gone in &swept.silent {
                if record.is_current(&gone.identity, gone.conn) {
                    effects.push(lifecycle::depart(record, &gone.identity, now, "heartbeat timeout"));
                }
            }
            effects.extend(requests::pause::expire(record, now));
            effects.extend(lifecycle::expire_grace(record, now, timing.grace_ms));
            effects
        });
        let effects = effects.unwrap_or_default();
        if effects.iter().any(|e| e.changed) {
            self.save()?;
        }
        for effects in effects {
            self.deliver(effects, now).await?;
        }
        self.schedule(now).await?;
        if self.team_link.broken() {
            // The team may have missed the last update written before the link broke.
            if let Some(summary) = self.with_record(|record| record.summary()) {
                self.update_team(&summary, now).await;
            }
        }
        Response::ok("swept")
    }
}

impl SocketRequest for CallRequest {
    fn is_ping(&self) -> bool {
        *self == CallRequest::Ping
    }

    fn changes_state(&self) -> bool {
        CallRequest::changes_state(self)
    }
}

impl SocketHost for CallObject {
    type Request = CallRequest;

    fn book(&self) -> &SocketBook {
        &self.book
    }

    async fn on_request(
        &self,
        _ws: &WebSocket,
        from: &Attachment,
        frame: Envelope<CallRequest>,
        now: u64,
    ) -> std::result::Result<(), ProtocolError> {
        let internal = |e: worker::Error| ProtocolError::Internal(e.to_string());
        if !self.loaded().await.map_err(internal)? {
            return Err(ProtocolError::Internal("call record missing".into()));
        }
        // Taken out and put back before any await, so no borrow spans one.
        let mut health = self.health.take();
        let outcome = self.with_record(|record| {
            // A frame from a socket that is not (or no longer) its participant's current one
            // changes nothing.
            if record.ended.is_some() || !record.is_current(&from.identity, from.conn) {
                return Err(ProtocolError::not_allowed(
                    "this connection is no longer in the call",
                    frame.reference,
                ));
            }
            requests::handle(record, &mut health, &from.identity, frame.body, frame.reference, now)
        });
        self.health.replace(health);
        let effects = outcome.ok_or_else(|| ProtocolError::Internal("call record missing".into()))??;
        let changed = effects.changed;
        if changed {
            self.save().map_err(internal)?;
        }
        self.deliver(effects, now).await.map_err(internal)?;
        if changed {
            // A secure pause just started must end on time even between presence sweeps (cheap:
            // the alarm clock asks storage only when the next alarm moves earlier).
            self.schedule(now).await.map_err(internal)?;
        }
        Ok(())
    }

    /// A socket closed, errored or was closed by us: a departure if it was the current one.
    async fn on_gone(&self, from: &Attachment, why: &str) -> Result<()> {
        if !self.loaded().await? {
            return Ok(());
        }
        let now = now_ms();
        let effects = self.with_record(|record| {
            let present = record.ended.is_none() && record.is_current(&from.identity, from.conn);
            present.then(|| lifecycle::depart(record, &from.identity, now, why))
        });
        let Some(effects) = effects.flatten() else { return Ok(()) };
        self.save()?;
        self.deliver(effects, now).await?;
        self.schedule(now).await
    }
}

impl CallObject {
    /// Brings the stored record into memory once; whether the call exists.
    async fn loaded(&self) -> Result<bool> {
        if self.record.borrow().is_none() {
            let stored: Option<CallRecord> = self.record_row()?.read()?;
            self.record.replace(stored);
        }
        Ok(self.record.borrow().is_some())
    }

    /// Runs `f` on the record in memory (`None` if there is none). Synchronous, so no other request
    /// runs while the record is borrowed.
    fn with_record<R>(&self, f: impl FnOnce(&mut CallRecord) -> R) -> Option<R> {
        self.record.borrow_mut().as_mut().map(f)
    }

    /// A copy of an ended call's record, for the summary the archive still needs (once per call).
    fn ended_record(&self) -> Option<CallRecord> {
        self.record.borrow().as_ref().filter(|record| record.ended.is_some()).cloned()
    }

    /// Writes the record in memory to its row. Synchronous SQL: nothing runs between the change and
    /// the write. If the write fails, the record is read again from storage next time.
    fn save(&self) -> Result<()> {
        let written = match self.record.borrow().as_ref() {
            Some(record) => self.record_row().and_then(|row| row.write(record)),
            None => Ok(()),
        };
        if written.is_err() {
            self.record.replace(None);
        }
        written
    }

    fn record_row(&self) -> Result<RecordRow> {
        RecordRow::open(self.state.storage().sql(), &self.record_created)
    }

    fn audit_log(&self) -> Result<AuditLog> {
        AuditLog::open(self.state.storage().sql(), &self.audit_created)
    }

    async fn upgrade(&self, req: &Request) -> Result<Response> {
        let identity = match identity_of(req) {
            Ok(identity) => identity,
            Err(err) => return sockets::refuse_upgrade(&err),
        };
        if !self.loaded().await? {
            return sockets::refuse_upgrade(&EdgeError::NotFound);
        }
        let now = now_ms();
        // Admission, the new session and the arrival in one step on the record: the supervisor's
        // arrival the policy allowed at admission is applied as decided, not authorized again.
        let admitted = self.with_record(|record| {
            let admission = record.admit(&identity)?;
            let conn = record.open_session(&identity);
            let welcome = CallEvent::Welcome {
                call_id: record.init.call_id.clone(),
                you: identity.sub.clone(),
                role: identity.role,
                heartbeat_ms: Timing::from_env(&self.env).heartbeat_ms,
            };
            let effects = lifecycle::join(record, &identity, admission);
            let context = (record.health_flags.clone(), record.supervisor_names.clone());
            Ok::<_, EdgeError>((conn, welcome, effects, context))
        });
        let (conn, welcome, effects, (flags, names)) = match admitted {
            Some(Ok(admitted)) => admitted,
            Some(Err(err)) => return sockets::refuse_upgrade(&err),
            None => return sockets::refuse_upgrade(&EdgeError::NotFound),
        };
        let key = |who: &crate::auth::identity::Identity| who.party().key();
        let accepted =
            socket_shell::accept(&self.state, &self.book, &identity, conn, key, Some(identity.role.name()));
        let pair = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                self.record.replace(None); // the session above was never stored: read storage again
                return Err(err);
            }
        };
        sockets::send(&pair.server, &welcome);
        self.save()?;
        self.deliver(effects, now).await?;
        if identity.role == Role::Supervisor {
            let since = now.saturating_sub(CONTEXT_MS);
            let events = self.audit_log()?.context_since(since)?;
            sockets::send(&pair.server, &CallEvent::Context { since, events, flags, names });
        }
        self.schedule(now).await?;
        sockets::upgrade_response(pair.client)
    }

    /// Carries out a change's effects: audit rows first (so nothing is announced unrecorded), then
    /// events in order, then closes, then the team feed. A socket just replaced by its owner's newer
    /// one may still see an event while it closes; it belongs to the same participant.
    async fn deliver(&self, effects: Effects, now: u64) -> Result<()> {
        let mut context = Vec::new();
        if !effects.audit.is_empty() {
            let log = self.audit_log()?;
            for entry in &effects.audit {
                let row = log.append(now, entry)?;
                if audit::is_context(&row) {
                    context.push(row);
                }
            }
        }
        // The supervisors' panel of the call follows it live (never the agent's or customer's),
        // ahead of the change's own events.
        let context_added = (!context.is_empty())
            .then_some((Recipient::Supervisors, CallEvent::ContextAdded { events: context }));
        for (recipient, event) in context_added.iter().chain(&effects.events) {
            let Ok(text) = serde_json::to_string(event) else { continue };
            for ws in self.sockets_of(recipient) {
                sockets::send_text(&ws, &text);
            }
        }
        for (recipient, code, reason) in &effects.closes {
            for ws in self.sockets_of(recipient) {
                match Attachment::of(&ws) {
                    Some(attachment) => {
                        sockets::close_tracked(&ws, &self.book, attachment.conn, *code, reason)
                    }
                    None => sockets::close(&ws, *code, reason),
                }
            }
        }
        if let Some(summary) = effects.summary {
            self.update_team(&summary, now).await;
        }
        if effects.ended {
            let Some(record) = self.ended_record() else { return Ok(()) };
            let ended =
                serde_json::json!({ "call_id": record.init.call_id, "agent_id": record.init.agent_id });
            self.tell_team("/call-ended", ended.to_string()).await;
            self.team_link.close();
            self.state.storage().delete_alarm().await?;
            self.alarm.none_since(now);
            self.archive_summary(&record, now).await?;
        }
        Ok(())
    }

    /// The sockets an event for `recipient` goes to.
    fn sockets_of(&self, recipient: &Recipient) -> Vec<WebSocket> {
        // Each socket is accepted with its role as its tag: finding a recipient by tag spares reading
        // and parsing every socket's attachment for every event (a measurable share of a switch).
        let tagged = |role: Role| self.state.get_websockets_with_tag(role.name());
        match recipient {
            Recipient::Party(Party::Agent) => tagged(Role::Agent),
            Recipient::Party(Party::Customer) => tagged(Role::Customer),
            Recipient::Supervisors => tagged(Role::Supervisor),
            Recipient::Party(Party::Supervisor(id)) => tagged(Role::Supervisor)
                .into_iter()
                .filter(|ws| Attachment::of(ws).is_some_and(|a| a.identity.sub == *id))
                .collect(),
            Recipient::Colleagues => [tagged(Role::Agent), tagged(Role::Supervisor)].concat(),
            Recipient::Everyone => self.state.get_websockets(),
        }
    }

    /// Keeps the presence alarm running while anyone is connected, a grace period runs or a secure
    /// pause waits to end by itself.
    async fn schedule(&self, now: u64) -> Result<()> {
        let timing = Timing::from_env(&self.env);
        let running = self.with_record(|record| {
            record.ended.is_none().then(|| {
                let deadlines =
                    [lifecycle::grace_deadline(record, timing.grace_ms), requests::pause::deadline(record)];
                deadlines.into_iter().flatten().min()
            })
        });
        let Some(deadline) = running.flatten() else { return Ok(()) };
        let mut next = None;
        if !self.state.get_websockets().is_empty() {
            next = Some(now + timing.sweep_ms());
        }
        if let Some(deadline) = deadline {
            next = Some(next.map_or(deadline, |n: u64| n.min(deadline)));
        }
        let Some(next) = next else { return Ok(()) };
        self.alarm.by(&self.state.storage(), next, now).await
    }
}
