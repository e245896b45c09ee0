-- screener review store, migration 0003: reviewers with roles, resolutions that can be replaced
-- or undone, and the PMIDs each search run identified.

-- Reviewers are declared, with a role: 'screener' screens; 'arbiter' also resolves conflicts
-- and sees both decisions; 'lead' also changes settings, adds reviewers and unblinds.
ALTER TABLE reviewer ADD COLUMN role TEXT NOT NULL DEFAULT 'screener'
    CHECK (role IN ('screener', 'arbiter', 'lead'));
-- Names match case-insensitively: name_key is the name trimmed, NFKC-normalised and casefolded
-- (computed by screener.storage.review.name_key; lower() gives the same for ASCII names here).
ALTER TABLE reviewer ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
-- Names that differ only by case were made by typing one name two ways; both keep their
-- decisions under a name that is now distinct ("Rev_A (3)"), for the lead to sort out.
UPDATE reviewer SET name = name || ' (' || id || ')'
    WHERE EXISTS (SELECT 1 FROM reviewer AS o
                  WHERE lower(trim(o.name)) = lower(trim(reviewer.name)) AND o.id < reviewer.id);
UPDATE reviewer SET name_key = lower(trim(name));
CREATE UNIQUE INDEX reviewer_name_key ON reviewer (name_key);
-- An existing review is led by its first reviewer.
UPDATE reviewer SET role = 'lead' WHERE id = (SELECT min(id) FROM reviewer);

-- A resolution that replaces a live one names it; an undone resolution gets a row here (the
-- history is never deleted). The live resolution of a unit is its latest one not undone.
ALTER TABLE resolution ADD COLUMN replaces_id INTEGER REFERENCES resolution (id);
CREATE TABLE resolution_undo (
    resolution_id  INTEGER PRIMARY KEY REFERENCES resolution (id),
    reviewer_id    INTEGER NOT NULL REFERENCES reviewer (id),
    undone_at      TEXT NOT NULL
);
DROP VIEW unit_resolution;
CREATE VIEW unit_resolution AS
    SELECT record_id, stage, decision, reason_id, resolution_id FROM (
        SELECT coalesce(c.primary_record_id, r.record_id) AS record_id, r.stage, r.decision,
               r.reason_id, r.id AS resolution_id,
               row_number() OVER (
                   PARTITION BY coalesce(c.primary_record_id, r.record_id), r.stage
                   ORDER BY r.id DESC) AS latest
        FROM resolution AS r
        LEFT JOIN cluster_member AS m ON m.record_id = r.record_id
        LEFT JOIN cluster AS c ON c.id = m.cluster_id
        WHERE r.id NOT IN (SELECT resolution_id FROM resolution_undo)
    ) WHERE latest = 1;

-- Every PMID a search run identified, stored or not (a re-run finds PMIDs already in the
-- review). PRISMA counts a strategy's records identified as the PMIDs none of its earlier runs
-- identified. Runs made before this migration list only the PMIDs of the records they added;
-- such a run's list is shorter than its count_fetched.
CREATE TABLE search_run_pmid (
    search_run_id  INTEGER NOT NULL REFERENCES search_run (id),
    pmid           TEXT NOT NULL,
    PRIMARY KEY (search_run_id, pmid)
) WITHOUT ROWID;
CREATE INDEX search_run_pmid_pmid ON search_run_pmid (pmid);
INSERT OR IGNORE INTO search_run_pmid (search_run_id, pmid)
    SELECT search_run_id, pmid FROM record WHERE search_run_id IS NOT NULL AND pmid <> '';
