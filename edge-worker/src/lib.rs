//! Earshot's edge worker: the control plane of supervised calls, on Cloudflare Workers.
//!
//! The fetch handler authenticates every request (an EdDSA token, see [`identity`]), checks the
//! `Origin` of WebSocket upgrades, and forwards to one Durable Object per call ([`call_object`]) or
//! per team ([`team_object`]) with the verified identity. The objects decide with the one routing
//! policy (`earshot-policy`); clients only apply what they are sent. Requests that match a static
//! asset (the demo pages) never reach this code.
//!
//! Tokens reach WebSocket upgrades in the `Sec-WebSocket-Protocol` header, as the entry
//! `bearer.<JWT>` next to the protocol name `earshot.v1` (browsers cannot set other headers on a
//! WebSocket); HTTP endpoints take `Authorization: Bearer <JWT>`. Tokens are never logged.

pub mod alarm_clock;
pub mod archive;
pub mod audit;
pub mod base64url;
pub mod call_lines;
pub mod call_object;
pub mod config;
#[cfg(feature = "dev-mint")]
pub mod dev_tokens;
pub mod ed25519;
pub mod error;
pub mod feed_pacer;
pub mod identity;
pub mod jws;
pub mod presence;
pub mod protocol;
pub mod rate_limit;
pub mod record_row;
pub mod recording_rules;
pub mod room;
pub mod routes;
pub mod sockets;
pub mod team_link;
pub mod team_object;
pub mod team_protocol;
pub mod team_settings;
pub mod team_state;

use worker::{event, Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent};

/// Requests that match no static asset land here.
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    routes::handle(req, env).await
}

/// The cron trigger (`wrangler.toml`): the archive's recording retention sweep.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let body = serde_json::json!({ "now": config::now_ms() });
    if let Err(err) = archive::notify(&env, "/internal/sweep", "earshot", &body).await {
        worker::console_error!("retention sweep failed: {err}");
    }
}
