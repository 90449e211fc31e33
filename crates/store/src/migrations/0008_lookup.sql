-- Lookup (queue.rs `Lookup`): a claim found by the claimant's phone or BRN
-- whatever the category, as a call centre asks. Partial: most claims have one
-- of the two. The import drops and rebuilds them with the queue's (schema.rs).
CREATE INDEX IF NOT EXISTS claims_phone ON claims(phone) WHERE phone IS NOT NULL;
CREATE INDEX IF NOT EXISTS claims_brn   ON claims(brn) WHERE brn IS NOT NULL;
