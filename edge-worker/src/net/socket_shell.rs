//! The socket shell both Durable Objects are built on: accepting a member's socket (and replacing
//! their older one), each frame's way in (dropped if the object closed the socket, rate limited,
//! text only, parsed once, heartbeat pings answered without touching the record, an error answered
//! and the socket closed where it calls for that), the presence sweep, and a socket's end.
//!
//! What differs between the call and the team is what a request does and what a departure means:
//! the object says that as a `SocketHost`, and the rest of its file is its own logic.

use worker::{Response, Result, State, WebSocket, WebSocketIncomingMessage, WebSocketPair};

use crate::auth::identity::Identity;
use crate::config::now_ms;
use crate::error::{close, EdgeError, ProtocolError};
use crate::net::presence::{last_heartbeat, SocketBook, HEARTBEAT_REPLY};
use crate::net::sockets::{self, Attachment};
use crate::protocol::{parse, CallEvent, Envelope};

/// A request enum of one socket protocol, as far as the shell needs to know it.
pub trait SocketRequest: crate::protocol::Request {
    /// A `ping`: the shell answers it (`ack` for its ref, then `pong`) and the host never sees it.
    fn is_ping(&self) -> bool;
    /// Whether the request changes state, and so costs the rate limit more
    /// ([`crate::net::rate_limit::CHANGE_COST`]).
    fn changes_state(&self) -> bool;
}

/// A Durable Object whose members' sockets go through this shell. Every method runs on the object's
/// one thread (no `Send` bound is wanted, so the trait stays crate-private).
pub(crate) trait SocketHost {
    type Request: SocketRequest;

    /// The liveness and rate limits of the object's sockets.
    fn book(&self) -> &SocketBook;

    /// One parsed request (never a ping) from `from`'s socket, arriving at `now`. An error is
    /// answered with an `error` event; one with a close code also closes the socket.
    async fn on_request(
        &self,
        ws: &WebSocket,
        from: &Attachment,
        frame: Envelope<Self::Request>,
        now: u64,
    ) -> std::result::Result<(), ProtocolError>;

    /// `from`'s socket went away: closed by its peer, failed, or closed by the object (`why`).
    async fn on_gone(&self, from: &Attachment, why: &str) -> Result<()>;

    /// A frame on a socket without an attachment. Members' sockets always carry one, so by default
    /// the socket is closed: it cannot be attributed to anyone.
    async fn on_unattributed(&self, ws: &WebSocket, _message: WebSocketIncomingMessage) -> Result<()> {
        sockets::close_unattributed(ws);
        Ok(())
    }
}

/// A frame arrived on `ws` (the object's `websocket_message`).
pub(crate) async fn message<H: SocketHost>(
    host: &H,
    ws: &WebSocket,
    message: WebSocketIncomingMessage,
) -> Result<()> {
    let book = host.book();
    if book.is_closed(ws) {
        return Ok(()); // from a socket this object closed: dropped unread
    }
    let Some(attachment) = Attachment::of(ws) else {
        return host.on_unattributed(ws, message).await;
    };
    let now = now_ms();
    let Some(screened) = sockets::screen(book, attachment.conn, now, message) else {
        return Ok(()); // from a socket this object closed: dropped unread
    };
    let outcome = match screened {
        Ok(text) => on_text(host, ws, &attachment, &text, now).await,
        Err(error) => Err(error),
    };
    if let Err(error) = outcome {
        if sockets::report(ws, book, attachment.conn, &error) {
            host.on_gone(&attachment, &format!("closed: {}", error.code())).await?;
        }
    }
    Ok(())
}

async fn on_text<H: SocketHost>(
    host: &H,
    ws: &WebSocket,
    attachment: &Attachment,
    text: &str,
    now: u64,
) -> std::result::Result<(), ProtocolError> {
    let frame = parse::<H::Request>(text)?;
    // Heartbeats with a ref are most of what reaches a quiet object (plain ones the runtime answers
    // itself): answered without loading, checking or copying the record. An `ack` and a `pong` are
    // the same bytes on call and team sockets.
    if frame.body.is_ping() {
        if let Some(reference) = frame.reference {
            sockets::send(ws, &CallEvent::Ack { reference });
        }
        sockets::send_text(ws, HEARTBEAT_REPLY);
        return Ok(());
    }
    if frame.body.changes_state() {
        sockets::admit_change(host.book(), attachment.conn, now, frame.reference)?;
    }
    host.on_request(ws, attachment, frame, now).await
}

/// The runtime reports `ws` closed by its peer (the object's `websocket_close`).
pub(crate) async fn closed<H: SocketHost>(host: &H, ws: &WebSocket) -> Result<()> {
    if let Some(attachment) = Attachment::of(ws) {
        host.on_gone(&attachment, "disconnected").await?;
        host.book().forget(attachment.conn);
    }
    sockets::close(ws, close::NORMAL, "bye");
    Ok(())
}

