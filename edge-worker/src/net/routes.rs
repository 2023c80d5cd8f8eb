//! The worker's HTTP surface: authentication, the `Origin` check on upgrades, and forwarding to the
//! call and team Durable Objects with the verified identity. Every failure becomes an [`EdgeError`],
//! answered as JSON with its status (or, for upgrades, as a close code).

use earshot_policy::Role;
use worker::wasm_bindgen::JsValue;
use worker::{web_sys, Env, Method, Request, Response, Result, Stub};

#[cfg(feature = "dev-mint")]
use crate::auth::dev_tokens;
use crate::auth::identity::Identity;
use crate::auth::token_error::TokenError;
use crate::auth::verify;
use crate::config;
use crate::error::EdgeError;
use crate::net::sockets::{self, IDENTITY_HEADER, PROTOCOL, TOKEN_PREFIX};
use crate::net::{archive, sign_in_config};

/// Routes one request that matched no static asset.
pub async fn handle(req: Request, env: Env) -> Result<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let outcome = match (req.method(), segments.as_slice()) {
        (Method::Get, ["healthz"]) => return Response::ok("ok"),
        (Method::Get, ["auth", what]) => {
            sign_in_config::answer(what, &env, authenticate_http(&req, &env)).await
        }
        (Method::Get, ["api", "calls", call_id, "ws"]) => return upgrade_call(&req, &env, call_id).await,
        (Method::Get, ["api", "teams", team, "ws"]) => return upgrade_team(&req, &env, team).await,
        (Method::Get, ["api", "calls", call_id, "audit"]) => read_audit(&req, &env, call_id).await,
        (Method::Post, ["api", "calls"]) => create_call(req, &env).await,
        (_, ["api", "calls", _, "recordings" | "review", ..] | ["api", "recordings" | "reports", ..]) => {
            to_archive(req, &env, &segments).await
        }
        #[cfg(feature = "dev-mint")]
        (Method::Post, ["api", "dev", "token"]) => dev_tokens::mint(req, &env).await,
        _ => Err(EdgeError::NotFound),
    };
    outcome.or_else(|err| error_response(&err))
}

fn error_response(err: &EdgeError) -> Result<Response> {
    Ok(Response::from_json(&err.body())?.with_status(err.status()))
}

/// The token of a WebSocket upgrade: the `bearer.<JWT>` entry of `Sec-WebSocket-Protocol`.
pub fn token_from_protocols(header: Option<&str>) -> Result<&str, EdgeError> {
    let entries: Vec<&str> = header.unwrap_or_default().split(',').map(str::trim).collect();
    if !entries.contains(&PROTOCOL) {
        return Err(EdgeError::BadRequest(format!("offer the subprotocol {PROTOCOL}")));
    }
    entries
        .iter()
        .find_map(|entry| entry.strip_prefix(TOKEN_PREFIX))
        .ok_or(EdgeError::Unauthenticated(TokenError::Missing))
}

/// The token of an HTTP request: `Authorization: Bearer <JWT>`.
pub fn token_from_authorization(header: Option<&str>) -> Result<&str, EdgeError> {
    header
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(EdgeError::Unauthenticated(TokenError::Missing))
}

/// Whether an upgrade's `Origin` may open a socket: its own origin, a configured one, or none at
/// all (non-browser clients send none and cannot be steered by a hostile page).
pub fn origin_allowed(origin: Option<&str>, own_origin: &str, allowed: &[String]) -> bool {
    match origin {
        None => true,
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            origin == own_origin || allowed.iter().any(|a| a == origin)
        }
    }
}

/// The origin (`scheme://host[:port]`) of a URL as the runtime serializes request URLs (lowercase
/// host, default port omitted), by slicing: parsing it with the `url` crate would be its only use in
/// the bundle.
pub fn origin_of(url: &str) -> &str {
    let Some(scheme_end) = url.find("://") else { return "" };
    let authority_end = url[scheme_end + 3..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + 3 + i);
    &url[..authority_end]
}

/// Verifies a token against the configured sources: Earshot's own key, the OpenID provider, or both.
async fn verify(env: &Env, token: &str) -> Result<Identity, EdgeError> {
    let (own, provider) = (config::own_key(env)?, config::oidc(env)?);
    verify::verify(token, own.as_ref(), provider.as_deref(), config::now_ms()).await
}

/// The header Cloudflare Access adds, with its signed assertion, to every request it lets through
/// (WebSocket upgrades included): a browser behind Access needs no token of its own.
pub const ACCESS_HEADER: &str = "Cf-Access-Jwt-Assertion";

