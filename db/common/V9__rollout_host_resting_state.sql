-- A host that had ended its procedure (UPGRADED, ROLLED_BACK) and then had a later step fail on it (a fleet-wide
-- post-upgrade step, a load-balanced group's health check, the final verification) waits for the operator's decision
-- as WAITING_DECISION; the state it had is kept here, and given back once the operator retried or marked the step
-- done, so that the host does not end the rollout as RUNNING.
ALTER TABLE rollout_host ADD COLUMN resting_state VARCHAR(32);
