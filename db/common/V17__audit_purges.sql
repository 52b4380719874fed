-- What the retention purge removed: a rollout's chain, its last entry and its count, so that the trail of a purged
-- rollout reads "purged" (with the head it had), not as an intact chain of no entries.
CREATE TABLE audit_purge (
    rollout_id  VARCHAR(40)  NOT NULL PRIMARY KEY,
    entries     BIGINT       NOT NULL,
    last_hash   VARCHAR(64),
    retention   VARCHAR(32)  NOT NULL,
    purged_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
