//! Earshot's edge worker: the HTTP entry point in front of the demo's static assets.

use worker::{event, Context, Env, Request, Response, Result};

/// Requests that match no static asset land here.
#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match req.path().as_str() {
        "/healthz" => Response::ok("ok"),
        _ => Response::error("not found", 404),
    }
}
