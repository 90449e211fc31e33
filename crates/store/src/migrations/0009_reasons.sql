-- ClaimDesk store: report types and coded reasons (issue 12).

-- The catalog entry an op's reason code named in the policy in force, as
-- the op was stamped (core::policy::CitedReason as JSON); NULL for ops that
-- cite nothing, and for every op stored before this migration.
ALTER TABLE ops ADD COLUMN cited TEXT;

-- What the report is (core::ReportType), derived from the claim's ops like
-- the status: from intake (a report-type column) or a set_report_type op.
ALTER TABLE claims ADD COLUMN report_type TEXT NOT NULL DEFAULT 'damage_claim';

-- The reason code the claim carries now: its open request's deficiency
-- code (needs_info), its denial's code (a deny recommendation), its
-- closure's reply (closed_no_damage); LEGACY for a denial or request made
-- before coded reasons; NULL otherwise. Derived, for the dashboard's counts.
ALTER TABLE claims ADD COLUMN reason_code TEXT;

-- The reason code a note cites (an info request's, a closure's reply).
ALTER TABLE notes ADD COLUMN code TEXT;
