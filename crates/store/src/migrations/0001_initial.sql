-- ClaimDesk store, schema 1.
-- Times are integers: seconds (claim facts) or milliseconds (ops) since the
-- Unix epoch, UTC. Money is whole won as INTEGER.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('reviewer', 'supervisor', 'admin')),
    approval_limit INTEGER,            -- won; NULL = no limit
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL
) STRICT;

-- The service catalog used by intake (the policy carries its own copy).
CREATE TABLE services (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    outage_start INTEGER NOT NULL,
    outage_end   INTEGER NOT NULL
) STRICT;

CREATE TABLE policy_versions (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    toml       TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX policy_one_active ON policy_versions(active) WHERE active = 1;

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    format      TEXT NOT NULL,
    headers     TEXT NOT NULL DEFAULT '[]',   -- JSON, as written in the file
    by_user     TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    rows_read   INTEGER NOT NULL DEFAULT 0,
    imported    INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    conflicts   INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved')),
    approved_by TEXT,
    approved_at INTEGER
) STRICT;

CREATE TABLE claims (
    id                INTEGER PRIMARY KEY,
    external_id       TEXT NOT NULL UNIQUE,
    content_hash      BLOB NOT NULL,       -- of the intake fields, to tell a re-import from a change
    received_at       INTEGER NOT NULL,
    category          TEXT NOT NULL,       -- current, after triage corrections
    filed_category    TEXT NOT NULL,       -- as the claimant filed it
    name              TEXT NOT NULL,
    phone             TEXT,
    brn               TEXT,
    bank_name         TEXT,
    account_no        TEXT,
    claimant_key      TEXT,                -- phone for individuals, BRN for businesses (current category)
    service           TEXT NOT NULL,
    damage_start      INTEGER NOT NULL,
    damage_end        INTEGER NOT NULL,
    claimed_amount    INTEGER,
    daily_income      INTEGER,
    documented_loss   INTEGER,
    ad_spend          INTEGER,
    description       TEXT NOT NULL DEFAULT '',
    extra             TEXT,                -- JSON object of columns the intake file had beyond the known ones
    import_id         INTEGER REFERENCES imports(id),
    -- workflow
    status            TEXT NOT NULL DEFAULT 'new',
    priority          TEXT NOT NULL DEFAULT 'normal',
    tags              TEXT NOT NULL DEFAULT '[]',   -- JSON array
    assignee          TEXT,
    duplicate_of      TEXT,                -- a reviewer's mark: the external id of the claim this repeats
    batch_id          TEXT REFERENCES batches(id),
    recommendation    TEXT,                -- JSON workflow::Recommendation
    is_override       INTEGER NOT NULL DEFAULT 0,
    lease_holder      TEXT,
    version           INTEGER NOT NULL DEFAULT 1,  -- bumped by every op: the `base` of the next
    updated_at        INTEGER NOT NULL,
    -- the active policy's result (derived; recomputed, never edited)
    eval_version      INTEGER,
    eligible          INTEGER,
    reason            TEXT,
    remedy            TEXT,
    amount            INTEGER,
    extension_days    INTEGER
) STRICT;

CREATE INDEX claims_queue_received ON claims(status, category, service, received_at);
CREATE INDEX claims_queue_amount   ON claims(status, category, service, amount);
CREATE INDEX claims_received       ON claims(received_at);
CREATE INDEX claims_assignee       ON claims(assignee, status) WHERE assignee IS NOT NULL;
CREATE INDEX claims_claimant       ON claims(claimant_key, service);
CREATE INDEX claims_batch          ON claims(batch_id) WHERE batch_id IS NOT NULL;

-- Claimants: one row per claimant key, derived from the claims.
CREATE VIEW claimants AS
    SELECT claimant_key AS key, min(name) AS name, count(*) AS claims,
           min(received_at) AS first_received_at
    FROM claims WHERE claimant_key IS NOT NULL GROUP BY claimant_key;

