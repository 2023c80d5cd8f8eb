-- Compliance controls (issue 21). Secure pauses of ended calls, one row per pause, so reports count
-- paused time apart from listening time. Applied by the worker itself, like 0001 and 0002; every
-- statement is idempotent.
CREATE TABLE IF NOT EXISTS pauses (
  call_id TEXT NOT NULL,
  team TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  call_started_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  PRIMARY KEY (call_id, started_at)
);
CREATE INDEX IF NOT EXISTS pauses_by_team ON pauses (team, call_started_at);
