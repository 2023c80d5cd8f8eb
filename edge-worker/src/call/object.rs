//! The call Durable Object: one per call. A thin shell around [`crate::call`]: it keeps the record
//! in storage, the sockets in the hibernation API (each with its verified identity attached), the
//! audit trail in SQLite, and runs presence on alarms.
//!
//! Internal endpoints, reachable only through the worker (which verified the token and passes the
//! identity in [`crate::net::sockets::IDENTITY_HEADER`]): `POST /init`, `GET /ws` (upgrade), `GET /audit`,
//! `GET /recording-permit/start` and `GET /recording-permit/upload`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use earshot_health::FlagTracker;
use earshot_policy::Role;
use earshot_wire::body::json_body;
use earshot_wire::call_end::{summary_path, CallEnd};
use earshot_wire::recording::TakePermit;
use worker::{
    durable_object, DurableObject, Env, Method, Request, Response, Result, State, Stub, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

use crate::call::audit::{self, AuditLog};
use crate::call::effects::{Effects, Recipient};
use crate::call::lifecycle;
use crate::call::record::{participant_key, CallInit, CallRecord};
use crate::call::recording_rules::{self, RecordingFacts};
use crate::call::requests;
use crate::call::views::CallSummary;
use crate::config::{self, now_ms, Timing};
use crate::error::{close, EdgeError, ProtocolError};
use crate::net::alarm_clock::AlarmClock;
use crate::net::archive;
use crate::net::presence::{answer_heartbeats, last_heartbeat, SocketBook};
use crate::net::record_row::RecordRow;
use crate::net::sockets::{self, identity_of, stored_json, Attachment};
use crate::net::team_link::TeamLink;
use crate::protocol::{parse_request, CallEvent, CallRequest};

/// How long after a failed attempt an ended call's summary is sent to the archive again.
const SUMMARY_RETRY_MS: u64 = 60_000;

const LEGACY_RECORD_KEY: &str = "record";
/// How far back the context a supervisor gets on opening a call reaches.
const CONTEXT_MS: u64 = 60_000;

#[durable_object]
pub struct CallObject {
    state: State,
    env: Env,
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
        let outcome = match (req.method(), req.path().as_str()) {
            (Method::Post, "/init") => self.init(req).await,
            (Method::Get, "/ws") => return self.upgrade(&req).await,
            (Method::Get, "/audit") => self.audit(&req).await,
            (Method::Get, "/recording-permit/start") => self.recording_permit(&req, true).await,
            (Method::Get, "/recording-permit/upload") => self.recording_permit(&req, false).await,
            _ => Err(EdgeError::NotFound),
        };
        outcome.or_else(|err| Ok(Response::from_json(&err.body())?.with_status(err.status())))
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        if self.book.is_closed(&ws) {
            return Ok(()); // from a socket this object closed: dropped unread
        }
        let Some(attachment) = Attachment::of(&ws) else {
            sockets::close_unattributed(&ws);
            return Ok(());
        };
        let now = now_ms();
        let Some(screened) = sockets::screen(&self.book, attachment.conn, now, message) else {
            return Ok(()); // from a socket this object closed: dropped unread
        };
        let outcome = match screened {
            Ok(text) => self.on_text(&ws, &attachment, &text, now).await,
            Err(error) => Err(error),
        };
        if let Err(error) = outcome {
            if sockets::report(&ws, &self.book, attachment.conn, &error) {
                self.on_gone(&attachment, &format!("closed: {}", error.code())).await?;
            }
        }
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        if let Some(attachment) = Attachment::of(&ws) {
            self.on_gone(&attachment, "disconnected").await?;
            self.book.forget(attachment.conn);
        }
        sockets::close(&ws, close::NORMAL, "bye");
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        if let Some(attachment) = Attachment::of(&ws) {
            self.on_gone(&attachment, "connection error").await?;
            self.book.forget(attachment.conn);
        }
        Ok(())
    }

    async fn alarm(&self) -> Result<Response> {
        let now = now_ms();
        self.alarm.none_since(now);
        let timing = Timing::from_env(&self.env);
        let Some(mut record) = self.load().await? else { return Response::ok("no call") };
        let mut effects = Vec::new();
        let mut live = Vec::new();
        for ws in self.state.get_websockets() {
            let Some(attachment) = Attachment::of(&ws) else { continue };
            live.push(attachment.conn);
            if self.book.silent_for(attachment.conn, now, last_heartbeat(&self.state, &ws))
                > timing.silence_limit_ms
            {
                sockets::close_tracked(
                    &ws,
                    &self.book,
                    attachment.conn,
                    close::HEARTBEAT_TIMEOUT,
                    "no heartbeat",
                );
                if record.is_current(&attachment.identity, attachment.conn) {
                    effects.push(lifecycle::depart(
                        &mut record,
                        &attachment.identity,
                        now,
                        "heartbeat timeout",
                    ));
                }
            }
        }
        self.book.keep_only(&live);
        if record.ended.is_some() {
            // Only a summary still to be archived sets an alarm on an ended call.
            self.archive_summary(&record, now).await?;
            return Response::ok("ended");
        }
        effects.extend(lifecycle::expire_grace(&mut record, now, timing.grace_ms));
        self.store(&record).await?;
        for effect in effects {
            self.deliver(&record, effect, now).await?;
        }
        self.schedule(&record, now).await?;
        if self.team_link.broken() {
            // The team may have missed the last update written before the link broke.
            self.update_team(&record.init.team, &record.summary(), now).await;
        }
        Response::ok("swept")
    }
}

