-- screener review store, migration 0002: decisions per screened unit.
-- A decision made on a record that dedup later put in a cluster as a secondary member still
-- speaks for the cluster: it counts for the cluster's primary record. Per unit, stage and
-- reviewer the latest live decision wins. Stage outcomes (screening, PRISMA) read this view.

CREATE VIEW unit_decision AS
    SELECT record_id, stage, reviewer_id, decision_id, decision, reason_id FROM (
        SELECT coalesce(c.primary_record_id, d.record_id) AS record_id, d.stage, d.reviewer_id,
               d.decision_id, d.decision, d.reason_id,
               row_number() OVER (
                   PARTITION BY coalesce(c.primary_record_id, d.record_id), d.stage, d.reviewer_id
                   ORDER BY d.decision_id DESC) AS latest
        FROM current_decision AS d
        LEFT JOIN cluster_member AS m ON m.record_id = d.record_id
        LEFT JOIN cluster AS c ON c.id = m.cluster_id
    ) WHERE latest = 1;

-- The latest resolution per unit and stage, likewise.
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
    ) WHERE latest = 1;
