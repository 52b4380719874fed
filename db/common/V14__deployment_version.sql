-- A deployment's version, counted up by every change (an operator's PUT, a rollout's registered releases): the entity
-- tag GET gives and PUT's If-Match compares, so that a script writing back what it read earlier is refused (412)
-- instead of undoing a change made meanwhile.
ALTER TABLE deployment ADD COLUMN version BIGINT DEFAULT 1 NOT NULL;