-- Full-text search over names and descriptions, as bigram tokens (search.rs).
-- The text is tokenized in Rust already (space-separated, lower-cased), so
-- FTS5's plain 'ascii' tokenizer, which keeps every non-ASCII byte in its
-- token, only has to split on spaces.
CREATE VIRTUAL TABLE claims_fts USING fts5(
    name, description, content = '', contentless_delete = 1, tokenize = 'ascii'
);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    claim_id   INTEGER NOT NULL REFERENCES claims(id),
    op_id      TEXT NOT NULL UNIQUE,
    author     TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'note',   -- note | info_request | info_received | return_comment
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    hidden_by  TEXT                           -- op id of the withdrawal; notes are never deleted
) STRICT;
CREATE INDEX notes_claim ON notes(claim_id);

CREATE TABLE evidence (
    id         INTEGER PRIMARY KEY,
    claim_id   INTEGER NOT NULL REFERENCES claims(id),
    op_id      TEXT NOT NULL UNIQUE,
    sha256     TEXT NOT NULL,                 -- content address of the file beside the database
    file_name  TEXT NOT NULL,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    added_by   TEXT NOT NULL,
    added_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX evidence_claim ON evidence(claim_id);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    import_id   INTEGER NOT NULL REFERENCES imports(id),
    line        INTEGER NOT NULL,
    external_id TEXT,
    raw         TEXT NOT NULL,      -- JSON [[header, value], ...], every column as written
    problems    TEXT NOT NULL,      -- JSON [{column, value, code, message}]
    message     TEXT NOT NULL,
    resolved_by_import INTEGER      -- set when a later import brought the claim in
) STRICT;
CREATE INDEX quarantine_open ON quarantine(external_id) WHERE resolved_by_import IS NULL;

CREATE TABLE import_conflicts (
    id          INTEGER PRIMARY KEY,
    import_id   INTEGER NOT NULL REFERENCES imports(id),
    line        INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    fields      TEXT NOT NULL       -- JSON [field, ...] that differ
) STRICT;

CREATE TABLE payouts (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'exported' CHECK (status IN ('exported', 'confirmed', 'cancelled')),
    confirmed_at INTEGER,
    claims       INTEGER NOT NULL,
    total        INTEGER NOT NULL
) STRICT;
CREATE TABLE payout_items (
    payout_id INTEGER NOT NULL REFERENCES payouts(id),
    claim_id  INTEGER NOT NULL REFERENCES claims(id),
    amount    INTEGER NOT NULL,
    live      INTEGER NOT NULL DEFAULT 1,     -- 0 once the payout is cancelled
    PRIMARY KEY (payout_id, claim_id)
) STRICT;
-- A claim is in at most one payout that is not cancelled: never paid twice.
CREATE UNIQUE INDEX payout_items_once ON payout_items(claim_id) WHERE live = 1;

-- The operation log: every change, in local order, hash-chained. It is the
-- audit trail (with refusals and reveals, which stay local) and the outbox.
CREATE TABLE ops (
    seq       INTEGER PRIMARY KEY,
    op_id     TEXT NOT NULL UNIQUE,     -- UUIDv7, made on the device; the retry key
    hlc       INTEGER NOT NULL,         -- hybrid logical clock stamp (core::hlc)
    user_id   TEXT NOT NULL,
    device    TEXT NOT NULL,
    entity    TEXT NOT NULL,            -- claim:<external id> | batch:<id> | user:<id> | policy:<version> | import:<id> | payout:<id> | store
    kind      TEXT NOT NULL,
    payload   TEXT NOT NULL,            -- JSON object, field -> value
    base      INTEGER,                  -- version of the entity the person was looking at
    at        INTEGER NOT NULL,         -- wall clock, ms
    outcome   TEXT NOT NULL DEFAULT 'applied' CHECK (outcome IN ('applied', 'refused')),
    sync      TEXT NOT NULL CHECK (sync IN ('pending', 'acked', 'remote', 'local')),
    hash      BLOB NOT NULL             -- SHA-256 of the previous entry's hash and this entry's fields
) STRICT;
CREATE INDEX ops_entity ON ops(entity, seq);
CREATE INDEX ops_outbox ON ops(seq) WHERE sync = 'pending';
