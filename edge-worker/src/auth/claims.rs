//! What the identity provider's configuration ([`OidcConfig`]) says about a verified token: its
//! registered claims checked (`iss`, `aud`, `exp`, `nbf`), then its claims mapped onto an Earshot
//! [`Identity`] — which claim is the user id, the display name, the groups, and which groups make whom
//! a supervisor or agent of which team, with which modes.
//!
//! Pure: the worker passes the token's claims and its clock (host unit tests do the same).

use earshot_policy::{ModeSet, Role};
use serde_json::Value;

use crate::auth::identity::{check_times, Identity};
use crate::auth::json_member::{member, text};
use crate::auth::oidc_config::{GroupGrant, OidcConfig};
use crate::auth::token_error::TokenError;

/// Checks issuer, audience (one string or a list, OpenID Connect Core §2), the authorized party, then
/// expiry and not-before ([`check_times`]).
///
/// `azp` (OpenID Connect Core §2, §3.1.3.7): a token whose audiences include Earshot but which was
/// issued to another client would otherwise pass, so when `azp` is present it must be Earshot's
/// client id, and a token with several audiences must carry it.
pub fn check_registered(claims: &Value, config: &OidcConfig, now: i64) -> Result<(), TokenError> {
    if text(claims, "iss") != Some(config.issuer.as_str()) {
        return Err(TokenError::WrongIssuer);
    }
    let audience = config.audience.as_str();
    let audience_ok = match member(claims, "aud") {
        Some(Value::String(aud)) => aud == audience,
        Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(audience)),
        _ => false,
    };
    if !audience_ok {
        return Err(TokenError::WrongAudience);
    }
    let several = member(claims, "aud").and_then(Value::as_array).is_some_and(|auds| auds.len() > 1);
    match member(claims, "azp") {
        None if !several => {}
        Some(azp) if azp.as_str() == Some(audience) => {}
        _ => return Err(TokenError::WrongAuthorizedParty),
    }
    check_times(claims, now)
}

/// A claim by name, else by dotted path.
fn claim<'a>(claims: &'a Value, name: &str) -> Option<&'a Value> {
    member(claims, name).or_else(|| name.split('.').try_fold(claims, |value, part| member(value, part)))
}

/// Maps verified claims onto an identity for `config.audience`, or says why they cannot be (the
/// caller refuses with 403: the token is genuine, the person just has no place in Earshot).
pub fn map(claims: &Value, config: &OidcConfig) -> Result<Identity, String> {
    let names = &config.claims;
    let sub = match claim(claims, &names.user_id) {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => return Err(format!("the token has no user id claim {:?}", names.user_id)),
    };
    let name = match claim(claims, &names.name) {
        Some(Value::String(name)) if !name.trim().is_empty() => name.trim().chars().take(64).collect(),
        _ => sub.clone(),
    };
    let groups: Vec<&str> = match claim(claims, &names.groups) {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => Vec::new(),
    };
    let grants: Vec<(&str, &GroupGrant)> = groups.iter().filter_map(|g| config.grant(g)).collect();
    let mut places =
        grants.iter().filter_map(|(group, grant)| Some((*group, grant.role?, grant.team.as_deref()?)));
    let Some((first_group, role, team)) = places.next() else {
        return Err(format!(
            "none of the token's {} groups (claim {:?}) is mapped to an Earshot role and team",
            groups.len(),
            names.groups
        ));
    };
    if let Some((other, ..)) = places.find(|(_, r, t)| (*r, *t) != (role, team)) {
        return Err(format!("groups {first_group:?} and {other:?} map to different roles or teams"));
    }
    let union = |pick: fn(&GroupGrant) -> ModeSet| {
        ModeSet::of(&grants.iter().flat_map(|(_, grant)| pick(grant).modes()).collect::<Vec<_>>())
    };
    let identity = Identity {
        sub,
        name,
        role,
        team: team.to_owned(),
        // Capabilities are a supervisor's, exemptions an agent's: the other kind is not theirs to carry.
        capabilities: if role == Role::Supervisor { union(|g| g.capabilities) } else { ModeSet::EMPTY },
        exemptions: if role == Role::Agent { union(|g| g.exemptions) } else { ModeSet::EMPTY },
        call: None,
        aud: config.audience.clone(),
    };
    crate::auth::identity::check_shape(&identity).map_err(|err| err.to_string())?;
    Ok(identity)
}

#[cfg(test)]
mod tests {
    use earshot_policy::Mode;
    use serde_json::json;

    use super::*;
    use crate::auth::identity::LEEWAY_SECONDS;
    use crate::auth::oidc_config::{parse, ClaimNames};

    const NOW: i64 = 1_800_000_000;

    /// The example configuration of the README and docs/PROTOCOL.md.
    fn example() -> OidcConfig {
        parse(
            &json!({
                "issuer": "https://idp.example.com",
                "audience": "earshot",
                "groups": {
                    "cc-blue-supervisors": { "role": "supervisor", "team": "blue",
                        "capabilities": ["monitor", "whisper", "barge", "takeover"] },
                    "cc-blue-leads": { "role": "supervisor", "team": "blue", "capabilities": ["monitor"] },
                    "cc-blue-agents": { "role": "agent", "team": "blue" },
                    "cc-exempt-barge": { "exemptions": ["barge"] }
                }
            })
            .to_string(),
        )
        .unwrap()
    }

    fn claims(groups: &[&str]) -> Value {
        json!({ "iss": "https://idp.example.com", "aud": "earshot", "exp": NOW + 60,
                "sub": "u-1", "name": "Sam Supervisor", "groups": groups })
    }

