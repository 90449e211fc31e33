-- ClaimDesk store: decision notices (issue 12, item 3).

-- Whether the claimant was sent the notice the claim's current decision
-- owes (sync::fold::ClaimState::notified_after), derived from its ops like
-- the status. A claim owes a notice when its status is approved, paid,
-- closed_denied, closed_no_damage or needs_info and this is 0.
ALTER TABLE claims ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;
CREATE INDEX claims_notice_due ON claims(incident_id, status) WHERE notified = 0;

-- Every notice sent (a claim.notify op folded in): what it told, how, in
-- which language. Derived from the ops; the op log stays the record.
CREATE TABLE notices (
    op_id      TEXT PRIMARY KEY,
    claim_id   INTEGER NOT NULL REFERENCES claims(id),
    kind       TEXT NOT NULL,             -- core::LetterKind
    channels   TEXT NOT NULL,             -- JSON array of core::NoticeChannel
    lang       TEXT NOT NULL,             -- ko | en
    resend     INTEGER NOT NULL DEFAULT 0,
    sent_by    TEXT NOT NULL,
    sent_at    INTEGER NOT NULL           -- unix seconds
) STRICT;
CREATE INDEX notices_claim ON notices(claim_id);
CREATE INDEX notices_sent_at ON notices(sent_at);
