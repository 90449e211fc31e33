-- ClaimDesk sync server, schema 7: the server's identity (issue 10, item 3).
-- One id, made once when the database is created and never changed; every
-- instance serving this database answers it from /health and /v1/login. A
-- desktop remembers it when it joins, and refuses a server that answers
-- another one at the same address (or a new address) unless an
-- administrator of that desktop confirms the change.
CREATE TABLE server_identity (
    one             boolean PRIMARY KEY DEFAULT true CHECK (one),
    id              uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_identity (id) VALUES (gen_random_uuid());
