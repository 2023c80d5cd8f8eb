//! `consent`: the customer acknowledges the monitoring disclosure (once; monitoring waits for it
//! when the team requires consent). A phone caller has no socket: the agent's hub played them the
//! disclosure and heard their answer, so for a phone call the agent's socket gives it for them.

use earshot_policy::Role;

use crate::auth::identity::Identity;
use crate::call::effects::{apply, Effects};
use crate::call::record::CallRecord;
use crate::error::ProtocolError;

pub fn acknowledge(
    record: &mut CallRecord,
    sender: &Identity,
    reference: Option<u64>,
) -> Result<Effects, ProtocolError> {
    let detail = match sender.role {
        Role::Customer => None,
        // The audit says how, by the rule the hub applied: the team's setting when the call started.
        Role::Agent if record.init.phone => Some(if record.init.settings.phone_press_one {
            "phone: pressed 1"
        } else {
            "phone: stayed on the line"
        }),
        _ => {
            return Err(ProtocolError::not_allowed(
                "only the customer acknowledges the disclosure",
                reference,
            ))
        }
    };
    apply(record, |r, fx| {
        if !r.policy.consent.acknowledged {
            r.policy.consent.acknowledged = true;
            fx.audit("consent", sender, None).detail = detail.map(str::to_owned);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use earshot_policy::{Mode, ModeSet, Role};

    use crate::call::record::CallRecord;
    use crate::call::tests::{arrive, live_call, person, request, set_mode};
    use crate::protocol::CallRequest;

    /// A live call whose team requires consent, its customer a phone caller or not.
    fn consent_call(phone: bool, press_one: bool) -> (CallRecord, crate::auth::identity::Identity) {
        let (mut record, agent, _) = live_call();
        record.init.phone = phone;
        record.init.settings.phone_press_one = press_one;
        record.policy.consent.required = true;
        (record, agent)
    }

    #[test]
    fn the_agent_consents_for_a_phone_caller_only_and_the_audit_says_how() {
        for (press_one, how) in [(false, "stayed on the line"), (true, "pressed 1")] {
            let (mut record, agent) = consent_call(true, press_one);
            let s1 = person("s1", Role::Supervisor, ModeSet::ALL);
            arrive(&mut record, &s1);
            let refused = request(&mut record, &s1, set_mode(Mode::Monitor, false), None).unwrap_err();
            assert_eq!(refused.code(), "awaiting_consent");
            let effects = request(&mut record, &agent, CallRequest::Consent, Some(1))
                .expect("the hub consents for the caller");
            let row = effects.audit.iter().find(|row| row.kind == "consent").expect("audited");
            assert_eq!(row.actor_role, Role::Agent);
            assert!(row.detail.as_deref().unwrap().contains(how), "{:?}", row.detail);
            request(&mut record, &s1, set_mode(Mode::Monitor, false), None).expect("monitor after consent");
        }
    }

    #[test]
    fn an_agent_cannot_consent_for_a_web_customer() {
        let (mut record, agent) = consent_call(false, false);
        let before = record.clone();
        let refused = request(&mut record, &agent, CallRequest::Consent, Some(1)).unwrap_err();
        assert_eq!((refused.code(), refused.reference()), ("not_allowed", Some(1)));
        assert_eq!(record, before, "nothing changed");
        let s1 = person("s1", Role::Supervisor, ModeSet::ALL);
        assert!(request(&mut record, &s1, CallRequest::Consent, None).is_err(), "nor a supervisor");
    }
}
