-- screener review store, migration 0001: the whole pipeline's schema.
-- Released migrations are never edited: add 0002_*.sql etc. The number in the file name is the
-- schema version stored in PRAGMA user_version after the file has run.
--
-- Conventions: times are ISO 8601 UTC text; lists are JSON arrays in *_json columns; "stage" is
-- 'title_abstract' or 'full_text'; nothing a reviewer did is ever deleted (history tables are
-- append-only, current state is kept in small tables updated in the same transaction).

-- The review: one row.
CREATE TABLE review (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    title               TEXT NOT NULL CHECK (length(trim(title)) > 0),
    question            TEXT NOT NULL DEFAULT '',
    population          TEXT NOT NULL DEFAULT '',
    intervention        TEXT NOT NULL DEFAULT '',
    comparator          TEXT NOT NULL DEFAULT '',
    outcomes            TEXT NOT NULL DEFAULT '',
    study_designs       TEXT NOT NULL DEFAULT '',
    inclusion_criteria  TEXT NOT NULL DEFAULT '',
    exclusion_criteria  TEXT NOT NULL DEFAULT '',
    protocol_id         TEXT NOT NULL DEFAULT '',   -- e.g. PROSPERO CRD42023...
    reviewers_title_abstract INTEGER NOT NULL DEFAULT 1 CHECK (reviewers_title_abstract IN (1, 2)),
    reviewers_full_text      INTEGER NOT NULL DEFAULT 1 CHECK (reviewers_full_text IN (1, 2)),
    blind               INTEGER NOT NULL DEFAULT 1 CHECK (blind IN (0, 1)),
    maybe_counts_as     TEXT NOT NULL DEFAULT 'include' CHECK (maybe_counts_as IN ('include', 'exclude')),
    ncbi_email          TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL
);

-- Free-form settings later stages need without a migration (key -> JSON value).
CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE exclusion_reason (
    id        INTEGER PRIMARY KEY,
    label     TEXT NOT NULL CHECK (length(trim(label)) > 0),
    stage     TEXT CHECK (stage IN ('title_abstract', 'full_text')),   -- NULL: both stages
    position  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (label, stage)
);

CREATE TABLE highlight_term (
    id    INTEGER PRIMARY KEY,
    term  TEXT NOT NULL CHECK (length(trim(term)) > 0),
    kind  TEXT NOT NULL CHECK (kind IN ('include', 'exclude')),
    UNIQUE (term, kind)
);

CREATE TABLE reviewer (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    created_at  TEXT NOT NULL
);

-- A saved search strategy run against a database (PubMed through Entrez).
-- state_json holds what a resume needs: date slices, WebEnv/query_key, batches done.
CREATE TABLE search_run (
    id              INTEGER PRIMARY KEY,
    database        TEXT NOT NULL,
    query_name      TEXT NOT NULL DEFAULT '',
    query_file      TEXT NOT NULL DEFAULT '',
    query_text      TEXT NOT NULL,
    date_from       TEXT,
    date_to         TEXT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'complete', 'failed', 'cancelled')),
    count_reported  INTEGER,          -- what the database said the query matched
    count_fetched   INTEGER NOT NULL DEFAULT 0,
    count_new       INTEGER NOT NULL DEFAULT 0,   -- records added to the review by this run
    state_json      TEXT NOT NULL DEFAULT '{}',
    message         TEXT NOT NULL DEFAULT ''
);

-- A file exported from a database (or another identification method) and imported.
CREATE TABLE file_import (
    id              INTEGER PRIMARY KEY,
    database        TEXT NOT NULL,
    method          TEXT NOT NULL DEFAULT 'database'
                    CHECK (method IN ('database', 'register', 'website', 'organisation',
                                      'citation', 'other')),
    format          TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    encoding        TEXT NOT NULL DEFAULT '',
    imported_at     TEXT NOT NULL,
    count_in_file   INTEGER NOT NULL DEFAULT 0,
    count_imported  INTEGER NOT NULL DEFAULT 0,
    count_skipped   INTEGER NOT NULL DEFAULT 0,
    skipped_json    TEXT NOT NULL DEFAULT '[]',   -- entries --skip-bad left out, with why
    query_name      TEXT NOT NULL DEFAULT '',
    query_text      TEXT NOT NULL DEFAULT '',
    date_searched   TEXT NOT NULL DEFAULT '',
    count_reported  INTEGER
);
CREATE INDEX file_import_sha256 ON file_import (sha256);

