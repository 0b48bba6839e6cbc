-- The first schema of the embedded SQLite store: bot state by key, evidence records with the
-- columns the tutor's listings filter and order by, and a table where damaged items are set aside.
-- Applied once, in a transaction, by store/sqlite-database.ts; never edited after release: a change
-- is a new numbered file.

-- Bot state, the rehearsal log and the turn lease (store/sqlite-key-value-store.ts).
-- value is JSON text; etag a random UUID per write; expires_at epoch milliseconds, NULL for never.
CREATE TABLE key_value (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  etag TEXT NOT NULL,
  expires_at INTEGER
);

-- Only rows that expire are indexed: the hourly sweep finds them without reading the rest.
CREATE INDEX key_value_expires_at ON key_value (expires_at) WHERE expires_at IS NOT NULL;

-- Evidence records (store/sqlite-evidence-store.ts). record is the whole record as JSON; the other
-- columns copy out of it what listings filter and order by. review_status lives here, not in the
-- record, because a record is the learner's evidence and the review is the tutor's.
-- No CHECK on review_status: adding a status later would then mean rebuilding the table.
CREATE TABLE evidence (
  id TEXT PRIMARY KEY NOT NULL,
  learner_id TEXT NOT NULL,
  scenario_id TEXT NOT NULL,
  problem_type TEXT NOT NULL,
  mode TEXT NOT NULL,
  ended_at_ms INTEGER NOT NULL,
  review_status TEXT NOT NULL DEFAULT 'unreviewed',
  record TEXT NOT NULL
);

-- Listings are newest first (ended_at_ms DESC, id DESC). One index for the unfiltered listing, and
-- one per filter with the order after it, so a filtered page is read in order from its index and
-- stops at the page's end instead of sorting every match.
CREATE INDEX evidence_by_end ON evidence (ended_at_ms DESC, id DESC);
CREATE INDEX evidence_by_learner ON evidence (learner_id, ended_at_ms DESC, id DESC);
CREATE INDEX evidence_by_scenario ON evidence (scenario_id, ended_at_ms DESC, id DESC);
CREATE INDEX evidence_by_problem_type ON evidence (problem_type, ended_at_ms DESC, id DESC);
CREATE INDEX evidence_by_mode ON evidence (mode, ended_at_ms DESC, id DESC);
CREATE INDEX evidence_by_review_status ON evidence (review_status, ended_at_ms DESC, id DESC);

-- Damaged items (a value that is not JSON, a record that is not an evidence record), moved here
-- when read so that they never break a conversation or a learner's history, and are never lost.
-- source is 'state' or 'evidence'; key the state key or the evidence id; at an ISO instant.
CREATE TABLE set_aside (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  content TEXT,
  problem TEXT NOT NULL,
  at TEXT NOT NULL
);
