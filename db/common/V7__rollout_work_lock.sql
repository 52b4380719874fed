-- A second lock per rollout, apart from the rollout's row (which each audit entry takes as it is appended, the chain
-- being one sequence per rollout): the slot claims and the rejoins of the parallel multi-instances are serialized
-- on this one, so that a rejoin (held until the engine has flushed it) no longer holds up the audit entries of
-- every other host of the rollout.
CREATE TABLE rollout_work_lock (
    rollout_id VARCHAR(40) NOT NULL PRIMARY KEY
);
INSERT INTO rollout_work_lock (rollout_id) SELECT id FROM rollout;
