-- ClaimDesk store: fulfilment of non-cash grants (issue 12, item 6).

-- A fulfilment is to vouchers, extensions, points, message credits and fee
-- waivers what a payout is to cash: a file of the claims reserved for it
-- (claim.reserve_fulfilment, one live reservation per claim team-wide),
-- confirmed once (claim.mark_fulfilled), or cancelled (released). `total`
-- is the won value of the grants listed, `lines` how many grant lines the
-- file has (a claim may be given several kinds).
CREATE TABLE fulfilments (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    file_name     TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'exported' CHECK (status IN ('exported', 'confirmed', 'cancelled')),
    confirmed_by  TEXT,
    confirmed_at  INTEGER,
    claims        INTEGER NOT NULL,
    lines         INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    file_outdated INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE fulfilment_items (
    fulfilment_id  INTEGER NOT NULL REFERENCES fulfilments(id),
    claim_id       INTEGER NOT NULL REFERENCES claims(id),
    amount         INTEGER NOT NULL,          -- won value of the claim's non-cash grants
    lines          INTEGER NOT NULL,          -- its grant lines in the file
    reserve_op     TEXT,                      -- the claim.reserve_fulfilment op
    live           INTEGER NOT NULL DEFAULT 1, -- 0 once cancelled or refused by the server
    dropped_reason TEXT,
    PRIMARY KEY (fulfilment_id, claim_id)
) STRICT;
-- A claim is in at most one fulfilment that is not cancelled: never fulfilled twice.
CREATE UNIQUE INDEX fulfilment_items_once ON fulfilment_items(claim_id) WHERE live = 1;
CREATE INDEX fulfilment_items_reserve ON fulfilment_items(reserve_op);
