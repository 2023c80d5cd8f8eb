//! What the pages need to sign their staff in: `GET /auth/config` names the OpenID provider (its
//! issuer and the client id the pages are registered under, both from `EARSHOT_OIDC`, so a deployment
//! configures them once) and whether the dev token endpoint is on; `GET /auth/me` says who a token's
//! bearer is as this worker maps them (role, team, modes), or why they are refused, in words.

use std::future::Future;

use serde_json::{json, Value};
use worker::{Env, Response};

use crate::auth::identity::Identity;
use crate::error::EdgeError;

/// Answers `GET /auth/{what}`. `who` verifies the request's token: awaited only for `me` (the
/// configuration needs none), and passed in so that this module does not depend on the routes.
pub async fn answer(
    what: &str,
    env: &Env,
    who: impl Future<Output = Result<Identity, EdgeError>>,
) -> Result<Response, EdgeError> {
    let response = match what {
        "config" => {
            Response::from_json(&json!({ "provider": provider(env)?, "dev_sign_in": dev_sign_in(env) }))?
        }
        "me" => Response::from_json(&who.await?)?,
        _ => return Err(EdgeError::NotFound),
    };
    // Never cached: a changed configuration or a refreshed token must be seen at once.
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// The provider the pages send people to (`null` when none is configured).
#[cfg(feature = "oidc")]
fn provider(env: &Env) -> Result<Value, EdgeError> {
    Ok(crate::config::oidc(env)?
        .map_or(Value::Null, |oidc| json!({ "issuer": oidc.issuer, "client_id": oidc.audience })))
}

#[cfg(not(feature = "oidc"))]
fn provider(_env: &Env) -> Result<Value, EdgeError> {
    Ok(Value::Null)
}

/// Whether `POST /api/dev/token` mints (dev builds with `.dev.vars` only).
#[cfg(feature = "dev-mint")]
fn dev_sign_in(env: &Env) -> bool {
    crate::config::dev_signer(env).is_some()
}

#[cfg(not(feature = "dev-mint"))]
fn dev_sign_in(_env: &Env) -> bool {
    false
}
