-- ClaimDesk store: sync (sync.md). Numbered 0003 (0002 belongs to the app).
-- Every statement is IF NOT EXISTS, so a store that ran this file under
-- another number runs it again harmlessly.

-- Where this desktop syncs and how far it has pulled: server_url, cursor
-- (the server sequence applied up to), last_sync_at (ms), user, token.
CREATE TABLE IF NOT EXISTS sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Ops that could not be applied: local ops the server rejected (they stay
-- in the log with sync = 'local', their effect undone) and remote ops
-- refused here (a clock stamp too far ahead; kept whole in `op` and tried
-- again at the next pull).
CREATE TABLE IF NOT EXISTS parked_ops (
    op_id  TEXT PRIMARY KEY,
    origin TEXT NOT NULL CHECK (origin IN ('local', 'remote')),
    entity TEXT NOT NULL,
    kind   TEXT NOT NULL,
    user_id TEXT NOT NULL,
    code   TEXT NOT NULL,
    reason TEXT NOT NULL,
    at     INTEGER NOT NULL,         -- ms, when it was parked
    op     TEXT                      -- JSON WireOp, for remote ones
) STRICT;

-- Derived from the ops by the fold (sync fold.rs); rebuilt when a claim is re-folded.
CREATE TABLE IF NOT EXISTS conflicts (
    id          INTEGER PRIMARY KEY,
    claim_id    INTEGER NOT NULL REFERENCES claims(id),
    base        INTEGER NOT NULL,    -- the decision count the colliding ops were made on
    ops         TEXT NOT NULL,       -- JSON [op id, ...], side by side
    joined      TEXT NOT NULL DEFAULT '[]',  -- decisions that arrived during the conflict
    resolved_by TEXT,                -- the resolve_conflict op
    UNIQUE (claim_id, base)
) STRICT;
CREATE INDEX IF NOT EXISTS conflicts_open ON conflicts(claim_id) WHERE resolved_by IS NULL;

-- Ops the fold did not apply to a claim (an approval of a superseded recommendation).
CREATE TABLE IF NOT EXISTS fold_refusals (
    op_id    TEXT PRIMARY KEY,
    claim_id INTEGER NOT NULL REFERENCES claims(id),
    user_id  TEXT NOT NULL,
    code     TEXT NOT NULL,
    reason   TEXT NOT NULL
) STRICT;

-- Per claim: the decision count (the `base` of the next decision) and a
-- cache of the folded state as of local op `through_seq`, for applying
-- pulled ops incrementally.
CREATE TABLE IF NOT EXISTS claim_sync (
    claim_id    INTEGER PRIMARY KEY REFERENCES claims(id),
    decisions   INTEGER NOT NULL DEFAULT 0,
    state       TEXT,
    through_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
