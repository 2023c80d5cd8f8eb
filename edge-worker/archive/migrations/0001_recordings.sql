-- The recording index (D1): one row per take (a call's recording made by one agent tab), and an audit
-- of deletions. The worker applies this file itself, once per isolate, before its first query, so
-- `wrangler dev` needs no migration step; every statement is idempotent, so
-- `wrangler d1 migrations apply earshot` may also run it (it does, in production, as migration 0001).
-- Audio lives in R2 under rec/<team>/<call_id>/<take>/<seq>; see docs/PROTOCOL.md.
CREATE TABLE IF NOT EXISTS recordings (
  call_id TEXT NOT NULL,
  take INTEGER NOT NULL,
  team TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  chunks INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  complete INTEGER NOT NULL DEFAULT 0,
  include_whisper INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (call_id, take)
);
CREATE INDEX IF NOT EXISTS recordings_by_team ON recordings (team, started_at);
CREATE INDEX IF NOT EXISTS recordings_by_expiry ON recordings (expires_at);
CREATE TABLE IF NOT EXISTS recording_deletions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  call_id TEXT NOT NULL,
  team TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  takes INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  bytes INTEGER NOT NULL
);
