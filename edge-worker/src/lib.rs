//! Earshot's edge worker: the control plane of supervised calls, on Cloudflare Workers.
//!
//! The fetch handler authenticates every request (an EdDSA token, see [`auth::identity`]), checks the
//! `Origin` of WebSocket upgrades, and forwards to one Durable Object per call ([`call::object`]) or
//! per team ([`team::object`]) with the verified identity. The objects decide with the one routing
//! policy (`earshot-policy`); clients only apply what they are sent. Requests that match a static
//! asset (the demo pages) never reach this code.
//!
//! Tokens reach WebSocket upgrades in the `Sec-WebSocket-Protocol` header, as the entry
//! `bearer.<JWT>` next to the protocol name `earshot.v1` (browsers cannot set other headers on a
//! WebSocket); HTTP endpoints take `Authorization: Bearer <JWT>`. Tokens are never logged.

pub mod auth;
pub mod call;
pub mod config;
pub mod error;
pub mod net;
pub mod protocol;
pub mod settings;
pub mod team;

use worker::{event, Context, Env, Request, Response, Result, ScheduleContext, ScheduledEvent};

/// Requests that match no static asset land here.
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    net::routes::handle(req, env).await
}

/// The cron trigger (`wrangler.toml`): the archive's recording retention sweep.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let sweep = earshot_wire::recording::Sweep { now: config::now_ms() };
    if let Err(err) = net::archive::notify(&env, earshot_wire::recording::SWEEP_PATH, "earshot", &sweep).await
    {
        worker::console_error!("retention sweep failed: {err}");
    }
}
