//! The worker's settings, read from `wrangler.toml` vars and secrets (`.dev.vars` locally).

#[cfg(feature = "oidc")]
use std::cell::RefCell;
use std::rc::Rc;

use worker::Env;

#[cfg(feature = "oidc")]
use crate::auth::oidc_config;
use crate::auth::oidc_config::OidcConfig;

#[cfg(feature = "dev-mint")]
use crate::auth::identity::TokenSigner;
use crate::auth::identity::TokenVerifier;
use crate::error::EdgeError;

/// Defaults for the timing settings; `wrangler.toml` documents and may override them.
const DEFAULT_HEARTBEAT_MS: u64 = 2_000;
const DEFAULT_SILENCE_LIMIT_MS: u64 = 8_000;
const DEFAULT_GRACE_MS: u64 = 30_000;

/// Timing of presence: how often clients ping, when silence drops them, how long a vanished agent
/// or customer has to come back before the call ends.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub heartbeat_ms: u64,
    pub silence_limit_ms: u64,
    pub grace_ms: u64,
}

impl Timing {
    pub fn from_env(env: &Env) -> Timing {
        Timing {
            heartbeat_ms: number(env, "EARSHOT_HEARTBEAT_MS", DEFAULT_HEARTBEAT_MS),
            silence_limit_ms: number(env, "EARSHOT_SILENCE_LIMIT_MS", DEFAULT_SILENCE_LIMIT_MS),
            grace_ms: number(env, "EARSHOT_GRACE_MS", DEFAULT_GRACE_MS),
        }
    }

    /// How often the presence sweep runs: often enough to notice silence within about
    /// 1.5 × the limit.
    pub fn sweep_ms(&self) -> u64 {
        (self.silence_limit_ms / 2).max(250)
    }
}

fn text(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string()).or_else(|| env.secret(name).ok().map(|v| v.to_string()))
}

fn number(env: &Env, name: &str, default: u64) -> u64 {
    text(env, name).and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// The audience every token must name.
pub fn audience(env: &Env) -> String {
    text(env, "EARSHOT_AUDIENCE").filter(|a| !a.is_empty()).unwrap_or_else(|| "earshot".to_owned())
}

/// Earshot's own key source (secret `EARSHOT_TOKEN_PUBLIC_KEY`), `None` when unset; a key that is not
/// one fails every request with a 500 saying so.
pub fn own_key(env: &Env) -> Result<Option<TokenVerifier>, EdgeError> {
    let Some(key) = text(env, "EARSHOT_TOKEN_PUBLIC_KEY").filter(|k| !k.trim().is_empty()) else {
        return Ok(None);
    };
    TokenVerifier::new(&key, &audience(env))
        .map(Some)
        .map_err(|why| EdgeError::Internal(format!("EARSHOT_TOKEN_PUBLIC_KEY: {why}")))
}

/// An `EARSHOT_OIDC` text and what it parsed to (the configuration, or what is wrong with it).
#[cfg(feature = "oidc")]
type ParsedOidc = (String, Result<Rc<OidcConfig>, String>);

#[cfg(feature = "oidc")]
thread_local! {
    /// The last `EARSHOT_OIDC` read: parsed once per isolate, not per request.
    static OIDC: RefCell<Option<ParsedOidc>> = const { RefCell::new(None) };
}

/// The identity provider's settings (`EARSHOT_OIDC`, see [`crate::auth::oidc_config`]); `None` when unset.
/// A configuration that does not validate fails every request with a 500 naming the problem.
#[cfg(feature = "oidc")]
pub fn oidc(env: &Env) -> Result<Option<Rc<OidcConfig>>, EdgeError> {
    let Some(raw) = text(env, "EARSHOT_OIDC").filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    OIDC.with_borrow_mut(|held| {
        if held.as_ref().is_none_or(|(text, _)| *text != raw) {
            let parsed = oidc_config::parse(&raw).map(Rc::new);
            if let Err(why) = &parsed {
                worker::console_error!("{why}");
            }
            *held = Some((raw, parsed));
        }
        let (_, parsed) = held.as_ref().expect("just set");
        parsed.clone().map(Some).map_err(EdgeError::Internal)
    })
}

/// Whether requests may be authenticated by Cloudflare Access's assertion header (`EARSHOT_OIDC`'s
/// `cloudflare_access`).
pub fn behind_access(env: &Env) -> Result<bool, EdgeError> {
    Ok(oidc(env)?.is_some_and(|config| config.cloudflare_access))
}

/// Builds without the `oidc` feature (production, until it fits the bundle budget) take Earshot's own
/// tokens only: a set `EARSHOT_OIDC` fails every request with a 500 saying so, rather than being
/// ignored while people's sign-ins fail for no stated reason.
#[cfg(not(feature = "oidc"))]
pub fn oidc(env: &Env) -> Result<Option<Rc<OidcConfig>>, EdgeError> {
    match text(env, "EARSHOT_OIDC").filter(|t| !t.trim().is_empty()) {
        None => Ok(None),
        Some(_) => Err(EdgeError::Internal(
            "EARSHOT_OIDC is set, but this build has no OpenID provider verification (the edge's oidc feature)".into(),
        )),
    }
}

/// The dev-only signer: `Some` only when `EARSHOT_DEV_MINT` is `"1"` and a signing key is set.
#[cfg(feature = "dev-mint")]
pub fn dev_signer(env: &Env) -> Option<TokenSigner> {
    if text(env, "EARSHOT_DEV_MINT").as_deref() != Some("1") {
        return None;
    }
    TokenSigner::new(&text(env, "EARSHOT_DEV_SIGNING_KEY")?).ok()
}

/// Extra origins allowed to open WebSockets, besides the worker's own.
pub fn allowed_origins(env: &Env) -> Vec<String> {
    text(env, "EARSHOT_ALLOWED_ORIGINS")
        .unwrap_or_default()
        .split(',')
        .map(|o| o.trim().trim_end_matches('/').to_owned())
        .filter(|o| !o.is_empty())
        .collect()
}

/// A new team's consent setting: `"all-party"` requires the disclosure before anyone listens.
pub fn default_consent_required(env: &Env) -> bool {
    text(env, "EARSHOT_DEFAULT_CONSENT").as_deref() == Some("all-party")
}

/// The length of one retention day in ms: a day, unless `EARSHOT_RETENTION_DAY_MS` shortens it (tests
/// do, to watch the retention sweep delete without waiting days).
pub fn retention_day_ms(env: &Env) -> u64 {
    number(env, "EARSHOT_RETENTION_DAY_MS", crate::call::recording_rules::DAY_MS).max(1)
}

/// Milliseconds since the epoch, from the runtime's clock (the one the archive reads too).
pub use earshot_wire::body::now_ms;

/// Whole seconds since the epoch, as tokens count time.
pub fn now_seconds() -> i64 {
    (now_ms() / 1000) as i64
}
