-- Score flags (engine/score-flags.ts): what makes a tutor look at a rehearsal first, filed per
-- record so that the review inbox filters by them from an index. Written with the record by
-- store/sqlite-evidence-store.ts; this file also files the records already stored.

-- A row per flag a record has (none for a record with no flag). Removed with its record: a damaged
-- record set aside takes its flags with it.
CREATE TABLE evidence_flag (
  id TEXT NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
  flag TEXT NOT NULL,
  PRIMARY KEY (id, flag)
) WITHOUT ROWID;

-- The primary key finds a record's own flags (to file it again); this finds a flag's records.
CREATE INDEX evidence_flag_by_flag ON evidence_flag (flag, id);

-- The records already stored, flagged from their JSON as scoreFlagsOf flags a report, so the
-- migration needs no code and is applied once, in its transaction, like any other:
-- authority-breach: at least one breach; very-low: the levelled dimensions (level not null) average
-- below 1; very-high: every levelled dimension at 3, with no breach; no levelled dimension, neither.
-- A version 1 record keeps its report at the same paths. A row that is not JSON, or not shaped like
-- a record, gets no flag and fails nothing: it is set aside when it is read, as before.
WITH reading AS (
  SELECT id, CASE WHEN json_valid(record) THEN record END AS json FROM evidence
),
dimension_level AS (
  -- CASE, not AND: only CASE is sure to look at the level of a dimension only when it is an object.
  SELECT reading.id AS id,
    CASE WHEN dimension.type = 'object' THEN
      CASE json_type(dimension.value, '$.level') WHEN 'integer' THEN json_extract(dimension.value, '$.level') END
    END AS level
  FROM reading, json_each(reading.json, '$.report.dimensions') AS dimension
),
levels AS (
  -- avg, min and max pass over nulls: a record with no levelled dimension has none of them.
  SELECT id, avg(level) AS mean, min(level) AS lowest, max(level) AS highest FROM dimension_level GROUP BY id
),
scored AS (
  SELECT reading.id AS id, coalesce(json_array_length(reading.json, '$.report.breaches'), 0) > 0 AS breached,
    levels.mean AS mean, levels.lowest AS lowest, levels.highest AS highest
  FROM reading LEFT JOIN levels ON levels.id = reading.id
)
INSERT INTO evidence_flag (id, flag)
SELECT id, 'authority-breach' FROM scored WHERE breached
UNION ALL
SELECT id, 'very-low' FROM scored WHERE mean < 1
UNION ALL
SELECT id, 'very-high' FROM scored WHERE NOT breached AND lowest = 3 AND highest = 3;
