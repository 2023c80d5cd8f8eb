//! The call object's standing WebSocket to its team object, which carries the call's feed updates.
//!
//! Every mode switch changes the call's line on the team feed. Sent as a Durable Object fetch, each
//! update cost a Request, a Response and a routed round trip: about a fifth of a switch's CPU. A
//! frame on an open socket costs a fraction of that. The link is best effort and the fetch stays the
//! fallback: the link opens on the first update; when it is found closed (the team object
//! restarted, say), that update goes by fetch and the next one opens a new link. A frame written just
//! before a break may be lost with it, so the call's presence sweep re-sends the current line when it
//! finds the link closed (the team drops stale lines by revision: a repeat is harmless).
//!
//! On the team's side a link is a hibernatable socket without an attachment (members' sockets
//! always carry their identity). An outgoing socket keeps the call object in memory; during a call
//! its presence alarm (every few seconds) already does.

use std::cell::{Cell, RefCell};

use worker::{web_sys, Result, Stub, WebSocket};

use crate::net::sockets;

/// The team object's path that upgrades to a link.
pub const LINK_PATH: &str = "/call-link";
/// How long after a failed attempt to open a link updates go by fetch before the next attempt.
const RETRY_MS: u64 = 10_000;

/// One call's link to its team object.
#[derive(Default)]
pub struct TeamLink {
    socket: RefCell<Option<WebSocket>>,
    retry_at: Cell<u64>,
}

impl TeamLink {
    /// Sends `text` over the link, opening one first if there is none. False if it could not, and
    /// the caller should send by fetch.
    pub async fn send(&self, stub: &Stub, text: &str, now: u64) -> bool {
        if self.broken() {
            self.close();
            return false;
        }
        if self.socket.borrow().is_none() {
            if now < self.retry_at.get() {
                return false;
            }
            match connect(stub).await {
                Ok(ws) => {
                    self.socket.replace(Some(ws));
                }
                Err(err) => {
                    worker::console_error!("team link not opened: {err}");
                    self.retry_at.set(now + RETRY_MS);
                    return false;
                }
            }
        }
        let sent = self.socket.borrow().as_ref().is_some_and(|ws| ws.send_with_str(text).is_ok());
        if !sent {
            self.close();
        }
        sent
    }

    /// Whether there is a link and it is no longer open, so the team may have missed an update.
    pub fn broken(&self) -> bool {
        let socket = self.socket.borrow();
        socket.as_ref().is_some_and(|ws| {
            AsRef::<web_sys::WebSocket>::as_ref(ws).ready_state() != web_sys::WebSocket::OPEN
        })
    }

    /// Closes the link (if any); the next send opens a new one.
    pub fn close(&self) {
        if let Some(ws) = self.socket.take() {
            // A link the other side already closed refuses this; either way it is gone.
            let _ = ws.close(Some(1000), Some("done"));
        }
    }
}

async fn connect(stub: &Stub) -> Result<WebSocket> {
    let url = format!("https://team{LINK_PATH}");
    let request = sockets::internal_request(&url, "GET", &[("Upgrade", "websocket")], None)?;
    let response = stub.fetch_with_request(request).await?;
    let ws =
        response.websocket().ok_or_else(|| worker::Error::RustError("no socket in the answer".into()))?;
    ws.accept()?;
    Ok(ws)
}
