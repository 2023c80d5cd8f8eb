//! The team object's calls: creating them (an agent's link call, or queue assignment pairing a
//! waiting customer with an idle agent), each call's line arriving over its standing link or by
//! `POST /call-update`, and a call's end.

use serde::Deserialize;
use worker::{Env, Request, Response, Result, WebSocket, WebSocketIncomingMessage, WebSocketPair};

use super::TeamObject;
use crate::call::record::{CallInit, CallRecord};
use crate::call::views::CallSummary;
use crate::config::now_ms;
use crate::error::EdgeError;
use crate::net::sockets::{self, identity_of, Attachment};
use crate::team::feed_pacer::Pace;
use crate::team::protocol::TeamEvent;
use earshot_policy::Role;
use earshot_wire::body::json_body;

/// Body of `POST /create-call`.
#[derive(Debug, Deserialize)]
pub struct CreateCall {
    #[serde(default)]
    pub customer_label: Option<String>,
    /// The customer is a phone caller the agent's page answered.
    #[serde(default)]
    pub phone: bool,
}

#[derive(Debug, Deserialize)]
struct CallEnded {
    call_id: String,
    agent_id: String,
}

impl TeamObject {
    /// Pairs queued customers with idle agents while both exist: creates each call object, rings
    /// the agent and hands the customer their call id. Works on the cached record and never holds it
    /// across the call-object request, so updates arriving meanwhile are not overwritten; returns
    /// whether it changed anything (the caller stores and broadcasts).
    pub(super) async fn assign(&self, now: u64) -> Result<bool> {
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
                    phone: false,
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
    pub(super) async fn assigned(&self, now: u64) -> Result<()> {
        if let Some(record) = self.existing().await? {
            self.store(&record).await?;
            self.broadcast(&record, now)?;
        }
        Ok(())
    }

    pub(super) async fn create_call(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        let identity = identity_of(&req)?;
        if identity.role != Role::Agent {
            return Err(EdgeError::Forbidden("only agents create calls".into()));
        }
        let body: CreateCall =
            json_body(&mut req).await.unwrap_or(CreateCall { customer_label: None, phone: false });
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
            phone: body.phone,
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

    /// Accepts a call object's link (internal path: only call objects reach it).
    pub(super) fn accept_link(&self) -> Result<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        Response::from_websocket(pair.client)
    }

    /// A frame on a call's link: the call's line, as `POST /call-update` would carry it. A frame
    /// that is not one means the socket is not a link after all (a member's socket whose identity
    /// was lost): it is closed.
    pub(super) async fn on_link_frame(
        &self,
        ws: &WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
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

    pub(super) async fn posted_update(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        self.call_update(json_body(&mut req).await?).await?;
        Ok(Response::empty()?.with_status(204))
    }

    /// A call's line changed: the feed goes out now or at its pace, and the row is written with the
    /// push that carries it, all changed rows in one statement. The hot path of every mode switch,
    /// so the record is updated in place, never cloned or rewritten whole.
    pub(super) async fn call_update(&self, summary: CallSummary) -> std::result::Result<(), EdgeError> {
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

    pub(super) async fn call_ended(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        let ended: CallEnded = json_body(&mut req).await?;
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
