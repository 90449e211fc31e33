-- ClaimDesk store: policy results that give a claim several grants
-- (issue 9: segments, non-cash remedies with quantities, several remedies on
-- one claim). Numbered 0007: 0005 and 0006 belong to other branches, and the
-- runner (schema.rs) applies numbers in order whatever is missing.

-- The policy's grants for the claim as JSON [Grant] (core::grant), when they
-- are more than the one grant remedy, amount and extension_days describe;
-- NULL otherwise (every result of the default policy, and every result
-- stored before this migration). Derived like the other result columns.
ALTER TABLE claims ADD COLUMN grants TEXT;
