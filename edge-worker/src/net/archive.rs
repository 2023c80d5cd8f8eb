//! The edge worker's door to the archive worker (edge-worker/archive, the `ARCHIVE` service binding),
//! which keeps recordings in R2 and summaries, reviews and reports in D1. The edge authenticates every
//! request (`routes`) and, for a recording upload, asks the live call whether the caller may record;
//! the archive does the rest and its answer goes back to the client unchanged.
//!
//! The archive trusts the caller header because nothing else can reach it: it has no route and no
//! `workers.dev` address, only this binding. Recording and report code lives there so this worker, on
//! every live call's path, stays within its bundle budget.

use worker::wasm_bindgen::JsValue;
use worker::{Env, Method, Response};

use crate::auth::identity::Identity;
use crate::error::EdgeError;
use crate::net::sockets::{self, IDENTITY_HEADER};

type Outcome = std::result::Result<Response, EdgeError>;

/// Sends one request to the archive as `who` (`tail`: path and query). The body stays a JavaScript
/// value (a stream of audio, or JSON text) and is never copied into this worker's memory.
pub async fn send(
    env: &Env,
    method: Method,
    tail: &str,
    who: &Identity,
    body: Option<JsValue>,
    length: Option<&str>,
) -> Outcome {
    let identity = serde_json::to_string(who)?;
    let mut headers = vec![(IDENTITY_HEADER, identity.as_str())];
    if let Some(length) = length {
        headers.push(("Content-Length", length));
    }
    let request =
        sockets::internal_request(&format!("https://archive{tail}"), method.as_ref(), &headers, body)?;
    Ok(env.service("ARCHIVE")?.fetch_request(request).await?)
}

/// Tells the archive about something the edge decided (a finished call's summary, a team's new
/// retention, the retention sweep), as the system identity of `team`.
pub async fn notify<T: serde::Serialize>(
    env: &Env,
    tail: &str,
    team: &str,
    body: &T,
) -> Result<(), EdgeError> {
    let system = Identity::system(team);
    let body = JsValue::from_str(&serde_json::to_string(body)?);
    let answer = send(env, Method::Post, tail, &system, Some(body), None).await?;
    if answer.status_code() >= 300 {
        return Err(EdgeError::Internal(format!("archive answered {} to {tail}", answer.status_code())));
    }
    Ok(())
}
