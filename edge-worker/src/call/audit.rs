//! The audit trail: one SQLite table in each call's Durable Object storage, appended to on every
//! join, leave, mode change, help request, coaching message, consent, recording change and call end.
//! Durable Object storage survives hibernation, eviction and `wrangler dev` restarts.

use std::cell::Cell;

/// One audit row, before it gets its time and sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub kind: String,
    pub actor: String,
    pub actor_role: Role,
    pub target: Option<String>,
    pub from_mode: Option<Mode>,
    pub to_mode: Option<Mode>,
    pub detail: Option<String>,
}

use earshot_policy::{Mode, Role};
use serde::{Deserialize, Serialize};
use worker::{SqlStorage, SqlStorageValue};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    target TEXT,
    from_mode TEXT,
    to_mode TEXT,
    detail TEXT
)";

/// One stored row, as the read endpoint returns it and the archive receives it (the wire contract's).
pub use earshot_wire::call_end::AuditRow;

/// The audit table of one call.
pub struct AuditLog {
    sql: SqlStorage,
}

impl AuditLog {
    /// Opens the table, creating it unless `created` says this object already did (every change
    /// appends a row; re-running the schema each time was a measurable share of a mode switch).
    pub fn open(sql: SqlStorage, created: &Cell<bool>) -> worker::Result<AuditLog> {
        if !created.get() {
            sql.exec(SCHEMA, None)?;
            created.set(true);
        }
        Ok(AuditLog { sql })
    }

    /// Appends a row at `at` and returns it as stored (with its sequence number).
    pub fn append(&self, at: u64, entry: &AuditEntry) -> worker::Result<AuditRow> {
        #[derive(Deserialize)]
        struct Seq {
            seq: i64,
        }
        let text = |value: Option<&str>| value.map_or(SqlStorageValue::Null, SqlStorageValue::from);
        let mode = |mode: Option<Mode>| text(mode.map(Mode::name));
        let stored: Vec<Seq> = self
            .sql
            .exec(
                "INSERT INTO audit (at, kind, actor, actor_role, target, from_mode, to_mode, detail)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                vec![
                    SqlStorageValue::Integer(at as i64),
                    entry.kind.as_str().into(),
                    entry.actor.as_str().into(),
                    entry.actor_role.name().into(),
                    text(entry.target.as_deref()),
                    mode(entry.from_mode),
                    mode(entry.to_mode),
                    text(entry.detail.as_deref()),
                ],
            )?
            .to_array()?;
        let seq = stored.first().map_or(0, |row| row.seq);
        Ok(entry.clone().stored(seq, at))
    }

    /// When the latest row of one of `kinds` was written, if any.
    pub fn last_at(&self, kinds: &[&str]) -> worker::Result<Option<u64>> {
        #[derive(Deserialize)]
        struct At {
            at: i64,
        }
        let marks = vec!["?"; kinds.len()].join(", ");
        let query = format!("SELECT at FROM audit WHERE kind IN ({marks}) ORDER BY seq DESC LIMIT 1");
        let rows: Vec<At> = self
            .sql
            .exec(&query, kinds.iter().map(|k| SqlStorageValue::from(*k)).collect::<Vec<_>>())?
            .to_array()?;
        Ok(rows.first().map(|r| r.at as u64))
    }

    /// Every row, oldest first.
    pub fn read(&self) -> worker::Result<Vec<AuditRow>> {
        self.sql.exec("SELECT * FROM audit ORDER BY seq", None)?.to_array()
    }

    /// What a supervisor opening the call should see first: its [context](is_context)
    /// rows from `since` on, oldest first.
    pub fn context_since(&self, since: u64) -> worker::Result<Vec<AuditRow>> {
        let rows: Vec<AuditRow> = self
            .sql
            .exec(
                "SELECT * FROM audit WHERE at >= ? ORDER BY seq",
                vec![SqlStorageValue::Integer(since as i64)],
            )?
            .to_array()?;
        Ok(rows.into_iter().filter(is_context).collect())
    }
}

impl AuditEntry {
    /// The row this entry became when stored as number `seq` at `at`.
    fn stored(self, seq: i64, at: u64) -> AuditRow {
        let AuditEntry { kind, actor, actor_role, target, from_mode, to_mode, detail } = self;
        AuditRow { seq, at: at as i64, kind, actor, actor_role, target, from_mode, to_mode, detail }
    }
}

/// Whether a row belongs in a supervisor's view of the live call (its `context`): help, coaching,
/// health flags, secure pauses, and every supervisor's mode entries (joining in a mode, changing it, leaving one).
/// Other joins and leaves (the agent's, the customer's, a supervisor's socket closing after it left)
/// and the rest of the trail are for the review page.
pub fn is_context(row: &AuditRow) -> bool {
    match row.kind.as_str() {
        "help" | "coaching" | "flag_raised" | "flag_cleared" | "mode_change" | "pause_started"
        | "pause_ended" => true,
        "join" | "leave" => row.actor_role == Role::Supervisor && row.target.is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, actor_role: Role, target: Option<&str>) -> AuditRow {
        let entry = AuditEntry {
            kind: kind.to_owned(),
            actor: "s1".to_owned(),
            actor_role,
            target: target.map(str::to_owned),
            from_mode: None,
            to_mode: None,
            detail: None,
        };
        entry.stored(1, 0)
    }

    #[test]
    fn the_live_context_is_help_coaching_flags_and_supervisor_modes() {
        for kind in
            ["help", "coaching", "flag_raised", "flag_cleared", "mode_change", "pause_started", "pause_ended"]
        {
            assert!(is_context(&row(kind, Role::Supervisor, Some("s1"))), "{kind}");
        }
        // A supervisor entering or leaving a mode is context; their socket's own leave row is not.
        assert!(is_context(&row("join", Role::Supervisor, Some("s1"))));
        assert!(is_context(&row("leave", Role::Supervisor, Some("s1"))));
        assert!(!is_context(&row("leave", Role::Supervisor, None)));
        for kind in ["join", "rejoin", "leave"] {
            assert!(!is_context(&row(kind, Role::Agent, None)), "{kind}");
            assert!(!is_context(&row(kind, Role::Customer, None)), "{kind}");
        }
        for kind in ["consent", "recording", "end"] {
            assert!(!is_context(&row(kind, Role::Agent, None)), "{kind}");
        }
    }

    #[test]
    fn stored_names_read_back_as_the_policy_types() {
        for mode in Mode::ALL {
            let json = format!("\"{}\"", mode.name());
            assert_eq!(serde_json::from_str::<Mode>(&json).unwrap(), mode);
        }
        for role in [Role::Customer, Role::Agent, Role::Supervisor] {
            let json = format!("\"{}\"", role.name());
            assert_eq!(serde_json::from_str::<Role>(&json).unwrap(), role);
        }
    }
}