/// The runtime reports `ws` failed (the object's `websocket_error`).
pub(crate) async fn failed<H: SocketHost>(host: &H, ws: &WebSocket) -> Result<()> {
    if let Some(attachment) = Attachment::of(ws) {
        host.on_gone(&attachment, "connection error").await?;
        host.book().forget(attachment.conn);
    }
    Ok(())
}

/// Accepts a new socket for `identity` as connection `conn`, first closing any older socket of the
/// same member (`key` says who is the same: a call has one socket per party, a team one per
/// member), whose later close is then not a departure. `tag` lets the object find sockets by role
/// without reading attachments. Returns the pair; the object sends its welcome on `server` and
/// answers with [`sockets::upgrade_response`] of `client`.
pub(crate) fn accept(
    state: &State,
    book: &SocketBook,
    identity: &Identity,
    conn: u64,
    key: impl Fn(&Identity) -> String,
    tag: Option<&str>,
) -> Result<WebSocketPair> {
    let member = key(identity);
    for ws in state.get_websockets() {
        if let Some(old) = Attachment::of(&ws).filter(|a| key(&a.identity) == member) {
            sockets::close_tracked(&ws, book, old.conn, close::REPLACED, "replaced by a newer connection");
        }
    }
    let pair = WebSocketPair::new()?;
    match tag {
        Some(tag) => state.accept_websocket_with_tags(&pair.server, &[tag]),
        None => state.accept_web_socket(&pair.server),
    }
    Attachment { identity: identity.clone(), conn }.attach(&pair.server)?;
    book.opened(conn, now_ms());
    Ok(pair)
}

/// What a presence sweep closed.
#[derive(Default)]
pub struct Swept {
    /// Sockets silent for longer than the limit (closed with 4408): departures for the object.
    pub silent: Vec<Attachment>,
    /// Sockets the object asked to retire (closed with the code and reason it gave).
    pub retired: Vec<Attachment>,
}

/// The presence sweep (on the object's alarm): closes every socket silent for longer than
/// `silence_limit_ms` (heartbeats the runtime answered count as signs of life) and every one
/// `retire` names a close for, and forgets the book's entries of sockets the runtime no longer has.
pub fn sweep(
    state: &State,
    book: &SocketBook,
    now: u64,
    silence_limit_ms: u64,
    retire: impl Fn(&Attachment) -> Option<(u16, &'static str)>,
) -> Swept {
    let mut swept = Swept::default();
    let mut live = Vec::new();
    for ws in state.get_websockets() {
        let Some(attachment) = Attachment::of(&ws) else { continue };
        live.push(attachment.conn);
        if let Some((code, reason)) = retire(&attachment) {
            sockets::close_tracked(&ws, book, attachment.conn, code, reason);
            swept.retired.push(attachment);
        } else if book.silent_for(attachment.conn, now, last_heartbeat(state, &ws)) > silence_limit_ms {
            sockets::close_tracked(&ws, book, attachment.conn, close::HEARTBEAT_TIMEOUT, "no heartbeat");
            swept.silent.push(attachment);
        }
    }
    book.keep_only(&live);
    swept
}

/// An internal endpoint's answer: its response, or its error as the JSON body and status every
/// endpoint uses.
pub fn respond(outcome: std::result::Result<Response, EdgeError>) -> Result<Response> {
    outcome.or_else(|err| Ok(Response::from_json(&err.body())?.with_status(err.status())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{parse_request, CallRequest};
    use crate::team::protocol::{TeamEvent, TeamRequest};

    #[test]
    fn the_shells_ack_is_the_same_bytes_on_call_and_team_sockets() {
        assert_eq!(
            serde_json::to_string(&CallEvent::Ack { reference: 7 }).unwrap(),
            serde_json::to_string(&TeamEvent::Ack { reference: 7 }).unwrap()
        );
    }

    #[test]
    fn each_protocol_tells_the_shell_its_pings_and_its_changes() {
        let call = |text: &str| parse_request(text).unwrap().body;
        assert!(call(r#"{"type":"ping","ref":1}"#).is_ping());
        let signal = call(r#"{"type":"signal","to":"agent","data":{}}"#);
        assert!(!signal.is_ping() && !SocketRequest::changes_state(&signal));
        assert!(SocketRequest::changes_state(&CallRequest::Consent));
        let team = |text: &str| parse::<TeamRequest>(text).unwrap().body;
        assert!(team(r#"{"type":"ping"}"#).is_ping());
        let available = team(r#"{"type":"set_available","available":true}"#);
        assert!(!available.is_ping() && available.changes_state());
    }
}