/// Access's assertion, when the deployment is behind Access and the request carries one. Access sends
/// it on any request its cookie rides on, a hostile page's too, so the request's `Origin` must be
/// the worker's own or an allowed one (absent is fine: browsers send it on every cross-site request).
fn access_assertion(req: &Request, env: &Env) -> Result<Option<String>, EdgeError> {
    if !config::behind_access(env)? {
        return Ok(None);
    }
    let Some(assertion) = header(req, ACCESS_HEADER) else { return Ok(None) };
    let url = req.inner().url();
    if !origin_allowed(header(req, "Origin").as_deref(), origin_of(&url), &config::allowed_origins(env)) {
        return Err(EdgeError::OriginRefused);
    }
    Ok(Some(assertion))
}

/// A request's own token, else (behind Cloudflare Access) Access's assertion.
fn token_or_access(own: Result<&str, EdgeError>, req: &Request, env: &Env) -> Result<String, EdgeError> {
    match own {
        Ok(token) => Ok(token.to_owned()),
        Err(EdgeError::Unauthenticated(TokenError::Missing)) => {
            access_assertion(req, env)?.ok_or(EdgeError::Unauthenticated(TokenError::Missing))
        }
        Err(other) => Err(other),
    }
}

/// The verified identity of an HTTP request (`Authorization: Bearer`, or Access's assertion).
pub(crate) async fn authenticate_http(req: &Request, env: &Env) -> Result<Identity, EdgeError> {
    let authorization = header(req, "Authorization");
    let token = token_or_access(token_from_authorization(authorization.as_deref()), req, env)?;
    verify(env, &token).await
}

pub(crate) fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Checks an upgrade request and returns the verified identity, or the error to refuse it with
/// (`Err(Ok(response))` for a plain HTTP refusal, `Err(Err(e))` for one reported as a close code).
async fn authenticate_upgrade(req: &Request, env: &Env) -> std::result::Result<Identity, (bool, EdgeError)> {
    if !header(req, "Upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket")) {
        return Err((true, EdgeError::BadRequest("expected a WebSocket upgrade".into())));
    }
    let url = req.inner().url();
    if !origin_allowed(header(req, "Origin").as_deref(), origin_of(&url), &config::allowed_origins(env)) {
        return Err((true, EdgeError::OriginRefused));
    }
    let protocols = header(req, "Sec-WebSocket-Protocol");
    let token =
        token_or_access(token_from_protocols(protocols.as_deref()), req, env).map_err(|e| (false, e))?;
    verify(env, &token).await.map_err(|e| (false, e))
}

async fn upgrade_call(req: &Request, env: &Env, call_id: &str) -> Result<Response> {
    let identity = match authenticate_upgrade(req, env).await {
        Ok(identity) => identity,
        Err((true, err)) => return error_response(&err),
        Err((false, err)) => return sockets::refuse_upgrade(&err),
    };
    let Some(stub) = call_stub(env, call_id) else {
        return sockets::refuse_upgrade(&EdgeError::NotFound);
    };
    forward(&stub, "https://call/ws", Method::Get, &identity, None, true).await
}

async fn upgrade_team(req: &Request, env: &Env, team: &str) -> Result<Response> {
    let identity = match authenticate_upgrade(req, env).await {
        Ok(identity) => identity,
        Err((true, err)) => return error_response(&err),
        Err((false, err)) => return sockets::refuse_upgrade(&err),
    };
    if identity.team != team {
        return sockets::refuse_upgrade(&EdgeError::Forbidden("your token is for another team".into()));
    }
    let stub = env.durable_object("TEAMS")?.id_from_name(team)?.get_stub()?;
    forward(&stub, "https://team/ws", Method::Get, &identity, None, true).await
}

async fn read_audit(req: &Request, env: &Env, call_id: &str) -> Result<Response, EdgeError> {
    let identity = authenticate_http(req, env).await?;
    if identity.role != Role::Supervisor {
        return Err(EdgeError::Forbidden("only supervisors read audit trails".into()));
    }
    let stub = call_stub(env, call_id).ok_or(EdgeError::NotFound)?;
    Ok(forward(&stub, "https://call/audit", Method::Get, &identity, None, false).await?)
}

async fn create_call(mut req: Request, env: &Env) -> Result<Response, EdgeError> {
    let identity = authenticate_http(&req, env).await?;
    if identity.role != Role::Agent {
        return Err(EdgeError::Forbidden("only agents create calls".into()));
    }
    let body = req.text().await.unwrap_or_default();
    let body = if body.trim().is_empty() { "{}".to_owned() } else { body };
    if body.len() > 4096 {
        return Err(EdgeError::BadRequest("body too large".into()));
    }
    let stub = env.durable_object("TEAMS")?.id_from_name(&identity.team)?.get_stub()?;
    Ok(forward(&stub, "https://team/create-call", Method::Post, &identity, Some(body), false).await?)
}

