-- Who confirmed a payout, as a fulfilment already records it: the payout
-- list (the app's Batches screen, `claimdesk payout list`) shows who wrote
-- and who confirmed each file, also after a restart.
ALTER TABLE payouts ADD COLUMN confirmed_by TEXT;
