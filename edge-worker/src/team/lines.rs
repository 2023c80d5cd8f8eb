//! The team's live-call lines in SQLite: one row per call in the team object's storage.
//!
//! A mode switch changes one call's line; storing the lines inside the team record meant rewriting
//! every line of the team on every switch. As rows, a switch writes one small row, and the rest of the
//! team record (agents, queue, sessions) stays one JSON value that changes only with them.

use std::cell::Cell;

use serde::Deserialize;
use worker::SqlStorage;

use crate::call::views::CallSummary;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS call_lines (call_id TEXT PRIMARY KEY, line TEXT NOT NULL)";

/// Durable Object SQL binds at most 100 parameters per statement; a row takes two.
const ROWS_PER_STATEMENT: usize = 50;

/// The call-line table of one team.
pub struct CallLines {
    sql: SqlStorage,
}

#[derive(Deserialize)]
struct Row {
    line: String,
}

impl CallLines {
    /// Opens the table, creating it unless `created` says this object already did.
    pub fn open(sql: SqlStorage, created: &Cell<bool>) -> worker::Result<CallLines> {
        if !created.get() {
            sql.exec(SCHEMA, None)?;
            created.set(true);
        }
        Ok(CallLines { sql })
    }

    /// Stores (or replaces) these lines, in as few statements as the bound-parameter limit allows.
    pub fn put_all(&self, lines: &[&CallSummary]) -> worker::Result<()> {
        for chunk in lines.chunks(ROWS_PER_STATEMENT) {
            let rows = vec!["(?, ?)"; chunk.len()].join(", ");
            let mut values = Vec::with_capacity(chunk.len() * 2);
            for line in chunk {
                values.push(line.call_id.as_str().into());
                values.push(serde_json::to_string(line)?.into());
            }
            self.sql
                .exec(&format!("INSERT OR REPLACE INTO call_lines (call_id, line) VALUES {rows}"), values)?;
        }
        Ok(())
    }

    pub fn remove(&self, call_id: &str) -> worker::Result<()> {
        self.sql.exec("DELETE FROM call_lines WHERE call_id = ?", vec![call_id.into()])?;
        Ok(())
    }

    /// Every stored line (order is the caller's business: the record keys them by call id).
    pub fn all(&self) -> worker::Result<Vec<CallSummary>> {
        let rows: Vec<Row> = self.sql.exec("SELECT line FROM call_lines", None)?.to_array()?;
        rows.iter().map(|row| Ok(serde_json::from_str(&row.line)?)).collect()
    }
}
