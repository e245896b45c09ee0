-- screener review store, migration 0007: a review's identity, and offline copies
-- that merge back (screener checkout / screener merge, screener.flows.offline).

-- Each review has a stable random id; an offline copy carries its review's id, so a merge
-- knows a copy of this review from a copy of another. New reviews get one at create
-- (screener.storage.review.create_review).
ALTER TABLE review ADD COLUMN uid TEXT NOT NULL DEFAULT '';
UPDATE review SET uid = lower(hex(randomblob(16))) WHERE uid = '';

-- (IF NOT EXISTS, as in 0005: a file rebuilt to an earlier version by hand may keep these.)
-- Only in an offline copy: whom it is for, and the point of the review's history it was taken
-- at (the last decision and note then). A review file itself has no row here.
CREATE TABLE IF NOT EXISTS offline_copy (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    uid               TEXT NOT NULL,                    -- the copy's own id
    reviewer_id       INTEGER NOT NULL REFERENCES reviewer (id),
    taken_at          TEXT NOT NULL,
    last_decision_id  INTEGER NOT NULL,
    last_note_id      INTEGER NOT NULL
);

-- Only in an offline copy: the rows of the tables that are changed in place (tags, full texts,
-- extraction values, risk-of-bias judgements) as the copy held them when it was made, so a
-- merge tells what the reviewer changed offline. key and value are JSON.
CREATE TABLE IF NOT EXISTS offline_base (
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- In a review: every row a merge brought in from a copy, by its origin (the copy's id, the
-- kind of row and its key in the copy), so merging a copy again adds nothing twice. main_id:
-- the row appended here (decisions, notes); value: what was applied, previous: what the
-- review held before (JSON; NULL for none), for the rows changed in place.
CREATE TABLE IF NOT EXISTS merged_row (
    copy_uid   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    main_id    INTEGER,
    value      TEXT,
    previous   TEXT,
    merged_at  TEXT NOT NULL,
    PRIMARY KEY (copy_uid, kind, key)
) WITHOUT ROWID;
