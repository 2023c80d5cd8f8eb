//! Every error the worker can report, one enum per layer, and the one place that maps them onto HTTP
//! statuses, WebSocket close codes and the `code` strings of `error` events.
//!
//! Layers: [`EdgeError`] for requests (HTTP endpoints and WebSocket upgrades, before a socket is in a
//! room) and [`ProtocolError`] for frames on an open socket. Messages name what was wrong, never a
//! token's contents.

use std::fmt;

use earshot_policy::{Mode, Refusal};
use earshot_wire::body::BodyError;

use crate::auth::token_error::TokenError;

/// Close codes the rooms use (4000-4999 is the application range of RFC 6455).
pub mod close {
    /// The call ended, or a queued customer was handed their call.
    pub const NORMAL: u16 = 1000;
    /// A text frame that was not valid UTF-8 (RFC 6455 §8.1).
    pub const INVALID_UTF8: u16 = 1007;
    /// An unexpected failure inside the worker.
    pub const INTERNAL: u16 = 1011;
    /// The upgrade request was malformed (e.g. no call id).
    pub const BAD_REQUEST: u16 = 4400;
    /// No token, or a forged, expired or wrong-audience token.
    pub const UNAUTHENTICATED: u16 = 4401;
    /// A valid token that may not enter this room.
    pub const FORBIDDEN: u16 = 4403;
    /// No such call.
    pub const NOT_FOUND: u16 = 4404;
    /// Silent for longer than the heartbeat limit.
    pub const HEARTBEAT_TIMEOUT: u16 = 4408;
    /// The same participant connected again; the older socket is closed.
    pub const REPLACED: u16 = 4409;
    /// The call already has its maximum of supervisors (or another took the last slot first).
    pub const CALL_FULL: u16 = 4412;
    /// The call has already ended.
    pub const GONE: u16 = 4410;
    /// Kept sending after being rate limited.
    pub const RATE_LIMIT_ABUSE: u16 = 4429;
}

/// Request-level failures (HTTP endpoints and WebSocket upgrades).
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeError {
    Unauthenticated(TokenError),
    Forbidden(String),
    /// A WebSocket upgrade from a page of another origin.
    OriginRefused,
    NotFound,
    BadRequest(String),
    /// A supervisor upgrade to a call that already has `max` supervisors.
    CallFull {
        max: usize,
    },
    /// An HTTP request that contradicts the resource's state (never refuses an upgrade).
    Conflict(String),
    Gone,
    Internal(String),
}

impl EdgeError {
    pub fn status(&self) -> u16 {
        match self {
            EdgeError::Unauthenticated(_) => 401,
            EdgeError::Forbidden(_) | EdgeError::OriginRefused => 403,
            EdgeError::NotFound => 404,
            EdgeError::BadRequest(_) => 400,
            EdgeError::CallFull { .. } | EdgeError::Conflict(_) => 409,
            EdgeError::Gone => 410,
            EdgeError::Internal(_) => 500,
        }
    }

    /// The close code used when this error refuses a WebSocket that was already accepted.
    pub fn close_code(&self) -> u16 {
        match self {
            EdgeError::Unauthenticated(_) => close::UNAUTHENTICATED,
            EdgeError::Forbidden(_) | EdgeError::OriginRefused => close::FORBIDDEN,
            EdgeError::NotFound => close::NOT_FOUND,
            EdgeError::BadRequest(_) => close::BAD_REQUEST,
            EdgeError::CallFull { .. } => close::CALL_FULL,
            // No upgrade is refused for a conflict today; 4403 is the closest meaning if one is.
            EdgeError::Conflict(_) => close::FORBIDDEN,
            EdgeError::Gone => close::GONE,
            EdgeError::Internal(_) => close::INTERNAL,
        }
    }

