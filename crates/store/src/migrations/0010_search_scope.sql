-- ClaimDesk store, schema 10: each search entry names its claim's incident
-- (search.rs), so a search within one incident is answered by the index
-- alone instead of reading a claims row per match. A contentless FTS5 table
-- cannot gain a column: it is made again, and schema.rs fills it from the
-- claims in the same transaction.
DROP TABLE claims_fts;
CREATE VIRTUAL TABLE claims_fts USING fts5(
    name, description, incident, content = '', contentless_delete = 1, tokenize = 'ascii'
);