impl CallObject {
    /// A copy of the record to change (read from storage the first time).
    async fn load(&self) -> Result<Option<CallRecord>> {
        self.loaded().await?;
        Ok(self.record.borrow().clone())
    }

    /// Brings the stored record into memory once; whether the call exists.
    async fn loaded(&self) -> Result<bool> {
        if self.record.borrow().is_none() {
            let mut stored: Option<CallRecord> = self.record_row()?.read()?;
            if stored.is_none() {
                // Calls created before the record moved to its SQL row kept it under a storage key.
                stored = stored_json(&self.state, LEGACY_RECORD_KEY).await?;
            }
            self.record.replace(stored);
        }
        Ok(self.record.borrow().is_some())
    }

    async fn store(&self, record: &CallRecord) -> Result<()> {
        if self.record.borrow().as_ref() == Some(record) {
            return Ok(());
        }
        self.record_row()?.write(record)?;
        self.record.replace(Some(record.clone()));
        Ok(())
    }

    fn record_row(&self) -> Result<RecordRow> {
        RecordRow::open(self.state.storage().sql(), &self.record_created)
    }

    fn audit_log(&self) -> Result<AuditLog> {
        AuditLog::open(self.state.storage().sql(), &self.audit_created)
    }

    async fn init(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        let init: CallInit = json_body(&mut req).await?;
        if let Some(existing) = self.load().await? {
            // Idempotent: the team object may retry.
            return Ok(Response::from_json(&existing.summary())?);
        }
        let record = CallRecord::new(init);
        self.audit_log()?;
        self.store(&record).await?;
        Ok(Response::from_json(&record.summary())?.with_status(201))
    }

    async fn audit(&self, req: &Request) -> std::result::Result<Response, EdgeError> {
        let identity = identity_of(req)?;
        let record = self.load().await?.ok_or(EdgeError::NotFound)?;
        if identity.role != Role::Supervisor || identity.team != record.init.team {
            return Err(EdgeError::Forbidden(
                "only supervisors of the call's team read its audit trail".into(),
            ));
        }
        let rows = self.audit_log()?.read()?;
        Ok(Response::from_json(&serde_json::json!({ "call_id": record.init.call_id, "rows": rows }))?)
    }

    /// Whether the caller may start a recording take (`start`) or upload to one now; the worker asks
    /// before passing the request to the archive. A permit to start describes the new take.
    async fn recording_permit(&self, req: &Request, start: bool) -> std::result::Result<Response, EdgeError> {
        let who = identity_of(req)?;
        let record = self.load().await?.ok_or(EdgeError::NotFound)?;
        let log = self.audit_log()?;
        let facts = RecordingFacts::of(&record, log.last_at(&["recording", "end"])?);
        if !start {
            recording_rules::may_upload(&facts, &who, now_ms())?;
            return Ok(Response::empty()?);
        }
        recording_rules::may_start(&facts, &who)?;
        let retention_ms =
            u64::from(facts.retention_days).saturating_mul(config::retention_day_ms(&self.env));
        let permit =
            TakePermit { agent_id: facts.agent_id, include_whisper: facts.include_whisper, retention_ms };
        Ok(Response::from_json(&permit)?)
    }

