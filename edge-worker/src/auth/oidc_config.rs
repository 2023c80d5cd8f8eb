//! The identity provider's configuration: `EARSHOT_OIDC`, one JSON var or secret naming the issuer,
//! the audience, the key cache's timing, which claims hold what, and what each group grants.
//!
//! Validated as a whole when read; every mistake is reported in words naming the field, so a bad
//! deployment says what to fix instead of refusing people for no stated reason.

use earshot_policy::{Mode, ModeSet, Role};
use serde_json::Value;

use crate::auth::json_member::member;

/// The settings of one OpenID provider, as written in `EARSHOT_OIDC`.
///
/// Read from a `serde_json::Value` by hand rather than derived: the worker already parses
/// `Value`s, and every derived struct adds its own deserializer to the size-budgeted bundle.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The provider's issuer identifier, exactly as its tokens' `iss` (and its discovery document).
    pub issuer: String,
    /// What the tokens' `aud` must contain: the client id Earshot is registered under.
    pub audience: String,
    /// The key set's URL; when absent it is read from `{issuer}/.well-known/openid-configuration`
    /// (behind Cloudflare Access: the team domain's `/cdn-cgi/access/certs`).
    pub jwks_uri: Option<String>,
    /// Whether the deployment sits behind Cloudflare Access: `issuer` is then the team domain,
    /// `audience` the Access application's AUD tag, and a request without a token of its own is
    /// taken by the `Cf-Access-Jwt-Assertion` header Access adds to every request it lets through.
    pub cloudflare_access: bool,
    /// How long fetched keys are trusted before being fetched again (default 600).
    pub key_cache_seconds: u64,
    /// The least time between two fetches of the key set, whatever asks for them (default 30).
    pub refetch_interval_seconds: u64,
    pub claims: ClaimNames,
    /// Group name (as the groups claim lists it) → what membership grants.
    pub groups: Vec<(String, GroupGrant)>,
}

/// Which claims hold what (defaults `sub`, `name`, `groups`). A name is looked up as a top-level
/// claim first, then as a dotted path into nested objects (Keycloak's `realm_access.roles`).
#[derive(Debug, Clone)]
pub struct ClaimNames {
    pub user_id: String,
    pub name: String,
    pub groups: String,
}

/// What one group grants. A group with a role names its team; a group without one only adds modes:
/// capabilities to supervisors, exemptions to agents (e.g. `cc-exempt-barge`).
#[derive(Debug, Clone, Default)]
pub struct GroupGrant {
    pub role: Option<Role>,
    pub team: Option<String>,
    pub capabilities: ModeSet,
    pub exemptions: ModeSet,
}

/// Reads and validates `EARSHOT_OIDC`; the error says what is wrong, in words.
pub fn parse(text: &str) -> Result<OidcConfig, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("EARSHOT_OIDC is not JSON: {e}"))?;
    let config = OidcConfig::read(&value).map_err(|why| format!("EARSHOT_OIDC: {why}"))?;
    config.validate().map_err(|why| format!("EARSHOT_OIDC: {why}"))?;
    Ok(config)
}

/// Checks that `value` is an object whose members are all among `known`.
fn object(value: &Value, what: &str, known: &[&str]) -> Result<(), String> {
    let map = value.as_object().ok_or(format!("{what} must be an object"))?;
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(format!("{what} has an unknown field {unknown:?}")),
        None => Ok(()),
    }
}

/// An optional string member.
fn string(map: &Value, field: &str) -> Result<Option<String>, String> {
    match member(map, field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("{field} must be a string")),
    }
}

fn seconds(map: &Value, field: &str, default: u64) -> Result<u64, String> {
    match member(map, field) {
        None => Ok(default),
        Some(value) => value.as_u64().ok_or(format!("{field} must be a whole number of seconds")),
    }
}

/// A list of mode names.
fn modes(map: &Value, field: &str) -> Result<ModeSet, String> {
    let Some(list) = member(map, field) else { return Ok(ModeSet::EMPTY) };
    let names = list.as_array().ok_or(format!("{field} must be a list of modes"))?;
    let mut set = Vec::new();
    for name in names {
        let name = name.as_str().unwrap_or_default();
        match Mode::ALL.into_iter().find(|m| *m != Mode::None && m.name() == name) {
            Some(mode) => set.push(mode),
            None => {
                return Err(format!("{field}: {name:?} is not a mode (monitor, whisper, barge, takeover)"))
            }
        }
    }
    Ok(ModeSet::of(&set))
}

