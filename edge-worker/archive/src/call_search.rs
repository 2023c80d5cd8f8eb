//! Finding calls to review: the filters of the ended-calls list (agent, supervisor, outcome, reviewed or
//! not, a health flag raised, a listening mode used, help raised), read from the query with every
//! problem named, as one SQL condition over `calls c`; and a random sample of N unreviewed calls per
//! agent. Pure but for [`sample`], which runs the query.
//!
//! Endpoints (docs/PROTOCOL.md): the filters of `GET /api/reports/calls`, and
//! `GET /api/reports/calls/sample?n=&from=&to=`.

use earshot_wire::body::now_ms;
use earshot_wire::identity::Identity;
use worker::wasm_bindgen::JsValue;
use worker::{Request, Response};

use crate::caller;
use crate::db::num;
use crate::error::ArchiveError;
use crate::rules;
use crate::{Archive, Outcome};

/// The listening modes a `mode=` filter accepts.
const MODES: [&str; 4] = ["monitor", "whisper", "barge", "takeover"];
/// The most unreviewed calls a sample draws per agent.
pub const MAX_SAMPLE: u32 = 20;

/// The list's filters as one SQL condition (`AND`ed onto the team and window) and its parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    pub sql: String,
    pub params: Vec<FilterValue>,
}

/// A filter's bound value.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    Text(String),
}

impl FilterValue {
    pub fn js(&self) -> JsValue {
        match self {
            FilterValue::Text(t) => t.as_str().into(),
        }
    }
}

/// An id or a word as the API takes it (no percent-decoding needed): 1-64 of `A-Z a-z 0-9 - _ .`.
fn plain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

fn yes_no(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl Filters {
    /// The filters in `url`'s query; every malformed one named.
    pub fn from_url(url: &str) -> Result<Filters, ArchiveError> {
        let mut f = Filters::default();
        let mut problems = Vec::new();
        let text = |name: &str, clause: &str, f: &mut Filters, problems: &mut Vec<String>| {
            if let Some(v) = rules::query_value(url, name) {
                if plain(v) {
                    f.sql.push_str(clause);
                    f.params.push(FilterValue::Text(v.to_owned()));
                } else {
                    problems.push(format!("{name} must be an id (letters, digits, - _ .)"));
                }
            }
        };
        text("agent", " AND c.agent_id = ?", &mut f, &mut problems);
        text(
            "supervisor",
            " AND EXISTS (SELECT 1 FROM spans s WHERE s.call_id = c.call_id AND s.supervisor_id = ?)",
            &mut f,
            &mut problems,
        );
        text(
            "flag",
            " AND EXISTS (SELECT 1 FROM json_each(c.timeline, '$.flags') j WHERE json_extract(j.value, '$.kind') = ?)",
            &mut f,
            &mut problems,
        );
        if let Some(mode) = rules::query_value(url, "mode") {
            if MODES.contains(&mode) {
                f.sql.push_str(" AND EXISTS (SELECT 1 FROM json_each(c.modes) m WHERE m.value = ?)");
                f.params.push(FilterValue::Text(mode.to_owned()));
            } else {
                problems.push(format!("mode must be one of {}", MODES.join(", ")));
            }
        }
        let mut flag = |name: &str, on: &str, off: &str| match rules::query_value(url, name).map(yes_no) {
            None => {}
            Some(Some(true)) => f.sql.push_str(on),
            Some(Some(false)) => f.sql.push_str(off),
            Some(None) => problems.push(format!("{name} must be yes or no")),
        };
        let reviewed = " EXISTS (SELECT 1 FROM reviews v WHERE v.call_id = c.call_id)";
        flag("reviewed", &format!(" AND{reviewed}"), &format!(" AND NOT{reviewed}"));
        flag(
            "resolved",
            " AND EXISTS (SELECT 1 FROM reviews v WHERE v.call_id = c.call_id AND v.resolved = 1)",
            " AND EXISTS (SELECT 1 FROM reviews v WHERE v.call_id = c.call_id AND v.resolved = 0)",
        );
        flag("help", " AND c.help_requests > 0", " AND c.help_requests = 0");
        if problems.is_empty() {
            Ok(f)
        } else {
            Err(ArchiveError::Invalid(problems))
        }
    }
}

/// `GET /api/reports/calls/sample?n=&from=&to=`: up to `n` unreviewed calls per agent, drawn at random
/// from the window (other filters apply as on the list), grouped by agent.
pub async fn sample(req: &Request, archive: &Archive, who: &Identity) -> Outcome {
    caller::supervisor(who, "review calls")?;
    let url = req.inner().url();
    let (from, to) = rules::list_window(&url, now_ms())?;
    let n = rules::query_value(&url, "n").map_or(Ok(1), |v| rules::number(v, "n", MAX_SAMPLE))?;
    let filters = Filters::from_url(&url)?;
    let sql = format!(
        "SELECT call_id, agent_id, agent_name, customer_label, started_at FROM (
           SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.agent_id ORDER BY random()) AS pick FROM calls c
           WHERE c.team = ? AND c.started_at >= ? AND c.started_at < ?
             AND NOT EXISTS (SELECT 1 FROM reviews v WHERE v.call_id = c.call_id){})
         WHERE pick <= ? ORDER BY agent_id, started_at",
        filters.sql
    );
    let mut params = vec![who.team.as_str().into(), num(from), num(to)];
    params.extend(filters.params.iter().map(FilterValue::js));
    params.push(n.into());
    let rows: Vec<serde_json::Value> = archive.db.rows(&sql, &params).await?;
    Ok(Response::from_json(
        &serde_json::json!({ "team": who.team, "from": from, "to": to, "n": n, "calls": rows }),
    )?)
}

