-- ClaimDesk store, schema 6: incidents as data (docs/decisions/0008-incidents.md).
-- An incident owns its service catalog and its policy versions; every claim
-- belongs to one. A store of an earlier schema becomes one incident, the one
-- of its catalog (schema.rs fills the row from the catalog it kept in meta).

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL,
    catalog     TEXT NOT NULL,          -- core::Catalog as TOML (the incident and its services)
    copied_from TEXT,                   -- the incident it was started from, if any
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- The first incident's id until schema.rs sets the catalog's own (a column
-- added with a constant default costs nothing on a million rows).
ALTER TABLE claims ADD COLUMN incident_id TEXT NOT NULL DEFAULT 'pangyo-2022-10-15';
ALTER TABLE policy_versions ADD COLUMN incident_id TEXT NOT NULL DEFAULT 'pangyo-2022-10-15';

-- One active version per incident.
DROP INDEX policy_one_active;
CREATE UNIQUE INDEX policy_one_active ON policy_versions(incident_id) WHERE active = 1;

-- The queue reads one incident at a time: its indexes lead with it.
DROP INDEX claims_queue_received;
DROP INDEX claims_queue_amount;
DROP INDEX claims_received;
CREATE INDEX claims_queue_received ON claims(incident_id, status, category, service, received_at);
CREATE INDEX claims_queue_amount   ON claims(incident_id, status, category, service, amount);
CREATE INDEX claims_received       ON claims(incident_id, received_at);

-- The catalog is the incident's (incidents.catalog); this copy was never read.
DROP TABLE services;