impl OidcConfig {
    fn read(value: &Value) -> Result<OidcConfig, String> {
        let known = [
            "issuer",
            "audience",
            "jwks_uri",
            "key_cache_seconds",
            "refetch_interval_seconds",
            "cloudflare_access",
            "claims",
            "groups",
        ];
        object(value, "the configuration", &known)?;
        let map = value;
        let no_claims = Value::Object(Default::default());
        let claims = member(map, "claims").unwrap_or(&no_claims);
        object(claims, "claims", &["user_id", "name", "groups"])?;
        let claim =
            |field: &str, default: &str| string(claims, field).map(|c| c.unwrap_or_else(|| default.into()));
        let mut groups = Vec::new();
        let listed = member(map, "groups").ok_or("groups is missing: map at least one group to a role")?;
        for (group, grant) in listed.as_object().ok_or("groups must be an object")? {
            groups.push((
                group.clone(),
                GroupGrant::read(grant).map_err(|why| format!("group {group:?}: {why}"))?,
            ));
        }
        let issuer = string(map, "issuer")?.ok_or("issuer is missing")?;
        let cloudflare_access = match member(map, "cloudflare_access") {
            None => false,
            Some(flag) => flag.as_bool().ok_or("cloudflare_access must be true or false")?,
        };
        // Access publishes no discovery document for its application tokens, only the certs.
        let access_certs =
            cloudflare_access.then(|| format!("{}/cdn-cgi/access/certs", issuer.trim_end_matches('/')));
        Ok(OidcConfig {
            audience: string(map, "audience")?.ok_or("audience is missing")?,
            jwks_uri: string(map, "jwks_uri")?.or(access_certs),
            cloudflare_access,
            issuer,
            key_cache_seconds: seconds(map, "key_cache_seconds", 600)?,
            refetch_interval_seconds: seconds(map, "refetch_interval_seconds", 30)?,
            claims: ClaimNames {
                user_id: claim("user_id", "sub")?,
                name: claim("name", "name")?,
                groups: claim("groups", "groups")?,
            },
            groups,
        })
    }

    /// What membership of `group` grants, if it is mapped.
    pub fn grant(&self, group: &str) -> Option<(&str, &GroupGrant)> {
        self.groups.iter().find(|(name, _)| name == group).map(|(name, grant)| (name.as_str(), grant))
    }
}

impl GroupGrant {
    fn read(value: &Value) -> Result<GroupGrant, String> {
        object(value, "the grant", &["role", "team", "capabilities", "exemptions"])?;
        let map = value;
        let role = match string(map, "role")? {
            None => None,
            Some(name) => Some(
                [Role::Customer, Role::Agent, Role::Supervisor]
                    .into_iter()
                    .find(|r| r.name() == name)
                    .ok_or(format!("role {name:?} is not supervisor or agent"))?,
            ),
        };
        Ok(GroupGrant {
            role,
            team: string(map, "team")?,
            capabilities: modes(map, "capabilities")?,
            exemptions: modes(map, "exemptions")?,
        })
    }
}

/// `https://…`, or `http://` to this machine (a provider run locally for development and tests).
fn url_ok(url: &str) -> bool {
    url.starts_with("https://")
        || ["http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/"]
            .iter()
            .any(|local| url.starts_with(local))
}

impl OidcConfig {
    fn validate(&self) -> Result<(), String> {
        if !url_ok(&self.issuer) {
            return Err(format!("issuer {:?} must be an https:// URL", self.issuer));
        }
        if let Some(uri) = self.jwks_uri.as_deref().filter(|u| !url_ok(u)) {
            return Err(format!("jwks_uri {uri:?} must be an https:// URL"));
        }
        if self.audience.is_empty() {
            return Err("audience is empty (set it to Earshot's client id at the provider)".into());
        }
        if self.key_cache_seconds == 0 || self.refetch_interval_seconds == 0 {
            return Err("key_cache_seconds and refetch_interval_seconds must be at least 1".into());
        }
        for (field, name) in
            [("user_id", &self.claims.user_id), ("name", &self.claims.name), ("groups", &self.claims.groups)]
        {
            if name.is_empty() {
                return Err(format!("claims.{field} is empty"));
            }
        }
        if !self.groups.iter().any(|(_, g)| g.role.is_some()) {
            return Err("groups maps no group to a role: nobody could sign in".into());
        }
        for (group, grant) in &self.groups {
            grant.validate().map_err(|why| format!("group {group:?}: {why}"))?;
        }
        Ok(())
    }