    async fn upgrade(&self, req: &Request) -> Result<Response> {
        let admitted = async {
            let identity = identity_of(req)?;
            let record = self.load().await?.ok_or(EdgeError::NotFound)?;
            record.admit(&identity)?;
            Ok::<_, EdgeError>((identity, record))
        };
        let (identity, mut record) = match admitted.await {
            Ok(admitted) => admitted,
            Err(err) => return sockets::refuse_upgrade(&err),
        };
        let now = now_ms();
        // A participant has one socket: a reconnect replaces the old one, whose later close is
        // then not a departure (its connection number is no longer current).
        let key = participant_key(&identity);
        for ws in self.state.get_websockets() {
            if let Some(old) = Attachment::of(&ws).filter(|a| participant_key(&a.identity) == key) {
                sockets::close_tracked(
                    &ws,
                    &self.book,
                    old.conn,
                    close::REPLACED,
                    "replaced by a newer connection",
                );
            }
        }
        let conn = record.open_session(&identity);
        let pair = WebSocketPair::new()?;
        self.state.accept_websocket_with_tags(&pair.server, &[identity.role.name()]);
        pair.server
            .serialize_attachment(serde_json::to_string(&Attachment { identity: identity.clone(), conn })?)?;
        self.book.opened(conn, now);
        let timing = Timing::from_env(&self.env);
        sockets::send(
            &pair.server,
            &CallEvent::Welcome {
                call_id: record.init.call_id.clone(),
                you: identity.sub.clone(),
                role: identity.role,
                heartbeat_ms: timing.heartbeat_ms,
            },
        );
        let effects = lifecycle::join(&mut record, &identity);
        self.store(&record).await?;
        self.deliver(&record, effects, now).await?;
        if identity.role == Role::Supervisor {
            let since = now.saturating_sub(CONTEXT_MS);
            let events = self.audit_log()?.context_since(since)?;
            sockets::send(
                &pair.server,
                &CallEvent::Context {
                    since,
                    events,
                    flags: record.health_flags.clone(),
                    names: record.supervisor_names.clone(),
                },
            );
        }
        self.schedule(&record, now).await?;
        sockets::upgrade_response(pair.client)
    }

    async fn on_text(
        &self,
        ws: &WebSocket,
        attachment: &Attachment,
        text: &str,
        now: u64,
    ) -> std::result::Result<(), ProtocolError> {
        let frame = parse_request(text)?;
        // Heartbeats are most of the traffic of a quiet call: answer them without touching the
        // record (what `requests::handle` would do for a ping, minus the load, compare and delivery).
        if frame.body == CallRequest::Ping {
            if let Some(reference) = frame.reference {
                sockets::send(ws, &CallEvent::Ack { reference });
            }
            sockets::send(ws, &CallEvent::Pong);
            return Ok(());
        }
        if frame.body.changes_state() {
            sockets::admit_change(&self.book, attachment.conn, now, frame.reference)?;
        }
        let internal = |e: worker::Error| ProtocolError::Internal(e.to_string());
        if !self.loaded().await.map_err(internal)? {
            return Err(ProtocolError::Internal("call record missing".into()));
        }
        // Checked on the cached record, before it is copied: a frame from a socket that is not
        // (or no longer) its participant's current one costs no clone and changes nothing.
        let current = self.record.borrow().as_ref().is_some_and(|record| {
            record.ended.is_none() && record.is_current(&attachment.identity, attachment.conn)
        });
        if !current {
            return Err(ProtocolError::not_allowed(
                "this connection is no longer in the call",
                frame.reference,
            ));
        }
        let Some(mut record) = self.record.borrow().clone() else {
            return Err(ProtocolError::Internal("call record missing".into()));
        };
        // Taken out and put back before any await, so no borrow spans one.
        let mut health = self.health.take();
        let outcome = requests::handle(
            &mut record,
            &mut health,
            &attachment.identity,
            frame.body,
            frame.reference,
            now,
        );
        self.health.replace(health);
        let effects = outcome?;
        self.store(&record).await.map_err(internal)?;
        self.deliver(&record, effects, now).await.map_err(internal)?;
        Ok(())
    }

    /// A socket closed, errored or was closed by us: a departure if it was the current one.
    async fn on_gone(&self, attachment: &Attachment, why: &str) -> Result<()> {
        let Some(mut record) = self.load().await? else { return Ok(()) };
        if record.ended.is_some() || !record.is_current(&attachment.identity, attachment.conn) {
            return Ok(());
        }
        let now = now_ms();
        let effects = lifecycle::depart(&mut record, &attachment.identity, now, why);
        self.store(&record).await?;
        self.deliver(&record, effects, now).await?;
        self.schedule(&record, now).await
    }

    /// Carries out a change's effects: audit rows first (so nothing is announced unrecorded), then
    /// events in order, then closes, then the team feed. A socket just replaced by its owner's newer
    /// one may still see an event while it closes; it belongs to the same participant.
    async fn deliver(&self, record: &CallRecord, effects: Effects, now: u64) -> Result<()> {
        if !effects.audit.is_empty() {
            let log = self.audit_log()?;
            let mut context = Vec::new();
            for entry in &effects.audit {
                let row = log.append(now, entry)?;
                if audit::is_context(&row) {
                    context.push(row);
                }
            }
            if !context.is_empty() {
                let text = serde_json::to_string(&CallEvent::ContextAdded { events: context })?;
                for ws in self.sockets_of(&Recipient::Supervisors) {
                    sockets::send_text(&ws, &text);
                }
            }
        }
        for (recipient, event) in &effects.events {
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
            self.update_team(&record.init.team, &summary, now).await;
        }
        if effects.ended {
            let ended =
                serde_json::json!({ "call_id": record.init.call_id, "agent_id": record.init.agent_id });
            self.tell_team(&record.init.team, "/call-ended", ended.to_string()).await;
            self.team_link.close();
            self.state.storage().delete_alarm().await?;
            self.alarm.none_since(now);
            self.archive_summary(record, now).await?;
        }
        Ok(())
    }

