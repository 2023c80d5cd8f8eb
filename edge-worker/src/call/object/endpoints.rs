//! The call object's HTTP endpoints besides the socket: `POST /init` (the team object creates the
//! call), `GET /audit` (a supervisor of the team reads the trail) and the recording permits the
//! worker asks for before it passes a recording request to the archive.

use earshot_policy::Role;
use earshot_wire::body::json_body;
use earshot_wire::recording::TakePermit;
use worker::{Request, Response};

use super::CallObject;
use crate::call::record::{CallInit, CallRecord};
use crate::call::recording_rules::{self, RecordingFacts};
use crate::config::{self, now_ms};
use crate::error::EdgeError;
use crate::net::sockets::identity_of;

impl CallObject {
    pub(super) async fn init(&self, mut req: Request) -> std::result::Result<Response, EdgeError> {
        let init: CallInit = json_body(&mut req).await?;
        if self.loaded().await? {
            // Idempotent: the team object may retry.
            let summary = self.with_record(|existing| existing.summary());
            return Ok(Response::from_json(&summary)?);
        }
        let record = CallRecord::new(init);
        let summary = record.summary();
        self.audit_log()?;
        self.record.replace(Some(record));
        self.save()?;
        Ok(Response::from_json(&summary)?.with_status(201))
    }

    pub(super) async fn audit(&self, req: &Request) -> std::result::Result<Response, EdgeError> {
        let identity = identity_of(req)?;
        if !self.loaded().await? {
            return Err(EdgeError::NotFound);
        }
        let call_id = self.with_record(|record| {
            let readable = identity.role == Role::Supervisor && identity.team == record.init.team;
            readable.then(|| record.init.call_id.clone())
        });
        let Some(call_id) = call_id.flatten() else {
            return Err(EdgeError::Forbidden(
                "only supervisors of the call's team read its audit trail".into(),
            ));
        };
        let rows = self.audit_log()?.read()?;
        Ok(Response::from_json(&serde_json::json!({ "call_id": call_id, "rows": rows }))?)
    }

    /// Whether the caller may start a recording take (`start`) or upload to one now; the worker asks
    /// before passing the request to the archive. A permit to start describes the new take.
    pub(super) async fn recording_permit(
        &self,
        req: &Request,
        start: bool,
    ) -> std::result::Result<Response, EdgeError> {
        let who = identity_of(req)?;
        if !self.loaded().await? {
            return Err(EdgeError::NotFound);
        }
        let last_take = self.audit_log()?.last_at(&["recording", "end"])?;
        let facts =
            self.with_record(|record| RecordingFacts::of(record, last_take)).ok_or(EdgeError::NotFound)?;
        if !start {
            recording_rules::may_upload(&facts, &who, now_ms())?;
            return Ok(Response::empty()?);
        }
        recording_rules::may_start(&facts, &who)?;
        let retention_ms =
            u64::from(facts.retention_days).saturating_mul(config::retention_day_ms(&self.env));
        let permit =
            TakePermit { agent_id: facts.agent_id, include_whisper: facts.include_whisper, retention_ms };
        Ok(Response::from_json(&permit)?)
    }
}
