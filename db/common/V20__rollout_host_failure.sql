-- Why a host waits for the operator's decision (WAITING_DECISION): the failed step's failure as the decision task
-- shows it (the reason, the command, the output's excerpt), on the rollout's progress, so that whoever watches the
-- rollout sees why without opening the task; cleared when the host goes on.
ALTER TABLE rollout_host ADD COLUMN failure VARCHAR(4000);
