-- Call summaries for post-call review and reports (D1). The call object sends each ended call's audit
-- trail; the archive stores the call (with its review timeline as JSON), one row per supervisor span in
-- a listening mode and one per help request, and the supervisors' reviews. Applied by the worker itself,
-- like 0001; every statement is idempotent.
CREATE TABLE IF NOT EXISTS calls (
  call_id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  customer_label TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  ended_reason TEXT NOT NULL,
  modes TEXT NOT NULL,
  help_requests INTEGER NOT NULL,
  timeline TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_by_team ON calls (team, started_at);
CREATE TABLE IF NOT EXISTS spans (
  call_id TEXT NOT NULL,
  team TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  call_started_at INTEGER NOT NULL,
  supervisor_id TEXT NOT NULL,
  supervisor_name TEXT NOT NULL,
  mode TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  -- 1 for a barge or takeover within the call's own early-barge window (its team's guard then).
  early INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (call_id, supervisor_id, started_at)
);
CREATE INDEX IF NOT EXISTS spans_by_team ON spans (team, call_started_at);
CREATE TABLE IF NOT EXISTS help_requests (
  call_id TEXT NOT NULL,
  team TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  call_started_at INTEGER NOT NULL,
  raised_at INTEGER NOT NULL,
  answered_at INTEGER,
  answered_by TEXT,
  PRIMARY KEY (call_id, raised_at)
);
CREATE INDEX IF NOT EXISTS help_by_team ON help_requests (team, call_started_at);
CREATE TABLE IF NOT EXISTS reviews (
  call_id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  reviewer_id TEXT NOT NULL,
  reviewer_name TEXT NOT NULL,
  reviewed_at INTEGER NOT NULL,
  scores TEXT NOT NULL,
  comment TEXT NOT NULL,
  resolved INTEGER NOT NULL
);
