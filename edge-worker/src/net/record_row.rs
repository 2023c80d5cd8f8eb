//! An object's whole record as one JSON row in its SQLite storage.
//!
//! Written on every change (every mode switch, for a call). A synchronous `sql.exec` instead of the
//! asynchronous key-value `put`: nothing can run between the write and the object's cache update (a
//! `put`'s await let other requests in, whose changes the cache update then erased), it commits with
//! the audit row written alongside, and it measured slightly cheaper (docs/bench/worker.md).

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::SqlStorage;

const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS record (id INTEGER PRIMARY KEY CHECK (id = 0), json TEXT NOT NULL)";

/// The record table of one object.
pub struct RecordRow {
    sql: SqlStorage,
}

#[derive(Deserialize)]
struct Row {
    json: String,
}

impl RecordRow {
    /// Opens the table, creating it unless `created` says this object already did.
    pub fn open(sql: SqlStorage, created: &Cell<bool>) -> worker::Result<RecordRow> {
        if !created.get() {
            sql.exec(SCHEMA, None)?;
            created.set(true);
        }
        Ok(RecordRow { sql })
    }

    pub fn read<T: DeserializeOwned>(&self) -> worker::Result<Option<T>> {
        let rows: Vec<Row> = self.sql.exec("SELECT json FROM record WHERE id = 0", None)?.to_array()?;
        rows.first().map(|row| Ok(serde_json::from_str(&row.json)?)).transpose()
    }

    pub fn write<T: Serialize>(&self, record: &T) -> worker::Result<()> {
        let json = serde_json::to_string(record)?;
        self.sql.exec("INSERT OR REPLACE INTO record (id, json) VALUES (0, ?)", vec![json.into()])?;
        Ok(())
    }
}