CREATE TABLE record (
    id               INTEGER PRIMARY KEY,
    search_run_id    INTEGER REFERENCES search_run (id),
    import_id        INTEGER REFERENCES file_import (id),
    position         INTEGER NOT NULL DEFAULT 0,     -- n-th record of its run/file
    source_key       TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    abstract         TEXT NOT NULL DEFAULT '',
    authors_json     TEXT NOT NULL DEFAULT '[]',     -- [[family, given], ...] in order
    year             INTEGER,
    journal          TEXT NOT NULL DEFAULT '',
    journal_abbrev   TEXT NOT NULL DEFAULT '',
    volume           TEXT NOT NULL DEFAULT '',
    issue            TEXT NOT NULL DEFAULT '',
    page_first       TEXT NOT NULL DEFAULT '',
    page_last        TEXT NOT NULL DEFAULT '',
    doi              TEXT NOT NULL DEFAULT '',
    pmid             TEXT NOT NULL DEFAULT '',
    pmcid            TEXT NOT NULL DEFAULT '',
    issn             TEXT NOT NULL DEFAULT '',
    language         TEXT NOT NULL DEFAULT '',
    pub_types_json   TEXT NOT NULL DEFAULT '[]',
    keywords_json    TEXT NOT NULL DEFAULT '[]',
    mesh_json        TEXT NOT NULL DEFAULT '[]',
    title_en         TEXT NOT NULL DEFAULT '',
    abstract_en      TEXT NOT NULL DEFAULT '',
    keywords_en_json TEXT NOT NULL DEFAULT '[]',
    url              TEXT NOT NULL DEFAULT '',
    extra_json       TEXT NOT NULL DEFAULT '{}',
    raw              TEXT NOT NULL DEFAULT '',       -- the source entry, verbatim
    created_at       TEXT NOT NULL,
    CHECK ((search_run_id IS NULL) <> (import_id IS NULL))
);
CREATE INDEX record_doi ON record (doi) WHERE doi <> '';
CREATE INDEX record_pmid ON record (pmid) WHERE pmid <> '';
CREATE INDEX record_search_run ON record (search_run_id);
CREATE INDEX record_import ON record (import_id);

CREATE VIRTUAL TABLE record_fts USING fts5 (
    title, abstract, title_en, abstract_en,
    content = 'record', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER record_fts_insert AFTER INSERT ON record BEGIN
    INSERT INTO record_fts (rowid, title, abstract, title_en, abstract_en)
    VALUES (new.id, new.title, new.abstract, new.title_en, new.abstract_en);
END;
CREATE TRIGGER record_fts_delete AFTER DELETE ON record BEGIN
    INSERT INTO record_fts (record_fts, rowid, title, abstract, title_en, abstract_en)
    VALUES ('delete', old.id, old.title, old.abstract, old.title_en, old.abstract_en);
END;
CREATE TRIGGER record_fts_update AFTER UPDATE OF title, abstract, title_en, abstract_en ON record BEGIN
    INSERT INTO record_fts (record_fts, rowid, title, abstract, title_en, abstract_en)
    VALUES ('delete', old.id, old.title, old.abstract, old.title_en, old.abstract_en);
    INSERT INTO record_fts (rowid, title, abstract, title_en, abstract_en)
    VALUES (new.id, new.title, new.abstract, new.title_en, new.abstract_en);
END;

-- Deduplication. Every candidate pair the matcher judged, and every person's verdict on a pair.
-- A person's verdict (decided_by = 'person') survives re-running dedup.
CREATE TABLE duplicate_pair (
    id           INTEGER PRIMARY KEY,
    record_a     INTEGER NOT NULL REFERENCES record (id),
    record_b     INTEGER NOT NULL REFERENCES record (id),
    score        REAL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('duplicate', 'possible', 'distinct')),
    decided_by   TEXT NOT NULL CHECK (decided_by IN ('rule', 'person')),
    rule         TEXT NOT NULL DEFAULT '',      -- which rule matched, or why it was queued
    reviewer_id  INTEGER REFERENCES reviewer (id),
    decided_at   TEXT NOT NULL,
    CHECK (record_a < record_b),
    UNIQUE (record_a, record_b)
);
CREATE INDEX duplicate_pair_b ON duplicate_pair (record_b);