    /// The fetch policy of this provider's key cache, in milliseconds: (TTL, least refetch interval).
    pub fn cache_policy_ms(&self) -> (u64, u64) {
        (self.key_cache_seconds.saturating_mul(1000), self.refetch_interval_seconds.saturating_mul(1000))
    }
}

impl GroupGrant {
    fn validate(&self) -> Result<(), String> {
        match (self.role, self.team.as_deref()) {
            (Some(Role::Customer), _) => Err("customers do not sign in through the identity provider".into()),
            (Some(_), None) => Err("a role needs its team".into()),
            (None, Some(_)) => Err("a team needs a role".into()),
            (Some(_), Some(team)) if !crate::auth::identity::id_ok(team) => {
                Err(format!("team {team:?} must be 1-64 of [A-Za-z0-9-_.@]"))
            }
            (Some(Role::Agent), _) if self.capabilities != ModeSet::EMPTY => {
                Err("agents have no capabilities (did you mean exemptions?)".into())
            }
            (Some(Role::Supervisor), _) if self.exemptions != ModeSet::EMPTY => {
                Err("supervisors have no exemptions (did you mean capabilities?)".into())
            }
            (None, None) if self.capabilities == ModeSet::EMPTY && self.exemptions == ModeSet::EMPTY => {
                Err("grants nothing: give it a role and team, capabilities or exemptions".into())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bad_configurations_are_explained() {
        let base = json!({ "issuer": "https://idp.example.com", "audience": "earshot",
                           "groups": { "g": { "role": "agent", "team": "blue" } } });
        let with = |change: Value| {
            let mut c = base.clone();
            c.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
            parse(&c.to_string()).map(|_| ()).unwrap_err()
        };
        let cases = [
            (json!({ "issuer": "http://idp.example.com" }), "https://"),
            (json!({ "jwks_uri": "ftp://x" }), "jwks_uri"),
            (json!({ "audience": "" }), "audience is empty"),
            (json!({ "key_cache_seconds": 0 }), "at least 1"),
            (json!({ "groups": {} }), "nobody could sign in"),
            (json!({ "groups": { "g": { "role": "customer", "team": "blue" } } }), "customers"),
            (json!({ "groups": { "g": { "role": "agent" } } }), "needs its team"),
            (
                json!({ "groups": { "g": { "role": "agent", "team": "blue", "capabilities": ["monitor"] } } }),
                "exemptions?",
            ),
            (
                json!({ "groups": { "a": { "role": "agent", "team": "blue" }, "g": {} } }),
                "group \"g\": grants nothing",
            ),
            (json!({ "groups": { "g": { "role": "agent", "team": "has space" } } }), "team"),
            (json!({ "groups": { "g": { "role": "boss", "team": "blue" } } }), "\"boss\" is not supervisor"),
            (
                json!({ "groups": { "g": { "role": "agent", "team": "blue", "exemptions": ["none"] } } }),
                "not a mode",
            ),
            (
                json!({ "groups": { "g": { "role": "agent", "team": "blue", "exempt": [] } } }),
                "unknown field \"exempt\"",
            ),
            (json!({ "claims": { "user": "sub" } }), "unknown field"),
            (json!({ "issuer": 7 }), "issuer must be a string"),
            (json!({ "key_cache_seconds": "2" }), "whole number"),
            (json!({ "claims": { "user_id": "" } }), "claims.user_id"),
            (json!({ "cloudflare_access": "yes" }), "cloudflare_access must be true or false"),
        ];
        for (change, why) in cases {
            let err = with(change.clone());
            assert!(err.starts_with("EARSHOT_OIDC: ") && err.contains(why), "{change}: {err}");
        }
        let access = json!({ "issuer": "https://acme.cloudflareaccess.com", "audience": "aud-tag",
                             "cloudflare_access": true, "groups": base["groups"] });
        let access = parse(&access.to_string()).unwrap();
        assert_eq!(
            access.jwks_uri.as_deref(),
            Some("https://acme.cloudflareaccess.com/cdn-cgi/access/certs")
        );
        assert!(access.cloudflare_access && !parse(&base.to_string()).unwrap().cloudflare_access);
        assert!(parse("{").unwrap_err().starts_with("EARSHOT_OIDC is not JSON"));
        assert!(parse("{}").unwrap_err().contains("unknown") || parse("{}").unwrap_err().contains("missing"));
        let local = json!({ "issuer": "http://127.0.0.1:9000", "audience": "a", "groups": base["groups"] });
        let local = parse(&local.to_string()).unwrap();
        assert_eq!((local.cache_policy_ms(), local.claims.user_id.as_str()), ((600_000, 30_000), "sub"));
    }
}
