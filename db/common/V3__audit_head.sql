-- The head of each rollout's audit chain (last sequence number and hash), written in the transaction
-- of each entry: verify compares it, so an entry removed from the end of a chain is detected too.
ALTER TABLE rollout ADD COLUMN audit_seq BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE rollout ADD COLUMN audit_hash VARCHAR(64);