    /// The JSON body of an HTTP error response.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.code(), "message": self.to_string() })
    }

    /// The machine-readable name of the error, in HTTP bodies and `error` events.
    pub fn code(&self) -> &'static str {
        match self {
            EdgeError::Unauthenticated(_) => "unauthenticated",
            EdgeError::Forbidden(_) => "forbidden",
            EdgeError::OriginRefused => "origin_refused",
            EdgeError::NotFound => "not_found",
            EdgeError::BadRequest(_) => "bad_request",
            EdgeError::CallFull { .. } => "call_full",
            EdgeError::Conflict(_) => "conflict",
            EdgeError::Gone => "gone",
            EdgeError::Internal(_) => "internal",
        }
    }
}

impl fmt::Display for EdgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeError::Unauthenticated(why) => write!(f, "unauthenticated: {why}"),
            EdgeError::Forbidden(why) => write!(f, "forbidden: {why}"),
            EdgeError::OriginRefused => {
                f.write_str("WebSocket upgrades are accepted from allowed origins only")
            }
            EdgeError::NotFound => f.write_str("not found"),
            EdgeError::BadRequest(why) => write!(f, "bad request: {why}"),
            EdgeError::CallFull { max } => write!(f, "the call already has {max} supervisors"),
            EdgeError::Conflict(why) => write!(f, "conflict: {why}"),
            EdgeError::Gone => f.write_str("the call has ended"),
            EdgeError::Internal(why) => write!(f, "internal error: {why}"),
        }
    }
}

impl From<TokenError> for EdgeError {
    fn from(err: TokenError) -> Self {
        EdgeError::Unauthenticated(err)
    }
}

impl From<worker::Error> for EdgeError {
    fn from(err: worker::Error) -> Self {
        EdgeError::Internal(err.to_string())
    }
}

impl From<serde_json::Error> for EdgeError {
    fn from(err: serde_json::Error) -> Self {
        EdgeError::Internal(err.to_string())
    }
}

/// A body the runtime could not read is the worker's failure; one that is not the expected JSON is
/// the sender's.
impl From<BodyError> for EdgeError {
    fn from(err: BodyError) -> Self {
        match err {
            BodyError::Unreadable(err) => err.into(),
            BodyError::Malformed(err) => EdgeError::BadRequest(err.to_string()),
        }
    }
}

/// Frame-level failures on an open socket: answered with an `error` event, the socket stays open
/// unless [`ProtocolError::close_code`] says otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum ProtocolError {
    Oversize {
        limit: usize,
    },
    /// Binary frames carry nothing in this protocol.
    Binary,
    /// A text frame whose bytes were not UTF-8: the socket is closed (1007), the frame has no effect.
    InvalidUtf8,
    Malformed {
        detail: String,
        reference: Option<u64>,
    },
    UnknownType {
        kind: String,
        reference: Option<u64>,
    },
    /// Dropped for the rate limit; `reference` when the frame was read (a change charged its extra
    /// cost after parsing), so the sender knows which request was lost.
    RateLimited {
        reference: Option<u64>,
    },
    /// Sent on regardless of being rate limited: the socket is closed.
    RateLimitAbuse,
    /// The routing policy refused the request.
    Refused {
        refusal: Refusal,
        reference: Option<u64>,
    },
    /// The request does not fit the sender's role or the star topology.
    NotAllowed {
        detail: String,
        reference: Option<u64>,
    },
    /// A well-formed request with an unusable value (e.g. empty coaching text).
    Invalid {
        detail: String,
        reference: Option<u64>,
    },
    /// The early-barge guard: a barge or takeover (`mode`) `call_age_ms` into a call whose team's guard
    /// is `guard_minutes`; the same request with `confirm: true` goes through. The error frame carries
    /// both numbers, so a client words its question without reading the message.
    ConfirmRequired {
        mode: Mode,
        call_age_ms: u64,
        guard_minutes: u32,
        reference: Option<u64>,
    },
    Internal(String),
}