    /// The sockets an event for `recipient` goes to.
    fn sockets_of(&self, recipient: &Recipient) -> Vec<WebSocket> {
        // Each socket is accepted with its role as its tag: finding a recipient by tag spares reading
        // and parsing every socket's attachment for every event (a measurable share of a switch).
        let tagged = |role: Role| self.state.get_websockets_with_tag(role.name());
        match recipient {
            Recipient::Agent => tagged(Role::Agent),
            Recipient::Customer => tagged(Role::Customer),
            Recipient::Supervisors => tagged(Role::Supervisor),
            Recipient::Supervisor(id) => tagged(Role::Supervisor)
                .into_iter()
                .filter(|ws| Attachment::of(ws).is_some_and(|a| a.identity.sub == *id))
                .collect(),
            Recipient::Colleagues => [tagged(Role::Agent), tagged(Role::Supervisor)].concat(),
            Recipient::Everyone => self.state.get_websockets(),
        }
    }

    /// Sends the ended call's summary (its facts and whole audit trail, which ends with the `end` row)
    /// to the archive for review and reports. Storing it there is idempotent; a failed attempt is
    /// retried on an alarm a minute later (an ended call has no other alarm), so an archive outage
    /// delays the summary and loses nothing.
    async fn archive_summary(&self, record: &CallRecord, now: u64) -> Result<()> {
        let sent = async {
            let log = self.audit_log()?;
            let body = CallEnd {
                init: record.init.facts(),
                names: record.supervisor_names.clone(),
                audit: log.read()?,
            };
            archive::notify(&self.env, &summary_path(&record.init.call_id), &record.init.team, &body)
                .await
                .map_err(|e| worker::Error::RustError(e.to_string()))
        };
        if let Err(err) = sent.await {
            worker::console_error!("call summary not archived yet: {err}");
            self.alarm.by(&self.state.storage(), now + SUMMARY_RETRY_MS, now).await?;
        }
        Ok(())
    }

    /// Sends the call's line to the team feed: over the standing link if it can, else by fetch.
    async fn update_team(&self, team: &str, summary: &CallSummary, now: u64) {
        let Ok(text) = serde_json::to_string(summary) else { return };
        let sent = match self.team_stub(team) {
            Ok(stub) => self.team_link.send(&stub, &text, now).await,
            Err(_) => false,
        };
        if !sent {
            self.tell_team(team, "/call-update", text).await;
        }
    }

    /// The team object's stub, kept: every mode switch updates the team, and looking it up each time
    /// was a measurable part of a switch.
    fn team_stub(&self, team: &str) -> Result<Rc<Stub>> {
        if let Some(stub) = self.team_stub.borrow().as_ref() {
            return Ok(stub.clone());
        }
        let stub = Rc::new(self.env.durable_object("TEAMS")?.id_from_name(team)?.get_stub()?);
        self.team_stub.replace(Some(stub.clone()));
        Ok(stub)
    }

    /// Posts to the team object; a failure only delays the console, so it is logged.
    async fn tell_team(&self, team: &str, path: &str, body: String) {
        let outcome = async {
            let url = format!("https://team{path}");
            let request = sockets::internal_request(&url, "POST", &[], Some(body.into()))?;
            self.team_stub(team)?.fetch_with_request(request).await
        };
        if let Err(err) = outcome.await {
            worker::console_error!("team update failed: {err}");
        }
    }

    /// Keeps the presence alarm running while anyone is connected or a grace period runs.
    async fn schedule(&self, record: &CallRecord, now: u64) -> Result<()> {
        if record.ended.is_some() {
            return Ok(());
        }
        let timing = Timing::from_env(&self.env);
        let mut next = None;
        if !self.state.get_websockets().is_empty() {
            next = Some(now + timing.sweep_ms());
        }
        if let Some(deadline) = lifecycle::grace_deadline(record, timing.grace_ms) {
            next = Some(next.map_or(deadline, |n: u64| n.min(deadline)));
        }
        let Some(next) = next else { return Ok(()) };
        self.alarm.by(&self.state.storage(), next, now).await
    }
}
