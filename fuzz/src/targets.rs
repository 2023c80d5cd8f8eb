//! The fuzz targets: one per wire format that crosses a trust boundary, each with valid seeds and
//! the code that reads it, from the parse through everything the worker does with the result.

use earshot_archive::qa::Submission;
use earshot_archive::recordings::Completion;
use earshot_archive::scorecard::Form;
use earshot_archive::summary::{ended_at, ended_reason, summarize};
use earshot_edge::auth::base64url;
use earshot_edge::auth::identity::{Identity, TokenVerifier};
use earshot_edge::auth::webcrypto::ready;
use earshot_edge::call::lifecycle;
use earshot_edge::call::record::{CallInit, CallRecord};
use earshot_edge::call::requests;
use earshot_edge::protocol::{parse, parse_request};
use earshot_edge::settings::TeamSettings;
use earshot_edge::team::protocol::TeamRequest;
use earshot_health::HealthSample;
use earshot_policy::{Mode, ModeSet, Role};
use earshot_wire::call_end::CallEnd;
use earshot_wire::recording::{Retention, Sweep, TakePermit};

/// What a target does with one input: must return normally for every input (a panic is a
/// finding); says whether the parser accepted it.
pub type Reader = Box<dyn Fn(&[u8]) -> bool>;

/// One wire format: its seeds and what the worker does with an input of it.
pub struct Target {
    pub name: &'static str,
    pub seeds: Vec<Vec<u8>>,
    pub run: Reader,
}

