//! `set_mode`: a supervisor enters monitor, whisper, barge or takeover (or none), as the policy
//! allows; a barge or takeover in the call's first minutes (the team's early-barge guard) needs
//! confirming, and is audited as early.

use earshot_policy::{join_tone, Mode};

use crate::auth::identity::Identity;
use crate::call::effects::{apply, Effects};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;
use crate::protocol::MatrixCause;

/// What the supervisor asked for.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub mode: Mode,
    /// Whether the parties who start hearing the supervisor hear a join tone.
    pub tone: bool,
    /// The supervisor confirmed an early barge or takeover.
    pub confirm: bool,
}

pub fn set(
    record: &mut CallRecord,
    sender: &Identity,
    Change { mode, tone, confirm }: Change,
    reference: Option<u64>,
    now: u64,
) -> Result<Effects, ProtocolError> {
    apply(record, |r, fx| {
        let before = tone.then(|| r.policy.clone());
        let was_heard = r.policy.supervisor(&sender.sub).is_some_and(|s| s.mode.customer_hears());
        let transition = r
            .policy
            .request_mode(&sender.actor(), &sender.sub, mode)
            .map_err(|refusal| ProtocolError::Refused { refusal, reference })?;
        // The early-barge guard: checked after the policy, so nobody confirms what they may not do.
        let guard_ms = r.init.settings.early_barge_ms();
        let early = mode.customer_hears() && !was_heard && now.saturating_sub(r.init.started_at) < guard_ms;
        if early && !confirm {
            return Err(ProtocolError::ConfirmRequired {
                mode,
                call_age_ms: now.saturating_sub(r.init.started_at),
                guard_minutes: r.init.settings.early_barge_minutes,
                reference,
            });
        }
        let row = fx.audit("mode_change", sender, Some(&sender.sub));
        row.from_mode = transition.from;
        row.to_mode = transition.to;
        if early {
            row.detail = Some(format!("early {} confirmed at {}", mode.name(), r.age(now)));
        }
        fx.cause = Some(MatrixCause { transition, reference });
        if let Some(before) = before {
            fx.tone = join_tone(&before, &r.policy, &sender.sub);
        }
        Ok(())
    })
}
