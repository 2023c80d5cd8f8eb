//! The dev-only token minting endpoint, `POST /api/dev/token`, for the demo pages and tests.
//!
//! It exists only when `EARSHOT_DEV_MINT` is `"1"` and `EARSHOT_DEV_SIGNING_KEY` is set, which only
//! `.dev.vars` does (written by `edge-worker/scripts/dev-vars.sh`); `wrangler.toml` sets it to `"0"`,
//! so a deployed worker answers 404 and never holds a private key.

use earshot_policy::{ModeSet, Role};
use serde::Deserialize;
use worker::{Env, Request, Response};

use crate::auth::identity::Identity;
use crate::config;
use crate::error::EdgeError;

/// Longest lifetime a dev token may ask for.
const MAX_TTL_SECONDS: i64 = 12 * 3600;

#[derive(Debug, Deserialize)]
struct MintRequest {
    sub: String,
    name: String,
    role: Role,
    team: String,
    #[serde(default)]
    capabilities: ModeSet,
    #[serde(default)]
    exemptions: ModeSet,
    #[serde(default)]
    call: Option<String>,
    #[serde(default)]
    ttl_seconds: Option<i64>,
}

pub async fn mint(mut req: Request, env: &Env) -> Result<Response, EdgeError> {
    let signer = config::dev_signer(env).ok_or(EdgeError::NotFound)?;
    let ask: MintRequest = earshot_wire::body::json_body(&mut req).await?;
    let ttl = ask.ttl_seconds.unwrap_or(3600).clamp(1, MAX_TTL_SECONDS);
    let identity = Identity {
        sub: ask.sub,
        name: ask.name,
        role: ask.role,
        team: ask.team,
        capabilities: ask.capabilities,
        exemptions: ask.exemptions,
        call: ask.call,
        aud: config::audience(env),
    };
    let now = config::now_seconds();
    let token = signer.sign(&identity, now, ttl).map_err(EdgeError::Internal)?;
    Ok(Response::from_json(&serde_json::json!({ "token": token, "expires_at": now + ttl }))?)
}
