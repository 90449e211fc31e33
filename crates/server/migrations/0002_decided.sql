-- ClaimDesk sync server, schema 2: the server decides (sync protocol 2).

-- What the server recorded about an op's author when it accepted it: every
-- replica decides the op with this role and limit, and a recommendation
-- against this policy result (docs/decisions/0007-trust-model.md).
ALTER TABLE ops ADD COLUMN author_role text;
ALTER TABLE ops ADD COLUMN author_limit bigint;
ALTER TABLE ops ADD COLUMN proposal jsonb;
-- A claim's ops, for folding it again when an op made offline arrives late.
CREATE INDEX ops_entity ON ops (entity, seq);

-- Each claim as the server folded it, updated in the transaction that
-- accepts its ops: the state the next op is decided against, and what the
-- policy reads of the claim (its intake row and current category).
CREATE TABLE claims (
    entity        text PRIMARY KEY,           -- claim:<external id>
    category      text NOT NULL,              -- current, after triage corrections
    claimant_key  text,                       -- phone or BRN for the current category
    service       text NOT NULL,
    input         jsonb NOT NULL,             -- core::ClaimInput, as imported or last updated
    state         jsonb NOT NULL              -- sync::fold::ClaimState
);
CREATE INDEX claims_group ON claims (claimant_key, service);

-- Policy versions the team created (version 1 is the default of every store).
CREATE TABLE policies (
    version   bigint PRIMARY KEY,
    toml      text NOT NULL,
    op_id     uuid NOT NULL
);

-- Small facts about the team's log: the activation in force (by clock key).
CREATE TABLE team_state (
    key    text PRIMARY KEY,
    value  jsonb NOT NULL
);

-- The recommendation projection of schema 1 is part of the claims' state now.
DROP TABLE claim_recommendations;
