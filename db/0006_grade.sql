-- screener review store, migration 0006: GRADE judgements of saved analyses.
-- (IF NOT EXISTS: a file rebuilt to an earlier version by hand, as the tests of older
-- migrations do, may keep these tables.)

-- A reviewer's final judgement of one GRADE domain of one saved analysis, with the reason.
-- A history: a change appends a row, nothing is updated; the latest row (largest id) of an
-- analysis and domain counts. The suggestions are computed each time, never stored.
CREATE TABLE IF NOT EXISTS grade_judgement (
    id           INTEGER PRIMARY KEY,
    analysis_id  INTEGER NOT NULL REFERENCES analysis (id) ON DELETE CASCADE,
    domain       TEXT NOT NULL CHECK (domain IN ('risk_of_bias', 'inconsistency', 'indirectness',
                                                 'imprecision', 'publication_bias')),
    level        TEXT NOT NULL CHECK (level IN ('not serious', 'serious', 'very serious')),
    reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    made_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS grade_judgement_analysis ON grade_judgement (analysis_id, domain, id);

-- What the GRADE rules of an analysis start from, set by a reviewer: 'mid' (the minimally
-- important difference on the measure's natural scale, as text of a number; '' clears it) and
-- 'design' ('randomised' or 'observational', overriding the studies' recorded design; ''
-- clears it). A history as above: the latest row of an analysis and key counts.
CREATE TABLE IF NOT EXISTS grade_setting (
    id           INTEGER PRIMARY KEY,
    analysis_id  INTEGER NOT NULL REFERENCES analysis (id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (key IN ('mid', 'design')),
    value        TEXT NOT NULL,
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    made_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS grade_setting_analysis ON grade_setting (analysis_id, key, id);
