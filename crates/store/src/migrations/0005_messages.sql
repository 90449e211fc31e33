-- Messages as a key and parameters (crates/core/src/message.rs): the reason
-- of a parked op and of a refusal by the fold, said in the reader's
-- language. JSON of a Message; NULL for rows written before (their code's
-- own text and the English reason say them).
ALTER TABLE parked_ops ADD COLUMN explain TEXT;
ALTER TABLE fold_refusals ADD COLUMN explain TEXT;
