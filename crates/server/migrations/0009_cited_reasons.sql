-- ClaimDesk sync server, schema 9: coded reasons (issue 12). An op that
-- cites a reason code (a denial, a request for information, a non-damage
-- closure) is stamped with the catalog entry that code names in the policy
-- in force when the server accepted it (core::policy::CitedReason as JSON
-- text, like the proposal since schema 3),
-- beside the author's role, limit and the policy result. Every replica
-- decides the op with it; ops stored before have none (and cite no code).
ALTER TABLE ops ADD COLUMN cited text;
