//! The archive's D1 database (binding `INDEX`): its schema, applied by the worker itself once per
//! isolate from `migrations/*.sql` (every statement idempotent, so local `wrangler dev` needs no
//! migration step and `wrangler d1 migrations apply` remains possible), and typed queries.
//!
//! Results are read as JSON text and parsed with serde_json: `D1Result::results` would add
//! serde-wasm-bindgen's deserializer for each row type to the bundle.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use worker::wasm_bindgen::JsValue;
use worker::wasm_bindgen_futures::JsFuture;
use worker::{js_sys, D1Database, D1PreparedStatement, Env, Result};

/// Every migration, in order.
const MIGRATIONS: [&str; 4] = [
    include_str!("../migrations/0001_recordings.sql"),
    include_str!("../migrations/0002_reports.sql"),
    include_str!("../migrations/0003_compliance.sql"),
    include_str!("../migrations/0004_qa.sql"),
];
/// Set once this isolate has applied [`MIGRATIONS`].
static SCHEMA_APPLIED: AtomicBool = AtomicBool::new(false);

/// What a D1 statement answered, read through JSON.
#[derive(Deserialize)]
struct Answer<T> {
    #[serde(default = "Vec::new")]
    results: Vec<T>,
}

/// A migration's statements (comments dropped, split on `;`).
fn statements(sql: &str) -> Vec<String> {
    let code: String =
        sql.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    code.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A whole number as a D1 parameter (JavaScript numbers are exact to 2^53: ms timestamps fit).
pub fn num(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

/// SQLite has no booleans: 0 and 1 come back as numbers.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    Ok(u8::deserialize(d)? != 0)
}

/// The database handle; clones share it (the archive's stores each hold one).
#[derive(Clone)]
pub struct Db {
    db: Rc<D1Database>,
}

impl Db {
    /// Opens the `INDEX` database, applying the schema on this isolate's first use.
    pub async fn open(env: &Env) -> Result<Db> {
        let db = env.d1("INDEX")?;
        if !SCHEMA_APPLIED.load(Ordering::Relaxed) {
            let batch = MIGRATIONS.iter().flat_map(|m| statements(m)).map(|s| db.prepare(s)).collect();
            db.batch(batch).await?;
            SCHEMA_APPLIED.store(true, Ordering::Relaxed);
        }
        Ok(Db { db: Rc::new(db) })
    }

    /// A statement with its parameters bound, for [`Db::batch`].
    pub fn statement(&self, sql: &str, params: &[JsValue]) -> Result<D1PreparedStatement> {
        self.db.prepare(sql).bind(params)
    }

    /// Runs one statement; its rows (a write's `RETURNING *`: none when no row matched).
    pub async fn rows<T: DeserializeOwned>(&self, sql: &str, params: &[JsValue]) -> Result<Vec<T>> {
        let statement = self.statement(sql, params)?;
        let value = JsFuture::from(statement.inner().all()?).await?;
        let text: String = js_sys::JSON::stringify(&value)?.into();
        Ok(serde_json::from_str::<Answer<T>>(&text)?.results)
    }

    /// Runs statements in one transaction.
    pub async fn batch(&self, statements: Vec<D1PreparedStatement>) -> Result<()> {
        if !statements.is_empty() {
            self.db.batch(statements).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_splits_into_idempotent_statements() {
        let parts: Vec<String> = MIGRATIONS.iter().flat_map(|m| statements(m)).collect();
        assert!(parts.len() >= 8, "{parts:#?}");
        assert!(parts.iter().all(|s| s.contains("IF NOT EXISTS")), "every statement is idempotent");
        assert!(parts.iter().all(|s| !s.contains("--")));
    }

    #[test]
    fn rows_read_from_d1_json() {
        #[derive(Deserialize)]
        struct Row {
            n: u64,
            #[serde(deserialize_with = "flag")]
            on: bool,
        }
        let text = r#"{"results":[{"n":1795317410854,"on":1}],"meta":{"changes":0,"duration":0.1}}"#;
        let answer: Answer<Row> = serde_json::from_str(text).unwrap();
        assert_eq!((answer.results[0].n, answer.results[0].on), (1_795_317_410_854, true));
        let none: Answer<Row> = serde_json::from_str(r#"{"results":[],"meta":{"changes":0}}"#).unwrap();
        assert!(none.results.is_empty());
    }
}
