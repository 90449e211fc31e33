-- ClaimDesk sync server, schema 3: cheaper pushes.
-- Payloads, policy results, a claim's intake row and its folded state are
-- only ever read back whole, by the server itself or by a desktop's pull, so
-- they are kept as the JSON text the server wrote (every one was parsed and
-- checked before it was stored): PostgreSQL no longer parses and re-encodes
-- them as jsonb on every push and every pull.
ALTER TABLE ops ALTER COLUMN payload TYPE text, ALTER COLUMN proposal TYPE text;
ALTER TABLE claims ALTER COLUMN input TYPE text, ALTER COLUMN state TYPE text;
-- A claim's ops are read back only to fold them again around a late op, and
-- never its import (the claims row holds that): imports, the bulk of a first
-- push, no longer go into the index.
DROP INDEX ops_entity;
CREATE INDEX ops_entity ON ops (entity, seq) WHERE kind <> 'claim.import';
