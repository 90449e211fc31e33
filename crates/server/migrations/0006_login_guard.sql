-- ClaimDesk sync server, schema 6: sign-in attempts per account (issue 10,
-- "server under attack"). Kept in PostgreSQL, not in one instance's memory,
-- so that several instances behind a load balancer share one count: an
-- account gets at most `login_attempts` password checks per window
-- (`login_lock_secs`), then it is locked for that long, whatever the
-- password and from whichever instance or address the guesses come.
CREATE TABLE login_guard (
    -- The user id as a client sent it (existing or not, so that a lock does
    -- not tell an attacker which accounts exist).
    account         text PRIMARY KEY,
    -- Password checks in the current window, the one that locked included.
    attempts        integer NOT NULL,
    window_start    timestamptz NOT NULL,
    locked_until    timestamptz
);