impl ProtocolError {
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::Oversize { .. } => "oversize",
            ProtocolError::Binary => "binary_unsupported",
            ProtocolError::InvalidUtf8 => "invalid_utf8",
            ProtocolError::Malformed { .. } => "malformed",
            ProtocolError::UnknownType { .. } => "unknown_type",
            ProtocolError::RateLimited { .. } | ProtocolError::RateLimitAbuse => "rate_limited",
            ProtocolError::Refused { refusal, .. } => refusal_code(refusal),
            ProtocolError::NotAllowed { .. } => "not_allowed",
            ProtocolError::Invalid { .. } => "invalid",
            ProtocolError::ConfirmRequired { .. } => "confirm_required",
            ProtocolError::Internal(_) => "internal",
        }
    }

    pub fn reference(&self) -> Option<u64> {
        match self {
            ProtocolError::Malformed { reference, .. }
            | ProtocolError::RateLimited { reference }
            | ProtocolError::UnknownType { reference, .. }
            | ProtocolError::Refused { reference, .. }
            | ProtocolError::NotAllowed { reference, .. }
            | ProtocolError::Invalid { reference, .. }
            | ProtocolError::ConfirmRequired { reference, .. } => *reference,
            _ => None,
        }
    }

    /// `Some(code)` when the socket must be closed after the error event.
    pub fn close_code(&self) -> Option<u16> {
        match self {
            ProtocolError::RateLimitAbuse => Some(close::RATE_LIMIT_ABUSE),
            ProtocolError::InvalidUtf8 => Some(close::INVALID_UTF8),
            _ => None,
        }
    }

    pub fn not_allowed(detail: impl Into<String>, reference: Option<u64>) -> ProtocolError {
        ProtocolError::NotAllowed { detail: detail.into(), reference }
    }
}

