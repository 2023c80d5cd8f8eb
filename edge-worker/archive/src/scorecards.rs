//! A team's scorecard versions in D1 (`migrations/0004_qa.sql`): reading the current form or any
//! earlier version, and a supervisor saving a new one. Versions are never changed once saved, so a
//! review keeps the form it was scored on; version 1 is the default form of a team that saved none.
//!
//! Endpoints (docs/PROTOCOL.md): `GET|PUT /api/scorecard` (`?version=N` for an earlier one),
//! `GET /api/scorecard/versions`.

use earshot_wire::body::{json_body, now_ms};
use earshot_wire::identity::Identity;
use serde::{Deserialize, Serialize};
use worker::{Method, Request, Response};

use crate::caller;
use crate::db::{num, Db};
use crate::error::ArchiveError;
use crate::rules;
use crate::scorecard::Form;
use crate::{Archive, Outcome};

/// The default form's version: what every team has before its first save.
pub const DEFAULT_VERSION: u32 = 1;
/// The most versions one team may save (a form edited daily for years).
const MAX_VERSIONS: u32 = 10_000;

/// One version of a team's scorecard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub version: u32,
    pub form: Form,
    /// Who saved it and when (`None` for the default form).
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: Option<u64>,
}

#[derive(Deserialize)]
struct StoredScorecard {
    version: u32,
    form: String,
    created_by: String,
    created_by_name: String,
    created_at: u64,
}

impl StoredScorecard {
    fn scorecard(self) -> Result<Scorecard, ArchiveError> {
        Ok(Scorecard {
            version: self.version,
            form: serde_json::from_str(&self.form)?,
            created_by: Some(self.created_by),
            created_by_name: Some(self.created_by_name),
            created_at: Some(self.created_at),
        })
    }
}

fn default_scorecard() -> Scorecard {
    Scorecard {
        version: DEFAULT_VERSION,
        form: Form::default_form(),
        created_by: None,
        created_by_name: None,
        created_at: None,
    }
}

/// The team's current scorecard.
pub async fn current(db: &Db, team: &str) -> Result<Scorecard, ArchiveError> {
    let rows: Vec<StoredScorecard> = db
        .rows("SELECT * FROM scorecards WHERE team = ? ORDER BY version DESC LIMIT 1", &[team.into()])
        .await?;
    rows.into_iter().next().map_or_else(|| Ok(default_scorecard()), StoredScorecard::scorecard)
}

/// Version `version` of the team's scorecard, if it has one.
pub async fn version(db: &Db, team: &str, version: u32) -> Result<Option<Scorecard>, ArchiveError> {
    if version == DEFAULT_VERSION {
        return Ok(Some(default_scorecard()));
    }
    let rows: Vec<StoredScorecard> = db
        .rows("SELECT * FROM scorecards WHERE team = ? AND version = ?", &[team.into(), version.into()])
        .await?;
    rows.into_iter().next().map(StoredScorecard::scorecard).transpose()
}

/// `GET|PUT /api/scorecard`, `GET /api/scorecard/versions`.
pub async fn handle(req: Request, archive: &Archive, who: &Identity, rest: &[&str]) -> Outcome {
    caller::supervisor(who, "read and edit scorecards")?;
    match (req.method(), rest) {
        (Method::Get, []) => {
            let url = req.inner().url();
            let card = match rules::query_value(&url, "version") {
                None => current(&archive.db, &who.team).await?,
                Some(v) => {
                    let v = rules::number(v, "version", MAX_VERSIONS)?;
                    version(&archive.db, &who.team, v).await?.ok_or(ArchiveError::NotFound)?
                }
            };
            Ok(Response::from_json(&card)?)
        }
        (Method::Put, []) => save(req, archive, who).await,
        (Method::Get, ["versions"]) => versions(archive, who).await,
        _ => Err(ArchiveError::NotFound),
    }
}

/// Every version of the team's scorecard, newest first, without their forms.
async fn versions(archive: &Archive, who: &Identity) -> Outcome {
    let rows: Vec<StoredScorecard> = archive
        .db
        .rows("SELECT * FROM scorecards WHERE team = ? ORDER BY version DESC", &[who.team.as_str().into()])
        .await?;
    let mut list = Vec::new();
    for row in rows {
        let card = row.scorecard()?;
        list.push(serde_json::json!({
            "version": card.version, "title": card.form.title, "criteria": card.form.criteria().count(),
            "created_by": card.created_by, "created_by_name": card.created_by_name, "created_at": card.created_at,
        }));
    }
    let default = default_scorecard();
    list.push(serde_json::json!({
        "version": default.version, "title": default.form.title, "criteria": default.form.criteria().count(),
        "created_by": null, "created_by_name": null, "created_at": null,
    }));
    Ok(Response::from_json(&serde_json::json!({ "team": who.team, "versions": list }))?)
}

/// `PUT /api/scorecard` with a form: checked, then saved as the next version (`201`); the same form
/// as the current one saves nothing (`200` with the current version).
async fn save(mut req: Request, archive: &Archive, who: &Identity) -> Outcome {
    let form: Form = json_body(&mut req).await?;
    let form = form.checked().map_err(ArchiveError::Invalid)?;
    let now = current(&archive.db, &who.team).await?;
    if now.form == form {
        return Ok(Response::from_json(&now)?);
    }
    let rows: Vec<StoredScorecard> = archive
        .db
        .rows(
            "INSERT INTO scorecards (team, version, form, created_by, created_by_name, created_at)
             SELECT ?1, COALESCE(MAX(version), ?2) + 1, ?3, ?4, ?5, ?6 FROM scorecards WHERE team = ?1
             RETURNING *",
            &[
                who.team.as_str().into(),
                DEFAULT_VERSION.into(),
                serde_json::to_string(&form)?.into(),
                who.sub.as_str().into(),
                who.name.as_str().into(),
                num(now_ms()),
            ],
        )
        .await?;
    let saved = rows.into_iter().next().ok_or_else(|| ArchiveError::Internal("no scorecard saved".into()))?;
    Ok(Response::from_json(&saved.scorecard()?)?.with_status(201))
}
