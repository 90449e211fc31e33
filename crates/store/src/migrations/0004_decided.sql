-- ClaimDesk store: every replica decides every op (sync protocol 2).

-- What the sync server recorded about an op's author when it accepted it
-- (for ops made here: what this device knew when it made it). The merge
-- decides each op with this role and limit, and a recommendation against
-- this policy result; NULL role: an op from before protocol 2, decided with
-- the author's entry in the roster.
ALTER TABLE ops ADD COLUMN role TEXT;
ALTER TABLE ops ADD COLUMN approval_limit INTEGER;
ALTER TABLE ops ADD COLUMN proposal TEXT;        -- JSON workflow::PolicyProposal
ALTER TABLE ops ADD COLUMN server_seq INTEGER;   -- the server's sequence number, once accepted

-- The payout an approved claim is reserved for (team-wide: the server
-- accepts one reservation per claim). Derived from the ops by the fold.
ALTER TABLE claims ADD COLUMN reserved_for TEXT;

-- Payouts get a team-wide id (the reservations name it) and remember
-- whether the file written still lists exactly the reserved claims.
ALTER TABLE payouts ADD COLUMN uid TEXT;
ALTER TABLE payouts ADD COLUMN file_outdated INTEGER NOT NULL DEFAULT 0;
UPDATE payouts SET uid = 'legacy-payout-' || id WHERE uid IS NULL;
CREATE UNIQUE INDEX payouts_uid ON payouts(uid);
-- The op that reserved the claim for the payout, and why an item left it.
ALTER TABLE payout_items ADD COLUMN reserve_op TEXT;
ALTER TABLE payout_items ADD COLUMN dropped_reason TEXT;

-- A parked op that should be tried again at the next pull (a clock stamp
-- too far ahead, a kind this build does not know) or not (refused by the rules).
ALTER TABLE parked_ops ADD COLUMN retry INTEGER NOT NULL DEFAULT 1;

-- The cached fold states were made by rules that read results from
-- payloads: every claim is folded again by the deciding rules (Store::open).
UPDATE claim_sync SET state = NULL, through_seq = 0;