/// The runtime hands the worker text frames and bodies as strings, invalid bytes replaced.
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn seeds(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// Every target, in the order the report lists them.
pub fn all() -> Vec<Target> {
    vec![
        call_frames(),
        team_frames(),
        health_samples(),
        tokens(),
        call_summaries(),
        qa_forms(),
        scorecards(),
        recording_bodies(),
    ]
}

const CALL_ID: &str = "c0ffee";
const NOW: u64 = 1_800_000_000_000;

fn person(sub: &str, role: Role, capabilities: &[Mode]) -> Identity {
    Identity {
        sub: sub.into(),
        name: format!("{sub} name"),
        role,
        team: "blue".into(),
        capabilities: ModeSet::of(capabilities),
        exemptions: ModeSet::EMPTY,
        call: (role == Role::Customer).then(|| CALL_ID.into()),
        aud: "earshot".into(),
    }
}

/// A call in progress: agent, customer, a full supervisor and a monitor-only one.
fn live_call() -> (CallRecord, [Identity; 4]) {
    let mut record = CallRecord::new(CallInit {
        call_id: CALL_ID.into(),
        team: "blue".into(),
        agent_id: "ana".into(),
        agent_name: "Ana".into(),
        agent_exempt_from: ModeSet::EMPTY,
        consent_required: true,
        settings: TeamSettings::default(),
        customer_label: "Lee".into(),
        phone: false,
        customer_sub: None,
        started_at: NOW - 600_000,
    });
    let people = [
        person("ana", Role::Agent, &[]),
        person("lee", Role::Customer, &[]),
        person("dana", Role::Supervisor, &[Mode::Monitor, Mode::Whisper, Mode::Barge, Mode::Takeover]),
        person("eli", Role::Supervisor, &[Mode::Monitor]),
    ];
    for who in &people {
        let admission = record.admit(who).expect("everyone here is admitted");
        record.open_session(who);
        lifecycle::join(&mut record, who, admission);
    }
    (record, people)
}

/// Call-room frames: parsed, then handled by the room as each participant in turn; the changed
/// record must still store and load as itself (it is kept as JSON).
fn call_frames() -> Target {
    let (record, people) = live_call();
    Target {
        name: "call frames",
        seeds: seeds(&[
            r#"{"type":"ping"}"#,
            r#"{"type":"ping","ref":1}"#,
            r#"{"type":"set_mode","mode":"barge","tone":true,"confirm":true,"ref":2}"#,
            r#"{"type":"set_mode","mode":"takeover"}"#,
            r#"{"type":"leave"}"#,
            r#"{"type":"signal","to":"agent","data":{"sdp":"v=0\r\n","type":"offer"}}"#,
            r#"{"type":"signal","to":"customer","data":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host"}}"#,
            r#"{"type":"consent","ref":3}"#,
            r#"{"type":"raise_hand","raised":true}"#,
            r#"{"type":"coach","text":"offer the refund \u00e9\u4e2d"}"#,
            r#"{"type":"set_recording","active":true}"#,
            r#"{"type":"end_call"}"#,
            r#"{"type":"health","window_ms":1000,"agent_talk_ms":400,"customer_talk_ms":300,"overtalk_ms":50,"silence_ms":0,"customer_db":-20.5,"customer_baseline_db":-24.0,"agent_talk_total_ms":90000,"customer_talk_total_ms":80000}"#,
            r#"{"type":"levels","levels":[{"party":"agent","db":-30.5},{"party":"customer","db":-90},{"party":{"supervisor":"dana"},"db":-12}],"hears":[{"party":"customer","db":-21}]}"#,
        ]),
        run: Box::new(move |bytes| {
            let Ok(frame) = parse_request(&text(bytes)) else { return false };
            let mut record = record.clone();
            let mut health = None;
            for who in &people {
                // A parsed frame is handled by one sender; the request is rebuilt for each.
                let Ok(again) = parse_request(&text(bytes)) else { unreachable!("parsed once") };
                let _ = requests::handle(&mut record, &mut health, who, again.body, frame.reference, NOW);
            }
            let stored = serde_json::to_string(&record).expect("a record always serializes");
            let loaded: CallRecord = serde_json::from_str(&stored).expect("a stored record loads");
            assert_eq!(loaded, record, "the record survives storage");
            true
        }),
    }
}

/// Team-socket frames, and the settings they carry as the team object checks them.
fn team_frames() -> Target {
    Target {
        name: "team frames",
        seeds: seeds(&[
            r#"{"type":"ping"}"#,
            r#"{"type":"set_available","available":true,"ref":4}"#,
            r#"{"type":"set_consent_required","required":false}"#,
            r#"{"type":"set_settings","settings":{"early_barge_minutes":3,"record_whisper":true,"retention_days":30,"health":{"dead_air_s":10,"loud_db":6}}}"#,
            r#"{"type":"set_settings","settings":{}}"#,
        ]),
        run: Box::new(|bytes| {
            let Ok(frame) = parse::<TeamRequest>(&text(bytes)) else { return false };
            if let TeamRequest::SetSettings { settings } = frame.body {
                if settings.validate().is_ok() {
                    let _ = settings.early_barge_ms();
                }
            }
            true
        }),
    }
}

/// The hub's health samples, as the room checks them before the flag tracker sees them.
fn health_samples() -> Target {
    Target {
        name: "health samples",
        seeds: seeds(&[
            r#"{"window_ms":1000,"agent_talk_ms":400,"customer_talk_ms":300,"overtalk_ms":50,"silence_ms":0,"customer_db":-20.5,"customer_baseline_db":-24.0,"agent_talk_total_ms":90000,"customer_talk_total_ms":80000}"#,
            r#"{"window_ms":1000,"agent_talk_ms":0,"customer_talk_ms":0,"overtalk_ms":0,"silence_ms":14000,"customer_db":null,"customer_baseline_db":null,"agent_talk_total_ms":0,"customer_talk_total_ms":0}"#,
        ]),
        run: Box::new(|bytes| {
            let Ok(sample) = serde_json::from_str::<HealthSample>(&text(bytes)) else { return false };
            if sample.validate().is_ok() {
                let _ = sample.agent_talk_ratio();
            }
            true
        }),
    }
}

/// Identity tokens: signed with the trusted key as seeds, so mutations reach every check after the
/// signature too (a mutated token fails it, except where the mutation is in what is not signed).
fn tokens() -> Target {
    use ed25519_compact::{KeyPair, Seed};
    let pair = KeyPair::from_seed(Seed::new([7; 32]));
    let verifier = TokenVerifier::new(&base64url::encode(pair.pk.as_ref()), "earshot").expect("a key");
    let sign = |header: &str, claims: &str| {
        let input =
            format!("{}.{}", base64url::encode(header.as_bytes()), base64url::encode(claims.as_bytes()));
        format!("{input}.{}", base64url::encode(pair.sk.sign(input.as_bytes(), None).as_ref()))
    };
    let header = r#"{"alg":"EdDSA","typ":"JWT"}"#;
    let exp = NOW / 1000 + 600;
    let token_seeds = vec![
        sign(
            header,
            &format!(
                r#"{{"sub":"ana","name":"Ana","role":"agent","team":"blue","aud":"earshot","exp":{exp}}}"#
            ),
        ),
        sign(
            header,
            &format!(
                r#"{{"sub":"dana","name":"Dana","role":"supervisor","team":"blue","capabilities":["monitor","barge"],"aud":"earshot","nbf":{},"exp":{exp}}}"#,
                exp - 900
            ),
        ),
        sign(
            header,
            &format!(
                r#"{{"sub":"lee","name":"Lee","role":"customer","team":"blue","call":"c0ffee","aud":"earshot","exp":{exp}}}"#
            ),
        ),
        sign(r#"{"alg":"none"}"#, r#"{"sub":"x"}"#),
    ];
    Target {
        name: "tokens",
        seeds: token_seeds.into_iter().map(String::into_bytes).collect(),
        run: Box::new(move |bytes| ready(verifier.verify(&text(bytes), (NOW / 1000) as i64)).is_ok()),
    }
}

/// An ended call's summary as the archive receives it from a call object, and the summary the
/// archive computes from it (spans, help, early barges).
fn call_summaries() -> Target {
    Target {
        name: "archive: call summaries",
        seeds: seeds(&[
            r#"{"init":{"call_id":"c0ffee","team":"blue","agent_id":"ana","agent_name":"Ana","customer_label":"Lee","started_at":1000,"settings":{"early_barge_minutes":3}},"names":{"dana":"Dana"},"audit":[{"seq":1,"at":2000,"kind":"join","actor":"dana","actor_role":"supervisor","target":"dana","to_mode":"monitor","detail":null},{"seq":2,"at":5000,"kind":"set_mode","actor":"dana","actor_role":"supervisor","target":"dana","to_mode":"barge","detail":"early"},{"seq":3,"at":6000,"kind":"help","actor":"ana","actor_role":"agent","target":null,"to_mode":null,"detail":"raised"},{"seq":4,"at":9000,"kind":"end","actor":"ana","actor_role":"agent","target":null,"to_mode":null,"detail":"ended by the agent"}]}"#,
            r#"{"init":{"call_id":"c","team":"t","agent_id":"a","agent_name":"A","customer_label":"","started_at":0,"settings":{"early_barge_minutes":0}},"audit":[]}"#,
        ]),
        run: Box::new(|bytes| {
            let Ok(call) = serde_json::from_str::<CallEnd>(&text(bytes)) else { return false };
            let _ = summarize(&call);
            let _ = (ended_at(&call), ended_reason(&call));
            true
        }),
    }
}

/// A reviewer's QA form.
fn qa_forms() -> Target {
    Target {
        name: "archive: QA forms",
        seeds: seeds(&[
            r#"{"scores":{"greeting":5,"empathy":4,"accuracy":3,"compliance":1},"comment":"  good save ","resolved":true}"#,
            r#"{"scores":{},"resolved":false}"#,
        ]),
        run: Box::new(|bytes| {
            let Ok(form) = serde_json::from_str::<Submission>(&text(bytes)) else { return false };
            form.checked(&Form::default_form()).is_ok()
        }),
    }
}

/// A team's scorecard, as a supervisor saves it from the form editor.
fn scorecards() -> Target {
    Target {
        name: "archive: scorecards",
        seeds: vec![serde_json::to_vec(&Form::default_form()).expect("the default form serializes")],
        run: Box::new(|bytes| {
            let Ok(form) = serde_json::from_str::<Form>(&text(bytes)) else { return false };
            form.checked().is_ok()
        }),
    }
}

/// The recording endpoints' small bodies (a new take, a completion, a retention, the sweep).
fn recording_bodies() -> Target {
    Target {
        name: "archive: recording bodies",
        seeds: seeds(&[
            r#"{"agent_id":"ana","include_whisper":false,"retention_ms":2592000000}"#,
            r#"{"chunks":12}"#,
            r#"{"span_ms":86400000}"#,
            r#"{"now":1800000000000}"#,
        ]),
        run: Box::new(|bytes| {
            let body = text(bytes);
            serde_json::from_str::<TakePermit>(&body).is_ok()
                | serde_json::from_str::<Completion>(&body).is_ok()
                | serde_json::from_str::<Retention>(&body).is_ok()
                | serde_json::from_str::<Sweep>(&body).is_ok()
        }),
    }
}