-- A cluster is one report found several times. Records never leave the record table: the
-- cluster points to them, and one primary record is screened for all.
CREATE TABLE cluster (
    id                 INTEGER PRIMARY KEY,
    primary_record_id  INTEGER NOT NULL REFERENCES record (id),
    created_at         TEXT NOT NULL
);
CREATE TABLE cluster_member (
    record_id   INTEGER PRIMARY KEY REFERENCES record (id),
    cluster_id  INTEGER NOT NULL REFERENCES cluster (id),
    decided_by  TEXT NOT NULL CHECK (decided_by IN ('rule', 'person')),
    score       REAL,
    added_at    TEXT NOT NULL
);
CREATE INDEX cluster_member_cluster ON cluster_member (cluster_id);

-- Screening decisions: an append-only history. 'decide' rows carry a decision; an 'undo' row
-- reverts the row named in undoes_id. current_decision holds each reviewer's live decision.
CREATE TABLE decision (
    id           INTEGER PRIMARY KEY,
    record_id    INTEGER NOT NULL REFERENCES record (id),
    stage        TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    action       TEXT NOT NULL DEFAULT 'decide' CHECK (action IN ('decide', 'undo')),
    decision     TEXT CHECK (decision IN ('include', 'exclude', 'maybe')),
    reason_id    INTEGER REFERENCES exclusion_reason (id),
    note         TEXT NOT NULL DEFAULT '',
    undoes_id    INTEGER REFERENCES decision (id),
    made_at      TEXT NOT NULL,
    CHECK ((action = 'decide' AND decision IS NOT NULL AND undoes_id IS NULL)
        OR (action = 'undo' AND undoes_id IS NOT NULL))
);
CREATE INDEX decision_record ON decision (record_id, stage);
CREATE INDEX decision_reviewer ON decision (reviewer_id, stage, id);

CREATE TABLE current_decision (
    record_id    INTEGER NOT NULL REFERENCES record (id),
    stage        TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    decision_id  INTEGER NOT NULL REFERENCES decision (id),
    decision     TEXT NOT NULL CHECK (decision IN ('include', 'exclude', 'maybe')),
    reason_id    INTEGER REFERENCES exclusion_reason (id),
    PRIMARY KEY (record_id, stage, reviewer_id)
);
CREATE INDEX current_decision_stage ON current_decision (stage, reviewer_id);

-- A conflict's resolution (or a final decision made by a third reviewer / the pair together).
CREATE TABLE resolution (
    id           INTEGER PRIMARY KEY,
    record_id    INTEGER NOT NULL REFERENCES record (id),
    stage        TEXT NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
    decision     TEXT NOT NULL CHECK (decision IN ('include', 'exclude')),
    reason_id    INTEGER REFERENCES exclusion_reason (id),
    note         TEXT NOT NULL DEFAULT '',
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    method       TEXT NOT NULL DEFAULT 'third_reviewer' CHECK (method IN ('third_reviewer', 'consensus')),
    resolved_at  TEXT NOT NULL
);
CREATE INDEX resolution_record ON resolution (record_id, stage);

CREATE TABLE record_note (
    id           INTEGER PRIMARY KEY,
    record_id    INTEGER NOT NULL REFERENCES record (id),
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    stage        TEXT CHECK (stage IN ('title_abstract', 'full_text')),
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX record_note_record ON record_note (record_id);

CREATE TABLE tag (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0)
);
CREATE TABLE record_tag (
    record_id    INTEGER NOT NULL REFERENCES record (id),
    tag_id       INTEGER NOT NULL REFERENCES tag (id),
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (record_id, tag_id, reviewer_id)
);

CREATE TABLE full_text (
    record_id      INTEGER PRIMARY KEY REFERENCES record (id),
    path           TEXT NOT NULL DEFAULT '',
    sha256         TEXT NOT NULL DEFAULT '',
    not_retrieved  INTEGER NOT NULL DEFAULT 0 CHECK (not_retrieved IN (0, 1)),
    note           TEXT NOT NULL DEFAULT '',
    reviewer_id    INTEGER REFERENCES reviewer (id),
    updated_at     TEXT NOT NULL
);