/// The `code` of a policy refusal: the refusal's own name, so clients can explain it.
fn refusal_code(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::NotASupervisor { .. } => "not_a_supervisor",
        Refusal::OtherTeam => "other_team",
        Refusal::NotYourOwn => "not_your_own",
        Refusal::MissingCapability { .. } => "missing_capability",
        Refusal::AgentExempt { .. } => "agent_exempt",
        Refusal::AwaitingConsent => "awaiting_consent",
        Refusal::TakeoverHeld { .. } => "takeover_held",
        Refusal::CallFull { .. } => "call_full",
        Refusal::NotInCall => "not_in_call",
        Refusal::SecurePause { .. } => "secure_pause",
        Refusal::NotTheAgent { .. } => "not_the_agent",
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Oversize { limit } => write!(f, "frame larger than {limit} bytes; ignored"),
            ProtocolError::Binary => {
                f.write_str("binary frames are not part of the protocol; send JSON text")
            }
            ProtocolError::InvalidUtf8 => f.write_str("a text frame was not valid UTF-8; closing"),
            ProtocolError::Malformed { detail, .. } => write!(f, "malformed frame: {detail}"),
            ProtocolError::UnknownType { kind, .. } => write!(f, "unknown message type \"{kind}\""),
            ProtocolError::RateLimited { .. } => f.write_str("too many messages; this one was dropped"),
            ProtocolError::RateLimitAbuse => {
                f.write_str("too many messages after being rate limited; closing")
            }
            ProtocolError::Refused { refusal, .. } => write!(f, "refused: {refusal}"),
            ProtocolError::NotAllowed { detail, .. } => write!(f, "not allowed: {detail}"),
            ProtocolError::Invalid { detail, .. } => write!(f, "invalid: {detail}"),
            ProtocolError::ConfirmRequired { mode, call_age_ms, guard_minutes, .. } => {
                let seconds = call_age_ms / 1000;
                write!(
                    f,
                    "confirm: this call is {}:{:02} old; a {} in its first {guard_minutes} minutes needs confirming",
                    seconds / 60,
                    seconds % 60,
                    mode.name()
                )
            }
            ProtocolError::Internal(why) => write!(f, "internal error: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_error_has_one_status_and_one_close_code() {
        let cases = [
            (EdgeError::Unauthenticated(TokenError::Expired), 401, close::UNAUTHENTICATED),
            (EdgeError::Forbidden("x".into()), 403, close::FORBIDDEN),
            (EdgeError::OriginRefused, 403, close::FORBIDDEN),
            (EdgeError::NotFound, 404, close::NOT_FOUND),
            (EdgeError::BadRequest("x".into()), 400, close::BAD_REQUEST),
            (EdgeError::CallFull { max: 4 }, 409, close::CALL_FULL),
            (EdgeError::Gone, 410, close::GONE),
            (EdgeError::Internal("x".into()), 500, close::INTERNAL),
        ];
        for (error, status, code) in cases {
            assert_eq!((error.status(), error.close_code()), (status, code), "{error}");
            assert_eq!(error.body()["message"], error.to_string());
        }
    }

    #[test]
    fn only_abuse_and_invalid_utf8_close_a_socket() {
        assert_eq!(ProtocolError::RateLimitAbuse.close_code(), Some(close::RATE_LIMIT_ABUSE));
        assert_eq!(ProtocolError::InvalidUtf8.close_code(), Some(close::INVALID_UTF8));
        for error in [
            ProtocolError::Oversize { limit: 1 },
            ProtocolError::Binary,
            ProtocolError::RateLimited { reference: None },
            ProtocolError::Malformed { detail: "x".into(), reference: Some(1) },
        ] {
            assert_eq!(error.close_code(), None, "{error}");
        }
        let refused = ProtocolError::Refused { refusal: Refusal::OtherTeam, reference: Some(5) };
        assert_eq!((refused.code(), refused.reference()), ("other_team", Some(5)));
    }
    /// docs/PROTOCOL.md is the contract clients are written against: its close-code table lists
    /// exactly the codes the worker sends, and every error code appears in it.
    #[test]
    fn the_protocol_doc_matches_the_codes_code_for_code() {
        let doc = include_str!("../../docs/PROTOCOL.md");
        let table = &doc[doc.find("## Close codes").expect("a close-code section")..];
        let documented: Vec<u16> = table
            .lines()
            .filter_map(|line| line.strip_prefix("| ")?.split(' ').next()?.parse().ok())
            .collect();
        let sent = [
            close::NORMAL,
            close::INVALID_UTF8,
            close::INTERNAL,
            close::BAD_REQUEST,
            close::UNAUTHENTICATED,
            close::FORBIDDEN,
            close::NOT_FOUND,
            close::HEARTBEAT_TIMEOUT,
            close::REPLACED,
            close::GONE,
            close::CALL_FULL,
            close::RATE_LIMIT_ABUSE,
        ];
        assert_eq!(documented, sent);
        let frame_errors = [
            ProtocolError::Oversize { limit: 1 },
            ProtocolError::Binary,
            ProtocolError::InvalidUtf8,
            ProtocolError::Malformed { detail: String::new(), reference: None },
            ProtocolError::UnknownType { kind: String::new(), reference: None },
            ProtocolError::RateLimited { reference: None },
            ProtocolError::not_allowed("", None),
            ProtocolError::Invalid { detail: String::new(), reference: None },
            ProtocolError::ConfirmRequired {
                mode: Mode::Barge,
                call_age_ms: 0,
                guard_minutes: 3,
                reference: None,
            },
            ProtocolError::Internal(String::new()),
        ];
        let refusals = [
            Refusal::OtherTeam,
            Refusal::NotYourOwn,
            Refusal::AwaitingConsent,
            Refusal::CallFull { max: 4 },
            Refusal::NotInCall,
            Refusal::SecurePause { mode: Mode::Barge },
            Refusal::NotTheAgent { role: earshot_policy::Role::Supervisor },
        ];
        let codes = frame_errors.iter().map(ProtocolError::code).chain(refusals.iter().map(refusal_code));
        for code in codes.chain([EdgeError::CallFull { max: 4 }.code()]) {
            assert!(
                doc.contains(&format!("`{code}`")),
                "docs/PROTOCOL.md does not name the error code {code}"
            );
        }
    }
}