    #[test]
    fn every_group_of_the_example_maps_as_documented() {
        let config = example();
        let full = map(&claims(&["cc-blue-supervisors", "staff"]), &config).unwrap();
        assert_eq!(
            (full.role, full.team.as_str(), full.capabilities),
            (Role::Supervisor, "blue", ModeSet::ALL)
        );
        assert_eq!(
            (full.sub.as_str(), full.name.as_str(), full.aud.as_str()),
            ("u-1", "Sam Supervisor", "earshot")
        );
        let lead = map(&claims(&["cc-blue-leads"]), &config).unwrap();
        assert_eq!((lead.role, lead.capabilities), (Role::Supervisor, ModeSet::MONITOR_ONLY));
        let both = map(&claims(&["cc-blue-leads", "cc-blue-supervisors"]), &config).unwrap();
        assert_eq!(both.capabilities, ModeSet::ALL, "capabilities add up");
        let agent = map(&claims(&["cc-blue-agents"]), &config).unwrap();
        assert_eq!((agent.role, agent.exemptions), (Role::Agent, ModeSet::EMPTY));
        let exempt = map(&claims(&["cc-blue-agents", "cc-exempt-barge"]), &config).unwrap();
        assert_eq!(exempt.exemptions, ModeSet::of(&[Mode::Barge]));
        let supervisor_in_exempt = map(&claims(&["cc-blue-leads", "cc-exempt-barge"]), &config).unwrap();
        assert_eq!(supervisor_in_exempt.exemptions, ModeSet::EMPTY, "exemptions are agents' only");
    }

    #[test]
    fn no_mapped_group_or_conflicting_groups_are_refused_in_words() {
        let config = example();
        let none = map(&claims(&["staff", "cc-exempt-barge"]), &config).unwrap_err();
        assert!(none.contains("none of the token's 2 groups"), "{none}");
        let mut no_claim = claims(&[]);
        no_claim.as_object_mut().unwrap().remove("groups");
        assert!(map(&no_claim, &config).unwrap_err().contains("0 groups"));
        let conflict = map(&claims(&["cc-blue-agents", "cc-blue-leads"]), &config).unwrap_err();
        assert!(conflict.contains("different roles or teams"), "{conflict}");
    }

    #[test]
    fn claim_names_are_configurable_and_reach_into_nested_claims() {
        let mut config = example();
        config.claims = ClaimNames {
            user_id: "oid".into(),
            name: "preferred_username".into(),
            groups: "realm_access.roles".into(),
        };
        let token = json!({ "oid": "0f9a-11", "preferred_username": "ana@example.com",
                            "realm_access": { "roles": ["cc-blue-agents"] } });
        let identity = map(&token, &config).unwrap();
        assert_eq!(
            (identity.sub.as_str(), identity.name.as_str(), identity.role),
            ("0f9a-11", "ana@example.com", Role::Agent)
        );
        config.claims.groups = "https://earshot.example/groups".into();
        let namespaced = json!({ "oid": "x", "https://earshot.example/groups": "cc-blue-leads" });
        assert_eq!(map(&namespaced, &config).unwrap().name, "x", "no name claim: the user id is shown");
        assert!(map(&json!({ "groups": ["cc-blue-agents"] }), &example())
            .unwrap_err()
            .contains("no user id"));
        let bad_id = json!({ "sub": "auth0|abc", "groups": ["cc-blue-agents"] });
        assert!(map(&bad_id, &example()).unwrap_err().contains("sub, team and call"));
    }

    #[test]
    fn registered_claims_are_checked_with_the_skew() {
        let config = example();
        assert_eq!(check_registered(&claims(&[]), &config, NOW), Ok(()));
        let with = |change: Value| {
            let mut c = claims(&[]);
            c.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
            check_registered(&c, &config, NOW)
        };
        assert_eq!(with(json!({ "iss": "https://evil.example.com" })), Err(TokenError::WrongIssuer));
        assert_eq!(with(json!({ "aud": 7 })), Err(TokenError::WrongAudience));
        assert_eq!(with(json!({ "iss": null })), Err(TokenError::WrongIssuer));
        assert_eq!(with(json!({ "aud": "other" })), Err(TokenError::WrongAudience));
        assert_eq!(with(json!({ "aud": ["other", "earshot"], "azp": "earshot" })), Ok(()));
        assert_eq!(with(json!({ "aud": ["other"] })), Err(TokenError::WrongAudience));
        assert_eq!(with(json!({ "exp": null })), Err(TokenError::NoExpiry));
        assert_eq!(with(json!({ "exp": NOW - LEEWAY_SECONDS })), Ok(()));
        assert_eq!(with(json!({ "exp": NOW - LEEWAY_SECONDS - 1 })), Err(TokenError::Expired));
        assert_eq!(with(json!({ "nbf": NOW + LEEWAY_SECONDS + 1 })), Err(TokenError::NotYetValid));
        assert_eq!(with(json!({ "nbf": NOW + LEEWAY_SECONDS })), Ok(()));
        assert_eq!(with(json!({ "exp": 1.8e9 })), Err(TokenError::Malformed));
        // The authorized party: Earshot's client id when present, required with several audiences.
        assert_eq!(with(json!({ "azp": "earshot" })), Ok(()));
        assert_eq!(with(json!({ "azp": "another-client" })), Err(TokenError::WrongAuthorizedParty));
        assert_eq!(with(json!({ "aud": ["earshot", "api"] })), Err(TokenError::WrongAuthorizedParty));
        assert_eq!(with(json!({ "aud": ["earshot", "api"], "azp": "earshot" })), Ok(()));
        assert_eq!(with(json!({ "aud": ["earshot"] })), Ok(()), "one audience in a list needs no azp");
    }
}
