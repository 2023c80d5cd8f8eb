-- Quality assurance (D1): each team's scorecard versions and every saved version of every review.
-- Applied by the worker itself, like 0001-0002; every statement is idempotent.
--
-- A team that never saved a scorecard scores on the default form (the four original criteria), which
-- is its version 1 and has no row; each save adds the next version and never changes an older one, so a
-- review keeps the form it was scored on (`review_versions.form_version`).
CREATE TABLE IF NOT EXISTS scorecards (
  team TEXT NOT NULL,
  version INTEGER NOT NULL,
  form TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_by_name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (team, version)
);
-- One row per save: (call, reviewer, version) with version 1, 2, … per reviewer of the call, so several
-- supervisors review one call and each keeps a history. `scores` and `notes` are JSON by criterion key;
-- `total` is the weighted percentage (NULL when every weighted criterion was N/A); `changes` is JSON, the
-- words for what this save changed from the reviewer's previous one. The 0002 `reviews` row keeps the
-- call's latest save (any reviewer), which the ended-calls list and the outcome shares read.
CREATE TABLE IF NOT EXISTS review_versions (
  call_id TEXT NOT NULL,
  team TEXT NOT NULL,
  reviewer_id TEXT NOT NULL,
  reviewer_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  reviewed_at INTEGER NOT NULL,
  form_version INTEGER NOT NULL,
  scores TEXT NOT NULL,
  notes TEXT NOT NULL,
  comment TEXT NOT NULL,
  resolved INTEGER NOT NULL,
  total REAL,
  auto_failed TEXT NOT NULL,
  changes TEXT NOT NULL,
  PRIMARY KEY (call_id, reviewer_id, version)
);
CREATE INDEX IF NOT EXISTS review_versions_by_team ON review_versions (team, reviewed_at);
-- The agent's answers to a review of their call: an acknowledgement, or a dispute with a comment, of one
-- reviewer's review as it stood at `review_version` (a later save by the reviewer is shown as not yet
-- answered). One row per answer; the newest per (call, reviewer) is the one shown.
CREATE TABLE IF NOT EXISTS review_responses (
  call_id TEXT NOT NULL,
  team TEXT NOT NULL,
  reviewer_id TEXT NOT NULL,
  review_version INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  comment TEXT NOT NULL,
  responded_at INTEGER NOT NULL,
  PRIMARY KEY (call_id, reviewer_id, responded_at)
);
-- Reviewers' notes pinned to a moment (`at`) or a span (`at`..`to`) of the call, in ms since the epoch
-- like the review timeline's events.
CREATE TABLE IF NOT EXISTS timeline_comments (
  call_id TEXT NOT NULL,
  team TEXT NOT NULL,
  author_id TEXT NOT NULL,
  author_name TEXT NOT NULL,
  at INTEGER NOT NULL,
  until INTEGER,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (call_id, author_id, created_at)
);
