//! `health` and `levels` from the agent's hub: each second's health sample raises and clears the
//! call-health flags (through a [`FlagTracker`] the object keeps in memory), and level reports are
//! relayed to the supervisors only.

use earshot_health::sample::LEVEL_RANGE_DB;
use earshot_health::{FlagChange, FlagTracker, HealthSample};
use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::effects::{apply, Effects, Recipient};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;
use crate::protocol::{CallEvent, LevelReport, PartyLevel, MAX_LEVELS};

/// The hub's health sample ending at `now`: raises and clears flags through `tracker` (created from
/// the call's thresholds and its raised flags when the object has none in memory). A sample that
/// changes no flag changes nothing else either, so the object stores nothing for it.
pub fn observe(
    record: &mut CallRecord,
    tracker: &mut Option<FlagTracker>,
    sender: &Identity,
    sample: &HealthSample,
    reference: Option<u64>,
    now: u64,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Agent {
        return Err(ProtocolError::not_allowed("only the agent's hub reports call health", reference));
    }
    sample
        .validate()
        .map_err(|error| ProtocolError::Invalid { detail: format!("health: {error}"), reference })?;
    let tracker =
        tracker.get_or_insert_with(|| FlagTracker::resume(record.init.settings.health, &record.health_flags));
    let changes = tracker.observe(sample, now);
    if changes.is_empty() {
        // Most seconds: no flag changed, so neither did the record; skip the diff of every view.
        return Ok(Effects::default());
    }
    let raised = tracker.raised();
    let system = Identity::system(&record.init.team);
    apply(record, |r, fx| {
        for change in changes {
            let (kind, flag, detail) = match change {
                FlagChange::Raised(flag) => ("flag_raised", flag.kind, flag.note),
                FlagChange::Cleared { flag, at } => {
                    ("flag_cleared", flag.kind, format!("after {} s", at.saturating_sub(flag.since) / 1000))
                }
            };
            let target = serde_json::to_value(flag).ok().and_then(|v| v.as_str().map(str::to_owned));
            fx.audit(kind, &system, target.as_deref()).detail = Some(detail);
        }
        r.health_flags = raised;
        Ok(())
    })
}

/// Checks one side of a hub's level report (said or heard) before it is relayed to the supervisors.
fn checked(levels: &[PartyLevel], reference: Option<u64>) -> Result<(), ProtocolError> {
    let invalid = |detail: &str| Err(ProtocolError::Invalid { detail: detail.to_owned(), reference });
    if levels.len() > MAX_LEVELS {
        return invalid("levels: at most one entry per party");
    }
    if levels.iter().any(|l| !LEVEL_RANGE_DB.contains(&l.db)) {
        return invalid("levels: db must be a level in dBFS (-200 to 20)");
    }
    Ok(())
}

/// Relays the hub's level report to the supervisors.
pub fn relay_levels(
    sender: &Identity,
    report: LevelReport,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    if sender.role != Role::Agent {
        return Err(ProtocolError::not_allowed("only the agent's hub reports levels", reference));
    }
    checked(&report.levels, reference)?;
    checked(&report.hears, reference)?;
    let mut effects = Effects::default();
    effects.events.push((Recipient::Supervisors, CallEvent::Levels(report)));
    Ok(effects)
}