-- Extraction. A study has one or more reports (records); extraction is per study.
CREATE TABLE study (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE TABLE study_report (
    study_id   INTEGER NOT NULL REFERENCES study (id),
    record_id  INTEGER NOT NULL UNIQUE REFERENCES record (id),
    PRIMARY KEY (study_id, record_id)
);

CREATE TABLE extraction_form (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    source      TEXT NOT NULL,            -- the TOML text as loaded
    created_at  TEXT NOT NULL,
    UNIQUE (name, version)
);
CREATE TABLE form_field (
    id        INTEGER PRIMARY KEY,
    form_id   INTEGER NOT NULL REFERENCES extraction_form (id),
    key       TEXT NOT NULL,
    label     TEXT NOT NULL DEFAULT '',
    kind      TEXT NOT NULL,            -- text, number, integer, choice ...
    level     TEXT NOT NULL CHECK (level IN ('study', 'outcome')),
    spec_json TEXT NOT NULL DEFAULT '{}',
    position  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (form_id, key)
);

CREATE TABLE outcome (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    data_type  TEXT NOT NULL CHECK (data_type IN ('continuous', 'prepost', 'dichotomous',
                                                  'proportion', 'correlation', 'generic')),
    unit       TEXT NOT NULL DEFAULT '',
    spec_json  TEXT NOT NULL DEFAULT '{}'  -- bounds of the scale, direction ...
);

-- One value, by one extractor (role 'extractor') or agreed (role 'consensus', reviewer = who
-- agreed it). Study-level fields have outcome_id NULL. Values are text as typed; method says
-- how a converted value was obtained (e.g. 'se_to_sd'), imputed flags borrowed values.
CREATE TABLE extraction_value (
    id           INTEGER PRIMARY KEY,
    study_id     INTEGER NOT NULL REFERENCES study (id),
    outcome_id   INTEGER REFERENCES outcome (id),
    timepoint    TEXT NOT NULL DEFAULT '',
    subgroup     TEXT NOT NULL DEFAULT '',
    field        TEXT NOT NULL,
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    role         TEXT NOT NULL DEFAULT 'extractor' CHECK (role IN ('extractor', 'consensus')),
    value        TEXT NOT NULL,
    method       TEXT NOT NULL DEFAULT '',
    method_json  TEXT NOT NULL DEFAULT '{}',
    imputed      INTEGER NOT NULL DEFAULT 0 CHECK (imputed IN (0, 1)),
    note         TEXT NOT NULL DEFAULT '',
    entered_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX extraction_value_key ON extraction_value
    (study_id, ifnull(outcome_id, 0), timepoint, subgroup, field, reviewer_id, role);

-- Risk of bias / quality: one judgement per domain, per reviewer or consensus.
CREATE TABLE rob_judgement (
    id           INTEGER PRIMARY KEY,
    study_id     INTEGER NOT NULL REFERENCES study (id),
    tool         TEXT NOT NULL,           -- rob2, robins_i, nos, jbi_case_series
    outcome_id   INTEGER REFERENCES outcome (id),
    domain       TEXT NOT NULL,
    judgement    TEXT NOT NULL,
    support      TEXT NOT NULL DEFAULT '',
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    role         TEXT NOT NULL DEFAULT 'assessor' CHECK (role IN ('assessor', 'consensus')),
    made_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX rob_judgement_key ON rob_judgement
    (study_id, tool, ifnull(outcome_id, 0), domain, reviewer_id, role);

CREATE TABLE analysis (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    outcome_id     INTEGER REFERENCES outcome (id),
    settings_json  TEXT NOT NULL DEFAULT '{}',
    results_json   TEXT NOT NULL DEFAULT '{}',
    reviewer_id    INTEGER REFERENCES reviewer (id),
    created_at     TEXT NOT NULL
);

-- PRISMA numbers that do not come from records (e.g. the previous version of an updated
-- review, or records removed by automation tools before import).
CREATE TABLE prisma_count (
    key    TEXT PRIMARY KEY,
    value  INTEGER NOT NULL CHECK (value >= 0),
    note   TEXT NOT NULL DEFAULT ''
);

-- The records a reviewer screens: every record that is not a secondary member of a cluster.
CREATE VIEW screened_record AS
    SELECT r.* FROM record AS r
    LEFT JOIN cluster_member AS m ON m.record_id = r.id
    LEFT JOIN cluster AS c ON c.id = m.cluster_id
    WHERE m.record_id IS NULL OR c.primary_record_id = r.id;
