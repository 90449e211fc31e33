-- ClaimDesk sync server, schema 4: a policy may read intake columns beyond
-- the known ones (a category's segments, e.g. a taxi driver's membership
-- tier; issue 9). What the policy reads of a claim (claims.input, the core's
-- PolicyInput as JSON text) gains them: from the intake row as the latest
-- applied update left it (the folded state's `intake`), else from the
-- claim's first import. Claims stored from now on carry them already.
WITH imports AS (
    SELECT DISTINCT ON (entity) entity,
           CASE WHEN payload LIKE '%"extra"%' THEN payload::jsonb -> 'extra' END AS extra
    FROM ops WHERE kind = 'claim.import'
    ORDER BY entity, seq
), extras AS (
    SELECT c.entity,
           CASE WHEN c.state LIKE '%"intake"%' AND c.state::jsonb ? 'intake'
                THEN c.state::jsonb -> 'intake' -> 'extra'
                ELSE i.extra END AS extra
    FROM claims c LEFT JOIN imports i ON i.entity = c.entity
    WHERE i.extra IS NOT NULL OR c.state LIKE '%"intake"%'
)
UPDATE claims c SET input = (c.input::jsonb || jsonb_build_object('extra', e.extra))::text
FROM extras e
WHERE e.entity = c.entity AND jsonb_typeof(e.extra) = 'object' AND e.extra <> '{}'::jsonb;
