//! What the call object tells other objects: its line on the team feed (over the standing link, or
//! by fetch while it is down), its end, and its summary for the archive.

use std::rc::Rc;

use earshot_wire::call_end::{summary_path, CallEnd};
use worker::{Result, Stub};

use super::{CallObject, SUMMARY_RETRY_MS};
use crate::call::record::CallRecord;
use crate::call::views::CallSummary;
use crate::net::archive;
use crate::net::sockets;

impl CallObject {
    /// Sends the ended call's summary (its facts and whole audit trail, which ends with the `end` row)
    /// to the archive for review and reports. Storing it there is idempotent; a failed attempt is
    /// retried on an alarm a minute later (an ended call has no other alarm), so an archive outage
    /// delays the summary and loses nothing.
    pub(super) async fn archive_summary(&self, record: &CallRecord, now: u64) -> Result<()> {
        let sent = async {
            let log = self.audit_log()?;
            let body = CallEnd {
                init: record.init.facts(),
                names: record.supervisor_names.clone(),
                audit: log.read()?,
            };
            archive::notify(&self.env, &summary_path(&record.init.call_id), &record.init.team, &body)
                .await
                .map_err(|e| worker::Error::RustError(e.to_string()))
        };
        if let Err(err) = sent.await {
            worker::console_error!("call summary not archived yet: {err}");
            self.alarm.by(&self.state.storage(), now + SUMMARY_RETRY_MS, now).await?;
        }
        Ok(())
    }

    /// Sends the call's line to the team feed: over the standing link if it can, else by fetch.
    pub(super) async fn update_team(&self, summary: &CallSummary, now: u64) {
        let Ok(text) = serde_json::to_string(summary) else { return };
        let sent = match self.team_stub() {
            Ok(stub) => self.team_link.send(&stub, &text, now).await,
            Err(_) => false,
        };
        if !sent {
            self.tell_team("/call-update", text).await;
        }
    }

    /// The team object's stub, kept: every mode switch updates the team, and looking it up each time
    /// was a measurable part of a switch.
    pub(super) fn team_stub(&self) -> Result<Rc<Stub>> {
        if let Some(stub) = self.team_stub.borrow().as_ref() {
            return Ok(stub.clone());
        }
        let team = self.with_record(|record| record.init.team.clone());
        let team = team.ok_or_else(|| worker::Error::RustError("call record missing".into()))?;
        let stub = Rc::new(self.env.durable_object("TEAMS")?.id_from_name(&team)?.get_stub()?);
        self.team_stub.replace(Some(stub.clone()));
        Ok(stub)
    }

    /// Posts to the team object; a failure only delays the console, so it is logged.
    pub(super) async fn tell_team(&self, path: &str, body: String) {
        let outcome = async {
            let url = format!("https://team{path}");
            let request = sockets::internal_request(&url, "POST", &[], Some(body.into()))?;
            self.team_stub()?.fetch_with_request(request).await
        };
        if let Err(err) = outcome.await {
            worker::console_error!("team update failed: {err}");
        }
    }
}
