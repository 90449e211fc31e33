-- The desktop app: local sign-in, saved queue views and per-user settings.

-- argon2id PHC string; NULL = this user cannot sign in on this device yet.
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- A named queue filter and sort, per user.
CREATE TABLE saved_views (
    user_id    TEXT NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,          -- JSON of queue::QueueFilter
    sort       TEXT NOT NULL,          -- JSON of queue::Sort
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, name)
) STRICT;

-- Per-user preferences (language, ...), key -> value.
CREATE TABLE settings (
    user_id TEXT NOT NULL REFERENCES users(id),
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;
