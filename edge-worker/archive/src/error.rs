//! The archive's one error enum and its mapping onto HTTP statuses and JSON bodies; the edge worker
//! passes the archive's answers to the client unchanged, so the bodies match the edge's own
//! (`{"error": code, "message": text}`, docs/PROTOCOL.md).

use std::fmt;

use earshot_wire::body::BodyError;

#[derive(Debug, Clone, PartialEq)]
pub enum ArchiveError {
    /// No caller header: the request did not come through the edge worker.
    Unauthenticated,
    Forbidden(String),
    NotFound,
    BadRequest(String),
    /// A submitted form (a scorecard, a review) with these problems, every one of them in words.
    Invalid(Vec<String>),
    Conflict(String),
    Internal(String),
}

impl ArchiveError {
    pub fn status(&self) -> u16 {
        match self {
            ArchiveError::Unauthenticated => 401,
            ArchiveError::Forbidden(_) => 403,
            ArchiveError::NotFound => 404,
            ArchiveError::BadRequest(_) | ArchiveError::Invalid(_) => 400,
            ArchiveError::Conflict(_) => 409,
            ArchiveError::Internal(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ArchiveError::Unauthenticated => "unauthenticated",
            ArchiveError::Forbidden(_) => "forbidden",
            ArchiveError::NotFound => "not_found",
            ArchiveError::BadRequest(_) | ArchiveError::Invalid(_) => "bad_request",
            ArchiveError::Conflict(_) => "conflict",
            ArchiveError::Internal(_) => "internal",
        }
    }

    /// The JSON answer; an invalid form's also lists its problems one by one (`problems`), for a page
    /// to show each beside its field.
    pub fn body(&self) -> serde_json::Value {
        let mut body = serde_json::json!({ "error": self.code(), "message": self.to_string() });
        if let ArchiveError::Invalid(problems) = self {
            body["problems"] = problems.clone().into();
        }
        body
    }
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveError::Unauthenticated => f.write_str("unauthenticated: no verified caller"),
            ArchiveError::Forbidden(why) => write!(f, "forbidden: {why}"),
            ArchiveError::NotFound => f.write_str("not found"),
            ArchiveError::BadRequest(why) => write!(f, "bad request: {why}"),
            ArchiveError::Invalid(problems) => match problems.as_slice() {
                [one] => write!(f, "{one}"),
                all => write!(f, "{} problems: {}", all.len(), all.join("; ")),
            },
            ArchiveError::Conflict(why) => write!(f, "conflict: {why}"),
            ArchiveError::Internal(why) => write!(f, "internal error: {why}"),
        }
    }
}

impl From<worker::Error> for ArchiveError {
    fn from(err: worker::Error) -> Self {
        ArchiveError::Internal(err.to_string())
    }
}

/// A body the runtime could not read is the archive's failure; one that is not the expected JSON is
/// the sender's.
impl From<BodyError> for ArchiveError {
    fn from(err: BodyError) -> Self {
        match err {
            BodyError::Unreadable(err) => err.into(),
            BodyError::Malformed(err) => ArchiveError::BadRequest(err.to_string()),
        }
    }
}

impl From<serde_json::Error> for ArchiveError {
    fn from(err: serde_json::Error) -> Self {
        ArchiveError::Internal(err.to_string())
    }
}
