-- ClaimDesk sync server, schema 4: incidents as data (docs/decisions/0008-incidents.md).
-- Every claim and policy version belongs to an incident; an op that names
-- none (made before incidents) belongs to the first, pangyo-2022-10-15,
-- which every store is created with and the server knows without a row.
CREATE TABLE incidents (
    id     text PRIMARY KEY,
    op_id  uuid NOT NULL
);
ALTER TABLE claims ADD COLUMN incident text NOT NULL DEFAULT 'pangyo-2022-10-15';
ALTER TABLE policies ADD COLUMN incident text NOT NULL DEFAULT 'pangyo-2022-10-15';
-- The duplicate rule groups claims by claimant and service inside one incident.
DROP INDEX claims_group;
CREATE INDEX claims_group ON claims (incident, claimant_key, service);