/// The ended-calls list of `[from, to)` behind a report row: filtered to `by=id` (`by` is `agent` or
/// `supervisor`, the filter of the same name), or the whole window for the team's totals (`None`).
pub fn calls_path(from: u64, to: u64, filter: Option<(&str, &str)>) -> String {
    let base = format!("/api/reports/calls?from={from}&to={to}");
    match filter {
        Some((by, id)) => format!("{base}&{by}={id}"),
        None => base,
    }
}

/// A report row as JSON with its `calls_path` added.
pub fn with_calls_path<T: serde::Serialize>(
    row: &T,
    path: String,
) -> Result<serde_json::Value, ArchiveError> {
    let mut line = serde_json::to_value(row)?;
    line["calls_path"] = path.into();
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_filter_adds_its_condition_and_value() {
        let f = Filters::from_url(
            "https://a/x?agent=a1&supervisor=s.2&mode=barge&reviewed=no&help=yes&flag=customer_loud",
        )
        .unwrap();
        let values: Vec<&FilterValue> = f.params.iter().collect();
        assert_eq!(
            values,
            [
                &FilterValue::Text("a1".into()),
                &FilterValue::Text("s.2".into()),
                &FilterValue::Text("customer_loud".into()),
                &FilterValue::Text("barge".into())
            ]
        );
        assert_eq!(f.sql.matches('?').count(), 4);
        assert!(f.sql.contains("AND NOT EXISTS (SELECT 1 FROM reviews"));
        assert!(f.sql.contains("c.help_requests > 0"));
        assert_eq!(Filters::from_url("https://a/x").unwrap(), Filters::default());
    }

    #[test]
    fn every_malformed_filter_is_named() {
        let err = Filters::from_url("https://a/x?agent=a%20b&mode=shout&reviewed=maybe&help=1").unwrap_err();
        let ArchiveError::Invalid(problems) = err else { panic!("{err}") };
        assert_eq!(
            problems,
            [
                "agent must be an id (letters, digits, - _ .)",
                "mode must be one of monitor, whisper, barge, takeover",
                "reviewed must be yes or no",
                "help must be yes or no",
            ]
        );
    }
}
