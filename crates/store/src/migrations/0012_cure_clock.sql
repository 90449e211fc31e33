-- ClaimDesk store: the cure clock (issue 12, item 4).

-- The request for information a claim waits for (needs_info), derived from
-- its ops like the status (sync::fold::ClaimState::open_request): the day it
-- was made and its own due date, both YYYY-MM-DD in Korea time, NULL unless
-- the claim is in needs_info. The due date the queue and the letters use is
-- this one moved by the active policy's extension of the window
-- (core::policy::CureWindow::extended), computed when read, so a published
-- extension moves every open due date at once on every desktop.
ALTER TABLE claims ADD COLUMN requested_on TEXT;
ALTER TABLE claims ADD COLUMN due_on TEXT;
-- How many requests for information the claim has had (one per claim unless
-- a supervisor sends another).
ALTER TABLE claims ADD COLUMN info_requests INTEGER NOT NULL DEFAULT 0;
CREATE INDEX claims_due ON claims(incident_id, due_on) WHERE due_on IS NOT NULL;
