-- ClaimDesk sync server, schema 8: device tokens expire and a device id
-- belongs to the device that registered it (issue 10, item 2).
--
-- token_expires_at: a token is refused after it (`token_ttl_hours`); a
-- desktop refreshes its token while it syncs (POST /v1/refresh) and signing
-- out ends it (POST /v1/logout). Tokens issued before this migration get
-- the default lifetime from now.
-- secret_hash: SHA-256 of the secret a desktop made when it first signed
-- in with this device id; every later sign-in with the id must bring the
-- same secret, whichever user signs in, so another machine that copies the
-- id cannot take the device (and its name, its ops' device field) over.
-- Devices registered before this migration give theirs at their next sign-in.
ALTER TABLE devices ADD COLUMN token_expires_at timestamptz;
ALTER TABLE devices ADD COLUMN secret_hash bytea;
UPDATE devices SET token_expires_at = now() + interval '7 days' WHERE token_hash IS NOT NULL;