/// A client's request for the archive (`/api/recordings`, `/api/reports`, `/api/calls/{id}/recordings…`,
/// `/api/calls/{id}/review`): authenticated here, decided there.
async fn to_archive(req: Request, env: &Env, path: &[&str]) -> std::result::Result<Response, EdgeError> {
    let who = authenticate_http(&req, env).await?;
    let mut body = req.inner().body().map(JsValue::from);
    if let ["api", "calls", call_id, "recordings", rest @ ..] = path {
        let permit = match (req.method(), rest) {
            (Method::Post, []) => Some("start"),
            (Method::Put, [_, "chunks", _]) | (Method::Post, [_, "complete"]) => Some("upload"),
            _ => None,
        };
        if let Some(permit) = permit {
            let stub = call_stub(env, call_id).ok_or(EdgeError::NotFound)?;
            let url = format!("https://call/recording-permit/{permit}");
            let answer = forward(&stub, &url, Method::Get, &who, None, false).await?;
            if answer.status_code() != 200 {
                // The call's refusal (not its agent, recording off, no such call) goes back as it is.
                return Ok(answer);
            }
            if permit == "start" {
                // A new take is described by the call's state, never by the client.
                body = web_sys::Response::from(answer).body().map(JsValue::from);
            }
        }
    }
    let url = req.inner().url();
    let tail = &url[origin_of(&url).len()..];
    let length = header(&req, "Content-Length");
    archive::send(env, req.method(), tail, &who, body, length.as_deref()).await
}

/// The stub of an existing call; `None` for anything that is not a call id this namespace issued.
pub(crate) fn call_stub(env: &Env, call_id: &str) -> Option<Stub> {
    if call_id.len() != 64 || !call_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    env.durable_object("CALLS").ok()?.id_from_string(call_id).ok()?.get_stub().ok()
}

/// Sends a request the worker built itself (clients' headers never reach an object) to a Durable
/// Object, carrying the verified identity.
pub(crate) async fn forward(
    stub: &Stub,
    url: &str,
    method: Method,
    identity: &Identity,
    body: Option<String>,
    upgrade: bool,
) -> Result<Response> {
    let identity = serde_json::to_string(identity)?;
    let mut headers = vec![(IDENTITY_HEADER, identity.as_str())];
    if upgrade {
        headers.push(("Upgrade", "websocket"));
    }
    stub.fetch_with_request(sockets::internal_request(url, method.as_ref(), &headers, body.map(Into::into))?)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_rides_in_the_subprotocol_list() {
        assert_eq!(token_from_protocols(Some("earshot.v1, bearer.abc.def.ghi")), Ok("abc.def.ghi"));
        assert_eq!(
            token_from_protocols(Some("earshot.v1")),
            Err(EdgeError::Unauthenticated(TokenError::Missing))
        );
        assert!(matches!(token_from_protocols(Some("bearer.x")), Err(EdgeError::BadRequest(_))));
        assert!(matches!(token_from_protocols(None), Err(EdgeError::BadRequest(_))));
    }

    #[test]
    fn http_tokens_use_the_bearer_scheme() {
        assert_eq!(token_from_authorization(Some("Bearer t.o.k")), Ok("t.o.k"));
        assert!(token_from_authorization(Some("Basic abc")).is_err());
        assert!(token_from_authorization(None).is_err());
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(origin_of("http://127.0.0.1:8787/api/calls/x/ws"), "http://127.0.0.1:8787");
        assert_eq!(origin_of("https://earshot.example/"), "https://earshot.example");
        assert_eq!(origin_of("https://earshot.example?x=/y"), "https://earshot.example");
        assert_eq!(origin_of("https://earshot.example"), "https://earshot.example");
        assert_eq!(origin_of("not a url"), "");
    }

    #[test]
    fn only_own_and_listed_origins_may_upgrade() {
        let own = "http://127.0.0.1:8787";
        let listed = vec!["https://console.example".to_owned()];
        assert!(origin_allowed(None, own, &listed));
        assert!(origin_allowed(Some(own), own, &listed));
        assert!(origin_allowed(Some("https://console.example/"), own, &listed));
        assert!(!origin_allowed(Some("https://evil.example"), own, &listed));
        assert!(!origin_allowed(Some("http://127.0.0.1:8788"), own, &[]));
    }
}
