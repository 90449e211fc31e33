-- ClaimDesk sync server, schema 1.

CREATE TABLE users (
    id              text PRIMARY KEY,
    display_name    text NOT NULL,
    role            text NOT NULL CHECK (role IN ('reviewer', 'supervisor', 'admin')),
    -- Won; NULL = no limit.
    approval_limit  bigint CHECK (approval_limit IS NULL OR approval_limit >= 0),
    active          boolean NOT NULL DEFAULT true,
    -- argon2id PHC string.
    password_hash   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
    -- The desktop store's device id, stable across logins.
    id              text PRIMARY KEY,
    user_id         text NOT NULL REFERENCES users (id),
    name            text NOT NULL,
    -- SHA-256 of the bearer token (the token itself is never stored).
    token_hash      bytea UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen       timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX devices_user ON devices (user_id);

CREATE TABLE ops (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    op_id           uuid NOT NULL UNIQUE,
    hlc             bigint NOT NULL,
    author          text NOT NULL,
    device          text NOT NULL,
    entity          text NOT NULL,
    kind            text NOT NULL,
    payload         jsonb NOT NULL,
    base            bigint,
    at_ms           bigint NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ops_entity ON ops (entity, seq);

-- The latest recommendation of each claim (greatest clock key: hlc, device,
-- op id, as the fold orders ops), kept in the transaction that inserts the
-- op: what the approval checks read.
CREATE TABLE claim_recommendations (
    entity          text PRIMARY KEY,
    op_id           uuid NOT NULL,
    hlc             bigint NOT NULL,
    device          text NOT NULL,
    author          text NOT NULL,
    decision        jsonb NOT NULL,
    seq             bigint NOT NULL
);
