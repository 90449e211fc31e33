-- Who reserved a claim for a payout or fulfilment (exported its file), as
-- the fold keeps it: dual control refuses that admin's confirmation. A
-- reservation made before this column existed has no reserver recorded.
ALTER TABLE claims ADD COLUMN reserved_by TEXT;
