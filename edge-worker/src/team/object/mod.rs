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
//!
//! A thin shell on [`crate::net::socket_shell`]: this file holds the members' side (their sockets,
//! requests and departures, the record's storage, the alarm); `calls.rs` beside it the calls' side
//! (creation, assignment, line updates, ends) and `feed.rs` the pushes to members.

mod calls;
mod feed;

use std::cell::{Cell, RefCell};

use earshot_policy::Role;
use earshot_wire::recording::{Retention, RETENTION_PATH};
use worker::{
    durable_object, DurableObject, Env, Method, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage,
};

use crate::auth::identity::Identity;
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
                    let body = Retention { span_ms };
                    archive::notify(&self.env, RETENTION_PATH, &record.team, &body)
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
}
