-- screener review store, migration 0005: prioritised screening and the stopping rule.
-- (IF NOT EXISTS: a file rebuilt to an earlier version by hand, as the tests of older
-- migrations do, may keep these tables.)

-- Each reviewer's queue order at a stage. 'auto' (no row means auto): most relevant first once
-- the reviewer has an include and an exclude, file order before; 'relevance'; 'file' (the order
-- records entered the review); 'random' (a permutation fixed by seed).
CREATE TABLE IF NOT EXISTS queue_order (
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    stage        TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
    mode         TEXT NOT NULL CHECK (mode IN ('auto', 'relevance', 'file', 'random')),
    seed         INTEGER NOT NULL DEFAULT 0,
    changed_at   TEXT NOT NULL,
    PRIMARY KEY (reviewer_id, stage)
);

-- A reviewer's latest relevance ranking: every record of the stage, most relevant first
-- (record_ids: little-endian int64) with its score (scores: little-endian float32), trained on
-- 'labels' decisions the reviewer may learn from (own and final ones; screener.flows.ranking).
-- labels_key fingerprints those decisions, so a ranking is known to be current without
-- training again. One row per reviewer and stage, replaced by each training.
CREATE TABLE IF NOT EXISTS ranking (
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    stage        TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
    record_ids   BLOB NOT NULL,
    scores       BLOB NOT NULL,
    labels       INTEGER NOT NULL,
    includes     INTEGER NOT NULL,
    labels_key   TEXT NOT NULL,
    model        TEXT NOT NULL,          -- the model and its settings, JSON
    seconds      REAL NOT NULL,          -- how long the training and scoring took
    trained_at   TEXT NOT NULL,
    PRIMARY KEY (reviewer_id, stage)
);

-- The random sample of the stopping rule: the records no one had screened when it began (the
-- urn), in the order of a seeded permutation (record_ids: little-endian int64). The sample is the
-- longest run of that order, from its start, whose records all have a final decision.
-- includes_before: relevant records found outside the urn when it began.
CREATE TABLE IF NOT EXISTS stopping_sample (
    id               INTEGER PRIMARY KEY,
    stage            TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
    seed             INTEGER NOT NULL,
    record_ids       BLOB NOT NULL,
    includes_before  INTEGER NOT NULL,
    reviewer_id      INTEGER NOT NULL REFERENCES reviewer (id),
    started_at       TEXT NOT NULL
);

-- A lead stopped screening by the rule: the test's figures at that moment. The records no one
-- had screened then are listed in stopped_record ("not screened: stopping rule"); PRISMA counts
-- them as marked ineligible by automation tools. An undone stop keeps its row (undone_at).
CREATE TABLE IF NOT EXISTS screening_stop (
    id               INTEGER PRIMARY KEY,
    stage            TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
    sample_id        INTEGER REFERENCES stopping_sample (id),
    reviewer_id      INTEGER NOT NULL REFERENCES reviewer (id),
    recall_target    REAL NOT NULL,
    confidence       REAL NOT NULL,
    records          INTEGER NOT NULL,   -- records of the stage
    screened         INTEGER NOT NULL,   -- records with a final decision
    includes         INTEGER NOT NULL,   -- of them included (r_seen)
    urn              INTEGER NOT NULL,   -- N
    sampled          INTEGER NOT NULL,   -- n
    sample_includes  INTEGER NOT NULL,   -- k
    includes_before  INTEGER NOT NULL,   -- r_AL
    k_target         INTEGER NOT NULL,   -- K_tar
    p_value          REAL NOT NULL,
    recall_estimate  REAL,
    recall_low       REAL,
    recall_high      REAL,
    marked           INTEGER NOT NULL,   -- records marked not screened
    stopped_at       TEXT NOT NULL,
    undone_at        TEXT,
    undone_by        INTEGER REFERENCES reviewer (id)
);

CREATE TABLE IF NOT EXISTS stopped_record (
    stop_id    INTEGER NOT NULL REFERENCES screening_stop (id),
    record_id  INTEGER NOT NULL REFERENCES record (id),
    PRIMARY KEY (stop_id, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stopped_record_record ON stopped_record (record_id);
